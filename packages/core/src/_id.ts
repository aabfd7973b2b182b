/**
 * Random ids for temporary keys. getRandomValues rather than randomUUID: the latter is missing in insecure browser
 * contexts (plain-http pages), where Bytedrop still has to work.
 */

/** 32 random hex characters (128 bits). */
export function randomId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
