import { type Node, Parser } from 'commonmark';
import fc from 'fast-check';
import { parseFragment } from 'parse5';
import { describe, expect, it } from 'vitest';
import { formatLink, isBytedropError, type LinkSource, publicUrl } from '../src/index';

const image = (overrides: Partial<LinkSource> = {}): LinkSource => ({
  url: 'https://cdn.example.com/2024/shot-1a2b3c4d.png',
  key: '2024/shot-1a2b3c4d.png',
  size: 1234,
  contentType: 'image/png',
  filename: 'shot.png',
  ...overrides,
});
const file = (overrides: Partial<LinkSource> = {}) =>
  image({
    contentType: 'application/pdf',
    filename: 'report.pdf',
    url: 'https://cdn.example.com/report.pdf',
    ...overrides,
  });

/** Parses Markdown with the reference CommonMark parser; the output must be one paragraph holding one link/image. */
function parseMarkdown(markdown: string): { type: string; destination: string; text: string } {
  const document = new Parser().parse(markdown);
  const paragraph = document.firstChild;
  expect(paragraph?.type).toBe('paragraph');
  expect(paragraph?.next).toBeNull();
  const link = paragraph!.firstChild as Node;
  expect(['link', 'image']).toContain(link.type);
  expect(link.next).toBeNull();
  let text = '';
  for (let child = link.firstChild; child; child = child.next) {
    // Only plain text may come back: any emphasis, code or HTML node means escaping failed.
    expect(child.type).toBe('text');
    text += child.literal ?? '';
  }
  return { type: link.type, destination: link.destination ?? '', text };
}

/** Parses HTML with parse5 (a spec-compliant HTML parser); the output must be exactly one element. */
function parseHtml(html: string): { tag: string; attrs: Record<string, string>; text: string } {
  const fragment = parseFragment(html);
  expect(fragment.childNodes).toHaveLength(1);
  const element = fragment.childNodes[0]!;
  if (!('tagName' in element)) throw new Error(`not an element: ${html}`);
  const text = element.childNodes.map((node) => ('value' in node ? node.value : '')).join('');
  return {
    tag: element.tagName,
    attrs: Object.fromEntries(element.attrs.map((a) => [a.name, a.value])),
    text,
  };
}

/** What formatLink promises to keep of a text: everything but line breaks (→ space) and invisible controls. */
const visible = (text: string) => text.replace(/[\r\n\t\f\v]+/g, ' ').replace(/\p{Cc}/gu, '');

/** Keys a URL can address: any Unicode, but no '.' or '..' segment (publicUrl refuses those, tested below). */
const addressableKey = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
  .filter((key) => !key.split('/').some((segment) => segment === '.' || segment === '..'));

describe('publicUrl', () => {
  it('joins base and key with one slash, with or without a trailing slash', () => {
    expect(publicUrl('https://cdn.example.com', 'a/b.png')).toBe('https://cdn.example.com/a/b.png');
    expect(publicUrl('https://cdn.example.com/', 'a/b.png')).toBe('https://cdn.example.com/a/b.png');
    expect(publicUrl('https://cdn.example.com/files//', '/a/b.png')).toBe(
      'https://cdn.example.com/files/a/b.png',
    );
  });

  it('percent-encodes each segment, keeping / separators', () => {
    expect(publicUrl('https://x.test', '2024/Café (1)/a b#?&+.png')).toBe(
      'https://x.test/2024/Caf%C3%A9%20%281%29/a%20b%23%3F%26%2B.png',
    );
    expect(publicUrl('https://x.test', "it's!*")).toBe('https://x.test/it%27s%21%2A');
  });

  it('round-trips any key through URL parsing (property)', () => {
    fc.assert(
      fc.property(addressableKey, (key) => {
        const url = new URL(publicUrl('https://cdn.example.com/base/', key));
        const path = url.pathname.slice('/base/'.length);
        expect(path.split('/').map(decodeURIComponent).join('/')).toBe(key.replace(/^\/+/, ''));
        expect(url.search).toBe('');
        expect(url.hash).toBe('');
      }),
      { numRuns: 300 },
    );
  });

  it('refuses dot segments, which URL parsers would resolve away', () => {
    expect(() => publicUrl('https://x.test', 'a/../b.png')).toThrow(
      "key 'a/../b.png' has a '.' or '..' segment, which no URL can address",
    );
    expect(() => publicUrl('https://x.test', './b.png')).toThrow(/'\.' or '\.\.' segment/);
    expect(publicUrl('https://x.test', 'a/..b/.c')).toBe('https://x.test/a/..b/.c');
  });

  it('refuses a key that is not valid Unicode with ERR_INPUT', () => {
    expect(() => publicUrl('https://x.test', 'a\uD800')).toThrow(/not valid Unicode \(lone surrogate\)/);
  });
});

