// Stands in for Node's `buffer` in main.js. Only lib-storage imports it, and only for the calls below, on bodies a
// phone has: Uint8Array parts from a Blob's stream, or a string. The `buffer` polyfill (with base64-js and ieee754)
// was 23 kB of main.js for these four functions. The plugin never hands lib-storage a Node Buffer (mobile has none).
import { concatUint8Arrays, stringToUint8Array } from 'uint8array-extras';

export const Buffer = {
  isBuffer: () => false,
  from: (value) =>
    typeof value === 'string' || value instanceof String
      ? stringToUint8Array(String(value))
      : new Uint8Array(value),
  byteLength: (text) => stringToUint8Array(text).byteLength,
  concat: (parts) => concatUint8Arrays(parts),
};
