/**
 * Internal: the hash-wasm hashers core uses, behind one module that `hash.ts` imports only where node:crypto is
 * missing. Named imports here keep bundles tree-shaken to these two algorithms (importing the package namespace
 * dynamically would pull in every algorithm's WebAssembly).
 */
export { createMD5, createSHA256 } from 'hash-wasm';
