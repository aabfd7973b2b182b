/**
 * Finds the links of a Markdown note, for "upload the local files this note links". One scanner in core so every host
 * reads `![a](<b c.png> "t")`, `![](b%20c.png)` and `![[b.png|300]]` the same way; deciding which file a path means
 * (relative to the note, the workspace or the vault) stays in the host.
 */
import { htmlLink, referenceDefinition } from './_link-forms';
import { codeSpanEnd, fencedBlockEnd } from './_markdown-code';
import {
  decodePath,
  destinationEnd,
  isLocal,
  labelEnd,
  RULES,
  skipSpace,
  titleEnd,
  unbackslash,
} from './_markdown-syntax';
import { markdownText, markdownUrl } from './links';

/**
 * One link or embed as written in a note.
 *
 * @example
 * ```ts
 * const [link] = findLinks('![chart](<img/a b.png> "Q1")');
 * link.path; // 'img/a b.png'
 * link.withUrl('https://cdn.example.com/a.png'); // '![chart](https://cdn.example.com/a.png "Q1")'
 * ```
 */
export interface MarkdownLink {
  /** The whole link as written, e.g. `![a](<b c.png> "t")`. */
  readonly text: string;
  /** Offset of `text` in the document (UTF-16 units). */
  readonly start: number;
  /** Offset just past `text`. */
  readonly end: number;
  /** `![…](…)` or `![[…]]` rather than `[…](…)` or `[[…]]`. */
  readonly image: boolean;
  /**
   * `[…](…)` syntax, an Obsidian wikilink `[[…]]`, a reference definition `[r1]: …`, or an HTML `<img src>`,
   * `<a href>`, `<video src>`, `<audio src>` or `<source src>` (the last two only when asked for).
   */
  readonly kind: 'inline' | 'wiki' | 'reference' | 'html';
  /**
   * The link text / alt (inline, backslash-escapes removed), the alias after `|` (wiki, e.g. `300`), the label
   * (reference) or the `alt` (HTML image); '' if none.
   */
  readonly label: string;
  /** The destination exactly as written: `<b c.png>`, `b%20c.png`, or the inside of `[[…]]` (`x.png|300`). */
  readonly destination: string;
  /** The file path: `<…>` unwrapped, backslash-escapes and percent-encoding decoded, `?query`/`#hash` dropped. */
  readonly path: string;
  /** Points at a file: no scheme (`https:`, `data:`, `mailto:`), not `//host`, not an in-page `#anchor`, not empty. */
  readonly local: boolean;
  /** The link with its destination replaced by `url` (escaped like `formatLink` does); text and title kept. */
  withUrl(url: string): string;
}

/**
 * What `findLinks` looks for besides CommonMark inline links.
 *
 * @example
 * ```ts
 * findLinks(note, { wikiEmbeds: true, wikiLinks: true });
 * ```
 */
export interface FindLinksOptions {
  /** Also find Obsidian embeds `![[x.png]]`, `![[x.png|300]]`. */
  wikiEmbeds?: boolean;
  /** Also find Obsidian wikilinks `[[x.png]]`. */
  wikiLinks?: boolean;
  /** Also find reference definitions `[r1]: img/a.png "Title"`. */
  references?: boolean;
  /** Also find HTML `<img src>`, `<a href>`, `<video src>`, `<audio src>` and `<source src>`. */
  html?: boolean;
}

/** The inline link whose label opens at `open` (`[`), or undefined. */
function inlineLink(text: string, open: number, limit: number): MarkdownLink | undefined {
  const close = labelEnd(text, open, limit);
  if (close < 0 || text[close + 1] !== '(') return undefined;
  const destStart = skipSpace(text, close + 2);
  const destEnd =
    destStart < limit && text[destStart] === ')' ? destStart : destinationEnd(text, destStart, limit);
  if (destEnd < 0) return undefined;
  let i = skipSpace(text, destEnd);
  if (i > destEnd && text[i] !== ')') {
    const end = titleEnd(text, i, limit);
    if (end < 0) return undefined;
    i = skipSpace(text, end);
  }
  if (text[i] !== ')' || i >= limit) return undefined;
  const image = text[open - 1] === '!' && text[open - 2] !== '\\';
  const start = image ? open - 1 : open;
  const end = i + 1;
  const whole = text.slice(start, end);
  const destination = text.slice(destStart, destEnd);
  return {
    text: whole,
    start,
    end,
    image,
    kind: 'inline',
    label: unbackslash(text.slice(open + 1, close)),
    destination,
    path: decodePath(destination),
    local: isLocal(destination),
    withUrl: (url) =>
      `${whole.slice(0, destStart - start)}${markdownUrl(url)}${whole.slice(destEnd - start)}`,
  };
}

