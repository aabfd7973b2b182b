/**
 * Public URLs and the link text a host inserts into a note. Escaping here is what keeps a filename like
 * `a](javascript:…)` or a URL with spaces from breaking the user's Markdown or HTML.
 */
import { BytedropError } from './errors';
import type { LinkFormat, UploadResult } from './types';

/** RFC 3986 unreserved characters stay; everything else, including `!'()*` that encodeURIComponent keeps, is encoded. */
function encodeSegment(segment: string): string {
  try {
    return encodeURIComponent(segment).replace(
      /[!'()*]/g,
      (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  } catch (cause) {
    throw new BytedropError(
      'ERR_INPUT',
      `key segment '${segment}' is not valid Unicode (lone surrogate): render keys with compileKeyTemplate`,
      { cause },
    );
  }
}

/**
 * The public URL of a key: the base joined to the key with exactly one `/`, each key segment percent-encoded
 * (so `/` stays a separator and `(`, `)`, spaces and non-ASCII never need escaping in Markdown).
 *
 * @example
 * ```ts
 * publicUrl('https://cdn.example.com/', '2024/05/Café (1).png'); // 'https://cdn.example.com/2024/05/Caf%C3%A9%20%281%29.png'
 * publicUrl('https://cdn.example.com/files', 'a.png'); // 'https://cdn.example.com/files/a.png'
 * ```
 */
export function publicUrl(publicBaseUrl: string, key: string): string {
  const base = publicBaseUrl.replace(/\/+$/, '');
  const segments = key.replace(/^\/+/, '').split('/');
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    // URL parsers resolve dot segments (even as %2E), so no URL can reach such a key.
    throw new BytedropError(
      'ERR_INPUT',
      `key '${key}' has a '.' or '..' segment, which no URL can address: render keys with compileKeyTemplate`,
    );
  }
  const path = segments.map(encodeSegment).join('/');
  return `${base}/${path}`;
}

/** One line of visible text: line breaks would end a Markdown link or leak into HTML; other controls are invisible. */
function plainText(text: string): string {
  return text.replace(/[\r\n\t\f\v]+/g, ' ').replace(/\p{Cc}/gu, '');
}

/** Controls are never valid in a URL; percent-encoding them keeps its meaning. */
function encodeControls(url: string): string {
  return url.replace(/\p{Cc}/gu, (char) => encodeURIComponent(char));
}

/** Link text that CommonMark (and Obsidian) reads back literally. Shared with markdown-links.ts. */
export function markdownText(text: string): string {
  // Inline syntax that would turn text into code, emphasis, links, HTML, entities, math or highlights.
  return plainText(text).replace(/[\\`*_[\]<>&~|$=]/g, '\\$&');
}

function parenthesesBalanced(url: string): boolean {
  let depth = 0;
  for (const char of url) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    // CommonMark lets parsers cap nesting (commonmark.js at 32); stay far below it.
    if (depth < 0 || depth > 8) return false;
  }
  return depth === 0;
}

/**
 * A link destination CommonMark parses back to the same URL. The one escaping rule for destinations: markdown-links.ts
 * reuses it so a rewritten link escapes exactly like a freshly formatted one.
 */
export function markdownUrl(url: string): string {
  const escaped = encodeControls(url)
    .replace(/\\/g, '\\\\')
    // Destinations decode entity references, so an '&' that starts one must be escaped to stay literal.
    .replace(/&(?=#\d+;|#x[0-9a-f]+;|[a-z][a-z0-9]*;)/gi, '\\&');
  if (escaped === '' || /[ <>]/.test(escaped) || !parenthesesBalanced(escaped)) {
    return `<${escaped.replace(/[<>]/g, '\\$&')}>`;
  }
  return escaped;
}

/** Escapes text for an HTML attribute value or element content. Shared with _link-forms.ts. */
export function html(text: string): string {
  return plainText(text).replace(/[&"<>']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const LINK_VARIABLE = /\{(url|name|alt|key|size)\}|\{([^{}]*)\}/g;

/**
 * What `formatLink` needs of an upload result.
 *
 * @example
 * ```ts
 * formatLink({ url, key, size, contentType, filename }, 'markdown');
 * ```
 */
export type LinkSource = Pick<UploadResult, 'url' | 'key' | 'size' | 'contentType' | 'filename'>;

/**
 * Formats an uploaded file as the text a host inserts: the bare URL, a Markdown image/link, an HTML `<img>`/`<a>`,
 * or a custom template over `{url} {name} {alt} {key} {size}`. Images (`image/*`) become images, everything else a
 * link named after the file. Text and URLs are escaped so the output parses back to exactly the same URL and text.
 *
 * @example
 * ```ts
 * const result = { url: 'https://cdn.example.com/a%20b.png', key: 'a b.png', size: 3, contentType: 'image/png', filename: 'a b.png' };
 * formatLink(result, 'markdown'); // '![a b.png](https://cdn.example.com/a%20b.png)'
 * formatLink(result, 'html', { alt: 'Chart "Q1"' }); // '<img src="https://cdn.example.com/a%20b.png" alt="Chart &#34;Q1&#34;">'
 * formatLink(result, 'custom', { template: '[[{url}|{name}]]' }); // '[[https://cdn.example.com/a%20b.png|a b.png]]'
 * ```
 */
export function formatLink(
  result: LinkSource,
  format: LinkFormat,
  options?: { alt?: string; template?: string },
): string {
  const isImage = result.contentType.toLowerCase().startsWith('image/');
  // The alt of an image and the text of a link: the caller's, else the sanitised filename.
  const alt = options?.alt ?? result.filename;
  switch (format) {
    case 'url':
      return result.url;
    case 'markdown':
      return isImage
        ? `![${markdownText(alt)}](${markdownUrl(result.url)})`
        : `[${markdownText(alt)}](${markdownUrl(result.url)})`;
    case 'html':
      return isImage
        ? `<img src="${html(encodeControls(result.url))}" alt="${html(alt)}">`
        : `<a href="${html(encodeControls(result.url))}">${html(alt)}</a>`;
    case 'custom': {
      const template = options?.template;
      if (!template) {
        throw new BytedropError(
          'ERR_INPUT',
          "link format 'custom' needs a template: pass options.template, e.g. '![{alt}]({url})'",
        );
      }
      const values: Record<string, string> = {
        url: result.url,
        name: result.filename,
        alt,
        key: result.key,
        size: String(result.size),
      };
      return template.replace(LINK_VARIABLE, (match, known: string | undefined) => {
        if (known !== undefined) return values[known]!;
        throw new BytedropError(
          'ERR_TEMPLATE',
          `link template '${template}' has unknown variable ${match}: use {url} {name} {alt} {key} {size}`,
        );
      });
    }
    default:
      throw new BytedropError(
        'ERR_INPUT',
        `link format '${String(format)}' is unknown: use 'url', 'markdown', 'html' or 'custom'`,
      );
  }
}
