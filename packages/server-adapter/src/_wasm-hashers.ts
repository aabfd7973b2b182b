/**
 * Internal: the hash-wasm functions the server uses, imported only where needed (a tus chunk with `Upload-Checksum`,
 * a ZIP's CRC where the runtime has no native one). hash-wasm's Node entry is one CommonJS file carrying every
 * algorithm's WebAssembly: loading it with the handler cost more than the rest of the server's start.
 */
export { createCRC32, createSHA1, createSHA256 } from 'hash-wasm';
