/** What the tests look at after a paste: uploaded links in a text, the bytes a URL serves, uploads settled. */
import { expect, vi } from 'vitest';
import { fake } from '../_fake/vscode';

// Background uploads go over real HTTP; give them more than waitFor's default second.
export const WAIT = { timeout: 20_000, interval: 20 };

/** The links in `text` under `base`, with their text (alt) and URL. */
export function linksUnder(base: string, text: string): { alt: string; url: string }[] {
  const escaped = base.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return [...text.matchAll(new RegExp(`!?\\[([^\\]]*)\\]\\((${escaped}/[^)\\s]+)\\)`, 'g'))].map((match) => ({
    alt: match[1] as string,
    url: match[2] as string,
  }));
}

/** The bytes a URL serves (200 expected). */
export async function served(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

/** Waits until `count` upload notifications have opened and all of them have closed. */
export async function uploadsSettled(count = 1): Promise<void> {
  await vi.waitFor(() => {
    expect(fake.progress).toHaveLength(count);
    expect(fake.progress.every((record) => record.done)).toBe(true);
  }, WAIT);
}

/** A promise and the functions that settle it: bytes VS Code has not handed over yet. */
export function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: Error): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/** The same bytes (a deep toEqual over megabytes takes seconds). */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.from(a).equals(Buffer.from(b));
}