describe('formatLink', () => {
  it('url: the URL as is', () => {
    expect(formatLink(image(), 'url')).toBe('https://cdn.example.com/2024/shot-1a2b3c4d.png');
  });

  it('markdown: images embed, other files link by name', () => {
    expect(formatLink(image(), 'markdown')).toBe(
      '![shot.png](https://cdn.example.com/2024/shot-1a2b3c4d.png)',
    );
    expect(formatLink(image(), 'markdown', { alt: 'A chart' })).toBe(
      '![A chart](https://cdn.example.com/2024/shot-1a2b3c4d.png)',
    );
    expect(formatLink(file(), 'markdown')).toBe('[report.pdf](https://cdn.example.com/report.pdf)');
  });

  it('markdown: escapes text and wraps URLs with spaces or unbalanced parentheses', () => {
    expect(formatLink(file({ filename: 'a [draft] *v2*.pdf' }), 'markdown')).toBe(
      '[a \\[draft\\] \\*v2\\*.pdf](https://cdn.example.com/report.pdf)',
    );
    expect(formatLink(image({ url: 'http://x.test/a b.png' }), 'markdown')).toBe(
      '![shot.png](<http://x.test/a b.png>)',
    );
    expect(formatLink(image({ url: 'http://x.test/a(1).png' }), 'markdown')).toBe(
      '![shot.png](http://x.test/a(1).png)',
    );
    expect(formatLink(image({ url: 'http://x.test/a).png' }), 'markdown')).toBe(
      '![shot.png](<http://x.test/a).png>)',
    );
    expect(formatLink(image({ url: 'http://x.test/<a>.png' }), 'markdown')).toBe(
      '![shot.png](<http://x.test/\\<a\\>.png>)',
    );
  });

  it('markdown: a hostile filename cannot break out of the link', () => {
    const markdown = formatLink(
      file({ filename: 'x](javascript:alert(1)) <img src=x onerror=alert(1)>' }),
      'markdown',
    );
    const parsed = parseMarkdown(markdown);
    expect(parsed.destination).toBe('https://cdn.example.com/report.pdf');
    expect(parsed.text).toBe('x](javascript:alert(1)) <img src=x onerror=alert(1)>');
  });

  it('html: attribute-escapes & " < > \'', () => {
    expect(formatLink(image({ url: 'https://x.test/a?b=1&c="2"' }), 'html', { alt: `<it's> & "q"` })).toBe(
      '<img src="https://x.test/a?b=1&#38;c=&#34;2&#34;" alt="&#60;it&#39;s&#62; &#38; &#34;q&#34;">',
    );
    expect(formatLink(file({ filename: 'a<b>.pdf' }), 'html')).toBe(
      '<a href="https://cdn.example.com/report.pdf">a&#60;b&#62;.pdf</a>',
    );
  });

  it('custom: fills {url} {name} {alt} {key} {size}', () => {
    expect(formatLink(image(), 'custom', { template: '{name} ({size} B) → {url} [{key}] {alt}' })).toBe(
      'shot.png (1234 B) → https://cdn.example.com/2024/shot-1a2b3c4d.png [2024/shot-1a2b3c4d.png] shot.png',
    );
  });

  it('dimensions: html width/height and {width}/{height}, halved for a 144 DPI image unless hidpi: false', () => {
    const shot = image({ width: 2880, height: 1800, pixelRatio: 2 });
    expect(formatLink(shot, 'html')).toBe(
      '<img src="https://cdn.example.com/2024/shot-1a2b3c4d.png" alt="shot.png" width="1440" height="900">',
    );
    expect(formatLink(shot, 'html', { hidpi: false })).toContain(' width="2880" height="1800">');
    expect(formatLink(shot, 'html', { dimensions: false })).not.toContain('width=');
    expect(
      formatLink(shot, 'custom', { template: '<img src="{url}" width="{width}" height="{height}">' }),
    ).toBe('<img src="https://cdn.example.com/2024/shot-1a2b3c4d.png" width="1440" height="900">');
    const photo = image({ width: 3024, height: 4032 });
    expect(formatLink(photo, 'custom', { template: '{width}x{height}' })).toBe('3024x4032');
    // Unknown size: no attributes, empty variables; Markdown has no place for a size.
    expect(formatLink(image(), 'html')).not.toContain('width=');
    expect(formatLink(image(), 'custom', { template: '[{width}|{height}]' })).toBe('[|]');
    expect(formatLink(shot, 'markdown')).toBe('![shot.png](https://cdn.example.com/2024/shot-1a2b3c4d.png)');
  });

  it('custom: needs a template and known variables', () => {
    expect(() => formatLink(image(), 'custom')).toThrow(
      "link format 'custom' needs a template: pass options.template",
    );
    let error: unknown;
    try {
      formatLink(image(), 'custom', { template: '{url} {hash}' });
    } catch (e) {
      error = e;
    }
    expect(isBytedropError(error, 'ERR_TEMPLATE')).toBe(true);
    expect((error as Error).message).toBe(
      "link template '{url} {hash}' has unknown variable {hash}: use {url} {name} {alt} {key} {size} {width} {height}",
    );
  });

  it('refuses an unknown format with ERR_INPUT', () => {
    expect(() => formatLink(image(), 'bbcode' as 'url')).toThrow(
      "link format 'bbcode' is unknown: use 'url', 'markdown', 'html' or 'custom'",
    );
  });
});

