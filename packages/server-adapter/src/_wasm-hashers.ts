/**
 * Internal: the hash-wasm functions the server uses, imported only where needed (a tus chunk with `Upload-Checksum`;
 * the ZIP's CRC is core's `createCrc32`). hash-wasm's Node entry is one CommonJS file carrying every
 * algorithm's WebAssembly: loading it with the handler cost more than the rest of the server's start.
 */
export { createSHA1, createSHA256 } from 'hash-wasm';
