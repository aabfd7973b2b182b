/**
 * The pieces a key is rendered from, apart from the template itself: padded dates, random values, caller values made
 * into safe folders, and the clash suffix.
 */
import { INVISIBLE_CHARS, slugSegment } from './filename';

const RAND_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

export function randomString(length: number): string {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  // 36 does not divide 256, so the first 4 letters are marginally likelier: fine for uniqueness, not for secrets.
  return Array.from(bytes, (byte) => RAND_ALPHABET[byte % RAND_ALPHABET.length]).join('');
}

export function uuid(): string {
  if (typeof globalThis.crypto.randomUUID === 'function') return globalThis.crypto.randomUUID();
  // randomUUID is missing in insecure browser contexts (plain-http pages); build a v4 UUID by hand there.
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Caller values may hold folders (`a/b`, or `a\b` from Windows hosts); segments are slugged later with the rest. */
export function callerValue(value: string | undefined): string {
  return (value ?? '').replace(/\\/g, '/');
}

/** Splits on `/`, slugs each segment and drops empty ones: no leading `/`, no `//`, no `.` or `..` segment. */
export function safePath(text: string): string {
  return text
    .normalize('NFC')
    .replace(INVISIBLE_CHARS, '')
    .split('/')
    .map(slugSegment)
    .filter((segment) => segment !== '')
    .join('/');
}

/** `-N` before the extension of the key's last segment (`a/shot.png` → `a/shot-2.png`); the key itself for 0. */
export function withSuffix(key: string, suffix: number): string {
  if (suffix === 0) return key;
  const slash = key.lastIndexOf('/');
  const dot = key.lastIndexOf('.');
  // A leading dot (`.env`) names the file rather than starting an extension.
  const at = dot > slash + 1 ? dot : key.length;
  return `${key.slice(0, at)}-${suffix}${key.slice(at)}`;
}