// Text and URLs built from the characters that break naive Markdown and HTML.
const tricky = fc.constantFrom(
  ...'ab Z09é漢🙂 ()[]<>\\`*_~|$=!#&;:/?"\'\n\t\u0000\u0001\u007f\u202e'.split(/(?:)/u),
  '&amp;',
  '&#65;',
  '&#x41;',
  '](',
  '![',
  '<b>',
  '`code`',
  '**',
);
const trickyText = fc.array(tricky, { maxLength: 30 }).map((parts) => parts.join(''));
const trickyUrl = fc.array(tricky, { maxLength: 30 }).map((parts) => `https://x.test/${parts.join('')}`);

describe('formatLink output parses back (properties)', () => {
  it('markdown of a publicUrl gives back exactly that URL and the alt text', () => {
    fc.assert(
      fc.property(addressableKey, trickyText, fc.boolean(), (key, alt, isImage) => {
        const url = publicUrl('https://cdn.example.com', key);
        const markdown = formatLink(
          image({ url, contentType: isImage ? 'image/png' : 'text/plain' }),
          'markdown',
          {
            alt,
          },
        );
        const parsed = parseMarkdown(markdown);
        expect(parsed.type).toBe(isImage ? 'image' : 'link');
        expect(parsed.destination).toBe(url);
        expect(parsed.text).toBe(visible(alt));
      }),
      { numRuns: 400 },
    );
  });

  it('markdown of any URL gives back the same URL after CommonMark normalisation', () => {
    fc.assert(
      fc.property(trickyUrl, trickyText, (url, filename) => {
        const parsed = parseMarkdown(formatLink(file({ url, filename }), 'markdown'));
        // CommonMark percent-encodes spaces and non-ASCII in destinations; decoding gives the original back.
        expect(decodeURIComponent(parsed.destination)).toBe(url);
        expect(parsed.text).toBe(visible(filename));
      }),
      { numRuns: 400 },
    );
  });

  it('html gives back the same URL and text through a real HTML parser', () => {
    fc.assert(
      fc.property(trickyUrl, trickyText, fc.boolean(), (url, alt, isImage) => {
        const html = formatLink(image({ url, contentType: isImage ? 'image/gif' : 'video/mp4' }), 'html', {
          alt,
        });
        const parsed = parseHtml(html);
        if (isImage) {
          expect(parsed.tag).toBe('img');
          expect(Object.keys(parsed.attrs)).toEqual(['src', 'alt']);
          expect(decodeURIComponent(parsed.attrs.src!)).toBe(url);
          expect(parsed.attrs.alt).toBe(visible(alt));
        } else {
          expect(parsed.tag).toBe('a');
          expect(Object.keys(parsed.attrs)).toEqual(['href']);
          expect(decodeURIComponent(parsed.attrs.href!)).toBe(url);
          expect(parsed.text).toBe(visible(alt));
        }
      }),
      { numRuns: 400 },
    );
  });
});
