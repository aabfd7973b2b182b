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

const LINK_VARIABLE = /\{(url|name|alt|key|size|width|height)\}|\{([^{}]*)\}/g;

/**
 * What `formatLink` needs of an upload result.
 *
 * @example
 * ```ts
 * formatLink({ url, key, size, contentType, filename }, 'markdown');
 * ```
 */
export type LinkSource = Pick<
  UploadResult,
  'url' | 'key' | 'size' | 'contentType' | 'filename' | 'width' | 'height' | 'pixelRatio'
>;

/**
 * Options of `formatLink`.
 *
 * @example
 * ```ts
 * formatLink(result, 'html', { alt: 'Chart', hidpi: false }); // width/height in image pixels
 * ```
 */
export interface LinkOptions {
  /** Alt text of an image, text of a link; the filename by default. */
  alt?: string;
  /** The template of the `custom` format. */
  template?: string;
  /**
   * Show a 144 DPI image (`pixelRatio` 2, a Retina screenshot) at half its pixels, the size it had on screen. Default
   * true; false gives the image's pixels.
   */
  hidpi?: boolean;
  /** Write `width`/`height` on an HTML `<img>` when the size is known (default true), so the page does not shift. */
  dimensions?: boolean;
}

/**
 * The size an image should display at in a note: its pixels, halved for a 144 DPI image when `hidpi` is on (the
 * default). Undefined when the size is not known.
 *
 * @example
 * ```ts
 * displaySize({ width: 2880, height: 1800, pixelRatio: 2 }); // { width: 1440, height: 900 }
 * displaySize({ width: 2880, height: 1800, pixelRatio: 2 }, { hidpi: false }); // { width: 2880, height: 1800 }
 * ```
 */
export function displaySize(
  image: Pick<LinkSource, 'width' | 'height' | 'pixelRatio'>,
  options: Pick<LinkOptions, 'hidpi'> = {},
): { width: number; height: number } | undefined {
  if (image.width === undefined || image.height === undefined) return undefined;
  const ratio = options.hidpi === false ? 1 : (image.pixelRatio ?? 1);
  return { width: Math.round(image.width / ratio), height: Math.round(image.height / ratio) };
}

/**
 * Formats an uploaded file as the text a host inserts: the bare URL, a Markdown image/link, an HTML `<img>`/`<a>`,
 * or a custom template over `{url} {name} {alt} {key} {size} {width} {height}`. Images (`image/*`) become images,
 * everything else a link named after the file. Text and URLs are escaped so the output parses back to exactly the
 * same URL and text. An image of known size gets `width`/`height` on its `<img>`, and `{width}`/`{height}` are its
 * display size (`displaySize`: half the pixels of a 144 DPI image unless `hidpi: false`), empty when not known.
 *
 * @example
 * ```ts
 * const result = { url: 'https://cdn.example.com/a%20b.png', key: 'a b.png', size: 3, contentType: 'image/png', filename: 'a b.png' };
 * formatLink(result, 'markdown'); // '![a b.png](https://cdn.example.com/a%20b.png)'
 * formatLink(result, 'html', { alt: 'Chart "Q1"' }); // '<img src="https://cdn.example.com/a%20b.png" alt="Chart &#34;Q1&#34;">'
 * formatLink(result, 'custom', { template: '[[{url}|{name}]]' }); // '[[https://cdn.example.com/a%20b.png|a b.png]]'
 * formatLink({ ...result, width: 2880, height: 1800, pixelRatio: 2 }, 'html', { alt: 'shot' });
 * // '<img src="https://cdn.example.com/a%20b.png" alt="shot" width="1440" height="900">'
 * ```
 */
export function formatLink(result: LinkSource, format: LinkFormat, options?: LinkOptions): string {
  const isImage = result.contentType.toLowerCase().startsWith('image/');
  // The alt of an image and the text of a link: the caller's, else the sanitised filename.
  const alt = options?.alt ?? result.filename;
  const size = isImage ? displaySize(result, options) : undefined;
  switch (format) {
    case 'url':
      return result.url;
    case 'markdown':
      return isImage
        ? `![${markdownText(alt)}](${markdownUrl(result.url)})`
        : `[${markdownText(alt)}](${markdownUrl(result.url)})`;
    case 'html':
      return isImage
        ? `<img src="${html(encodeControls(result.url))}" alt="${html(alt)}"${size && options?.dimensions !== false ? ` width="${size.width}" height="${size.height}"` : ''}>`
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
        width: size ? String(size.width) : '',
        height: size ? String(size.height) : '',
      };
      return template.replace(LINK_VARIABLE, (match, known: string | undefined) => {
        if (known !== undefined) return values[known]!;
        throw new BytedropError(
          'ERR_TEMPLATE',
          `link template '${template}' has unknown variable ${match}: use {url} {name} {alt} {key} {size} {width} {height}`,
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
