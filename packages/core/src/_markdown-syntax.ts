/**
 * CommonMark's link syntax, piece by piece, for the note scanner (markdown-links.ts): where a label, a destination
 * and a title end, and what a destination means as a path. Indices in, indices out; -1 when the text is no link.
 */
import type { DestinationRules } from './_link-forms';

const SCHEME = /^[a-z][a-z\d+.-]*:/i;
// CommonMark: only ASCII punctuation can be backslash-escaped; `\a` stays two characters.
const ESCAPED = /\\([!-/:-@[-`{-~])/g;
const PUNCTUATION = /[!-/:-@[-`{-~]/;
// CommonMark lets parsers cap parenthesis nesting in bare destinations; commonmark.js stops at 32.
const MAX_PAREN_DEPTH = 32;

export function unbackslash(text: string): string {
  return text.replace(ESCAPED, '$1');
}

function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t';
}

/** Skips spaces/tabs and at most one line ending, as CommonMark allows around destinations and titles. */
export function skipSpace(text: string, index: number): number {
  let i = index;
  while (isSpace(text[i])) i++;
  if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
  else if (text[i] === '\n' || text[i] === '\r') i++;
  else return i;
  while (isSpace(text[i])) i++;
  return i;
}

/** End of the `[…]` label opened at `open` (index of the `]`), or -1. Brackets nest; a line break ends the search. */
export function labelEnd(text: string, open: number, limit: number): number {
  let depth = 0;
  for (let i = open + 1; i < limit; i++) {
    const char = text[i];
    if (char === '\\') i++;
    else if (char === '\n' || char === '\r') return -1;
    else if (char === '[') depth++;
    else if (char === ']') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/** End (exclusive) of the destination starting at `index`, or -1 when there is none. */
export function destinationEnd(text: string, index: number, limit: number): number {
  if (text[index] === '<') {
    for (let i = index + 1; i < limit; i++) {
      const char = text[i];
      if (char === '\\') i++;
      else if (char === '>') return i + 1;
      else if (char === '<' || char === '\n' || char === '\r') return -1;
    }
    return -1;
  }
  let depth = 0;
  let i = index;
  for (; i < limit; i++) {
    const char = text[i] as string;
    if (char === '\\' && i + 1 < limit && PUNCTUATION.test(text[i + 1] as string)) i++;
    else if (char === '(') {
      if (++depth > MAX_PAREN_DEPTH) return -1;
    } else if (char === ')') {
      if (depth === 0) break;
      depth--;
    } else if (/[\s\p{Cc}]/u.test(char)) break;
  }
  return depth === 0 ? i : -1;
}

/** End (exclusive) of the title starting at `index`, or -1. */
export function titleEnd(text: string, index: number, limit: number): number {
  const open = text[index];
  const close = open === '(' ? ')' : open;
  if (open !== '"' && open !== "'" && open !== '(') return -1;
  for (let i = index + 1; i < limit; i++) {
    const char = text[i];
    if (char === '\\') i++;
    else if (char === close) return i + 1;
    else if (open === '(' && char === '(') return -1;
  }
  return -1;
}

/** The destination as CommonMark reads it, before URL decoding: `<…>` unwrapped, backslash-escapes removed. */
function literal(destination: string): string {
  return unbackslash(destination.startsWith('<') ? destination.slice(1, -1) : destination);
}

/** `<…>` unwrapped, escapes and percent-encoding decoded, query and fragment dropped. */
export function decodePath(destination: string): string {
  const path = literal(destination).replace(/[?#].*$/s, '');
  try {
    return decodeURIComponent(path);
  } catch {
    // A stray `%` is a literal character in a file name.
    return path;
  }
}

export function isLocal(destination: string): boolean {
  const raw = literal(destination);
  return raw !== '' && !SCHEME.test(raw) && !raw.startsWith('//') && !raw.startsWith('#');
}

export const RULES: DestinationRules = { decodePath, isLocal };
