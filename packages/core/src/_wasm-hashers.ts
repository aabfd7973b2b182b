/**
 * Internal: the hash-wasm functions core uses, behind one module that is imported only where needed (`hash.ts` where
 * node:crypto is missing, PNG stripping for a CRC). Named imports here keep bundles tree-shaken to these algorithms
 * (importing the package namespace dynamically would pull in every algorithm's WebAssembly).
 */
export { createCRC32, createMD5, createSHA256 } from 'hash-wasm';