/** The `[[…]]` wikilink opening at `open`, or undefined. Obsidian allows no `]` or line break inside. */
function wikiLink(text: string, open: number, limit: number): MarkdownLink | undefined {
  const close = text.indexOf(']]', open + 2);
  if (close < 0 || close + 2 > limit) return undefined;
  const destination = text.slice(open + 2, close);
  if (destination === '' || /[\]\r\n]/.test(destination)) return undefined;
  const image = text[open - 1] === '!' && text[open - 2] !== '\\';
  const start = image ? open - 1 : open;
  const bar = destination.indexOf('|');
  const target = bar < 0 ? destination : destination.slice(0, bar);
  const label = bar < 0 ? '' : destination.slice(bar + 1).trim();
  const path = target.replace(/#.*$/s, '').trim();
  return {
    text: text.slice(start, close + 2),
    start,
    end: close + 2,
    image,
    kind: 'wiki',
    label,
    destination,
    path,
    local: path !== '',
    withUrl: (url) => `${image ? '!' : ''}[${markdownText(label)}](${markdownUrl(url)})`,
  };
}

function scan(
  text: string,
  from: number,
  limit: number,
  options: FindLinksOptions,
  out: MarkdownLink[],
): void {
  for (let i = from; i < limit; i++) {
    const char = text[i];
    if (char === '\\') {
      i++; // `\[` is a literal bracket
      continue;
    }
    // Code is not Markdown: a link written in a code block or span is an example, never a file to upload.
    if (i === 0 || text[i - 1] === '\n') {
      const blockEnd = fencedBlockEnd(text, i, limit);
      if (blockEnd !== undefined) {
        i = blockEnd;
        continue;
      }
      const definition = options.references ? referenceDefinition(text, i, limit, RULES) : undefined;
      if (definition) {
        out.push(definition);
        i = definition.end - 1;
        continue;
      }
    }
    if (char === '<' && options.html) {
      const element = htmlLink(text, i, limit, RULES);
      if (element) {
        out.push(element);
        i = element.end - 1;
        continue;
      }
    }
    if (char === '`') {
      const spanEnd = codeSpanEnd(text, i, limit);
      if (spanEnd !== undefined) {
        i = spanEnd - 1;
        continue;
      }
      while (text[i + 1] === '`') i++; // an unclosed run is literal backticks
      continue;
    }
    if (char !== '[') continue;
    const image = text[i - 1] === '!' && text[i - 2] !== '\\';
    if (text[i + 1] === '[' && (image ? options.wikiEmbeds : options.wikiLinks)) {
      const wiki = wikiLink(text, i, limit);
      if (wiki) {
        out.push(wiki);
        i = wiki.end - 1;
        continue;
      }
    }
    const link = inlineLink(text, i, limit);
    if (!link) continue;
    out.push(link);
    // Images may sit inside a link's text (`[![a](a.png)](page)`); they come after the link that holds them.
    if (!link.image) scan(text, i + 1, labelEnd(text, i, limit), options, out);
    i = link.end - 1;
  }
}

/**
 * Every link in a Markdown document, in order: CommonMark inline links and images (`[t](d "title")`, `![a](<d>)`)
 * and, when asked, Obsidian wikilinks/embeds, reference definitions and HTML elements that point at a file. Links
 * inside code spans and fenced code blocks are code, not links, and are skipped; indented code blocks are not told
 * apart from indented list paragraphs. Uses of a reference (`![a][r1]`) and autolinks are not reported. Check
 * `local` before resolving `path` to a file; `withUrl` rewrites one link without touching its text or title.
 *
 * @example
 * ```ts
 * const note = '![a](b%20c.png) ![x](https://cdn.example.com/x.png) ![[d.png|300]]';
 * findLinks(note).filter((link) => link.local).map((link) => link.path); // ['b c.png']
 * findLinks(note, { wikiEmbeds: true }).at(-1)?.label; // '300'
 * findLinks('![a](b.png "t")')[0]?.withUrl('https://x.test/a b.png'); // '![a](<https://x.test/a b.png> "t")'
 * findLinks('[r1]: a.png\n<img src="b.png">', { references: true, html: true }).map((link) => link.path); // ['a.png', 'b.png']
 * ```
 */
export function findLinks(markdown: string, options: FindLinksOptions = {}): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  scan(markdown, 0, markdown.length, options, links);
  return links.sort((a, b) => a.start - b.start);
}
