/**
 * The link forms `findLinks` reports on request besides inline links and wikilinks: reference definitions
 * (`[r1]: img/a.png "Title"`) and HTML elements that point at a file (`<img src>`, `<a href>`, `<video src>`,
 * `<audio src>`, `<source src>`). Notes written for GitHub or a static site use both for images.
 */
import { html, markdownUrl } from './links';
import type { MarkdownLink } from './markdown-links';

/** What markdown-links.ts decides about a destination; passed in to keep one definition of each. */
export interface DestinationRules {
  decodePath(destination: string): string;
  isLocal(destination: string): boolean;
}

// Up to three spaces (or quote markers), `[label]:`, the destination, an optional title, then the line's end.
const DEFINITION =
  /[ >]{0,3}\[((?:\\.|[^\\[\]\r\n])+)\]:[ \t]*(?:\r?\n[ \t]*)?(<(?:\\.|[^\\<>\r\n])*>|[^\s<][^\s]*)(?:[ \t]+("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|\((?:\\.|[^()\\])*\)))?[ \t]*(?=\r?\n|$)/y;

/**
 * The reference definition on the line starting at `lineStart`, or undefined.
 *
 * @example
 * ```ts
 * referenceDefinition('[r1]: img/a.png "A"', 0, 19, rules)?.withUrl('https://cdn/a.png'); // '[r1]: https://cdn/a.png "A"'
 * ```
 */
export function referenceDefinition(
  text: string,
  lineStart: number,
  limit: number,
  rules: DestinationRules,
): MarkdownLink | undefined {
  DEFINITION.lastIndex = lineStart;
  const match = DEFINITION.exec(text);
  if (!match || lineStart + match[0].length > limit) return undefined;
  const destination = match[2] as string;
  const start = lineStart + match[0].indexOf('[');
  const written = text.slice(start, lineStart + match[0].trimEnd().length);
  // The destination is the first occurrence after the label's `]:`.
  const destinationAt = written.indexOf(destination, written.indexOf(']:') + 2);
  return {
    text: written,
    start,
    end: start + written.length,
    image: false,
    kind: 'reference',
    label: match[1] as string,
    destination,
    path: rules.decodePath(destination),
    local: rules.isLocal(destination),
    withUrl: (url) =>
      `${written.slice(0, destinationAt)}${markdownUrl(url)}${written.slice(destinationAt + destination.length)}`,
  };
}

// An opening tag of an element that points at a file, up to the attribute that does.
const ELEMENT =
  /<(img|video|audio|source|a)\b[^<>]*?\s(src|href)\s*=\s*("[^"]*"|'[^']*'|[^\s"'<>`=]+)[^<>]*>/iy;
const ENTITY = /&(?:#(\d+)|#x([0-9a-f]+)|(amp|quot|apos|lt|gt));/gi;
const NAMED: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };

/** An attribute value as the browser reads it: character references decoded. */
function decodeEntities(value: string): string {
  return value.replace(ENTITY, (_, decimal?: string, hex?: string, name?: string) => {
    if (name) return NAMED[name.toLowerCase()] as string;
    return String.fromCodePoint(Number.parseInt((decimal ?? hex) as string, decimal ? 10 : 16));
  });
}

function attribute(tag: string, name: string): string {
  const found = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s"'<>\`=]+))`, 'i').exec(tag);
  return decodeEntities(found?.[2] ?? found?.[3] ?? found?.[4] ?? '');
}

/**
 * The `<img src>`, `<a href>`, … tag opening at `open` (a `<`), or undefined. `destination` is the attribute value
 * with its character references decoded; `withUrl` writes the URL escaped for an attribute.
 *
 * @example
 * ```ts
 * htmlLink('<img src="a.png" alt="A">', 0, 25, rules)?.path; // 'a.png'
 * ```
 */
export function htmlLink(
  text: string,
  open: number,
  limit: number,
  rules: DestinationRules,
): MarkdownLink | undefined {
  ELEMENT.lastIndex = open;
  const match = ELEMENT.exec(text);
  if (!match || open + match[0].length > limit) return undefined;
  const tag = match[0];
  const raw = match[3] as string;
  const valueAt = tag.indexOf(raw, tag.search(new RegExp(`\\s${match[2]}\\s*=`, 'i')));
  const destination = decodeEntities(raw.replace(/^["']|["']$/g, ''));
  const image = (match[1] as string).toLowerCase() === 'img';
  return {
    text: tag,
    start: open,
    end: open + tag.length,
    image,
    kind: 'html',
    label: image ? attribute(tag, 'alt') : '',
    destination,
    path: rules.decodePath(destination),
    local: rules.isLocal(destination),
    withUrl: (url) => `${tag.slice(0, valueAt)}"${html(url)}"${tag.slice(valueAt + raw.length)}`,
  };
}
