/**
 * Links to uploaded files: web links in a note (any form core's `findLinks` reads), their URL as written, and the
 * object key an S3 target's URL stands for.
 */
import type { MarkdownLink } from '@bytedrop/core';
import { linksOf } from './document-links';

/**
 * The URL a link points at, as written (character references and backslash escapes undone, percent-encoding kept),
 * when it is a web link; undefined for local paths and other schemes.
 *
 * @example
 * ```ts
 * urlOf(findLinks('![a](<https://cdn.example.com/a%20b.png>)')[0]); // 'https://cdn.example.com/a%20b.png'
 * ```
 */
export function urlOf(link: MarkdownLink): string | undefined {
  const raw = link.kind === 'html' ? link.destination : link.destination.replace(/^<(.*)>$/s, '$1');
  const url = link.kind === 'html' ? raw : raw.replace(/\\([!-/:-@[-`{-~])/g, '$1');
  return /^https?:\/\//i.test(url) ? url : undefined;
}

/** A web link of a note with its URL. */
export interface RemoteLink {
  link: MarkdownLink;
  url: string;
}

/**
 * The web links of a Markdown text, in order.
 *
 * @example
 * ```ts
 * remoteLinks(note).filter(({ url }) => url.startsWith('https://cdn.example.com/'));
 * ```
 */
export function remoteLinks(text: string): RemoteLink[] {
  return linksOf(text).flatMap((link) => {
    const url = urlOf(link);
    return url ? [{ link, url }] : [];
  });
}

/**
 * The object key behind `url` when it is under `base` (the public base URL, with or without a trailing `/`), with
 * each segment's percent-encoding undone, as core encoded it.
 *
 * @example
 * ```ts
 * keyUnder('https://cdn.example.com/2026/a%20b.png', 'https://cdn.example.com'); // '2026/a b.png'
 * ```
 */
export function keyUnder(url: string, base: string): string | undefined {
  const prefix = `${base.replace(/\/+$/, '')}/`;
  if (!url.startsWith(prefix)) return undefined;
  const rest = url.slice(prefix.length).replace(/[?#].*$/s, '');
  try {
    return rest.split('/').map(decodeURIComponent).join('/') || undefined;
  } catch {
    return undefined;
  }
}
