/** Internal: base64url without padding, for the tokens and signed links the server hands out. */

/** `bytes` as base64url, without `=` padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The bytes of base64url `text` of at most `maxLength` characters, or undefined for anything else. A length of 4n+1
 * is no base64 at all: atob would throw, and a forged token would be a 500 instead of a refusal.
 */
export function fromBase64Url(text: string, maxLength = Number.POSITIVE_INFINITY): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text) || text.length > maxLength || text.length % 4 === 1) return undefined;
  return Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (char) => char.charCodeAt(0));
}
