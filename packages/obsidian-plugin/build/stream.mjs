// Stands in for Node's `stream` in main.js. lib-storage imports `Readable` only to ask `body instanceof Readable`;
// the plugin's bodies are Blobs and Uint8Arrays, never Node streams (mobile has none), so the answer is always no.
// The stream-browserify polyfill it replaces was 43 kB of main.js (readable-stream, string_decoder, events).
export class Readable {}
