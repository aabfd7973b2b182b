import { describe, expect, it } from 'vitest';
import { SNIFF_BYTES, sniffContentType, typeMatches } from '../src/index';

const ascii = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: (number[] | Uint8Array)[]) => new Uint8Array(parts.flatMap((part) => [...part]));

// Real file heads: signatures per each format's spec, enough for magic-byte detection.
const PNG = concat(
  [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  [0, 0, 0, 0x0d],
  ascii('IHDR'),
  new Uint8Array(17),
);
const JPEG = concat([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], ascii('JFIF'), [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
const GIF = concat(ascii('GIF89a'), [1, 0, 1, 0, 0, 0, 0]);
const WEBP = concat(ascii('RIFF'), [0x24, 0, 0, 0], ascii('WEBPVP8 '), new Uint8Array(24));
const PDF = ascii('%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n<<>>\nendobj\n');

describe('sniffContentType', () => {
  it('exports the detection window', () => {
    expect(SNIFF_BYTES).toBe(4100);
  });

  it.each([
    ['PNG', PNG, 'image/png', 'png'],
    ['JPEG', JPEG, 'image/jpeg', 'jpg'],
    ['GIF', GIF, 'image/gif', 'gif'],
    ['WebP', WEBP, 'image/webp', 'webp'],
    ['PDF', PDF, 'application/pdf', 'pdf'],
  ])('detects %s from magic bytes even for a nameless blob', async (_label, head, contentType, ext) => {
    expect(await sniffContentType(head, 'blob')).toEqual({ contentType, ext });
  });

  it('trusts the bytes over a lying name and a lying declared type', async () => {
    expect(await sniffContentType(JPEG, 'image.png', 'image/png')).toEqual({
      contentType: 'image/jpeg',
      ext: 'jpg',
    });
  });

  it('falls back to the extension when the bytes say nothing (text formats)', async () => {
    expect(await sniffContentType(ascii('# Title\n'), 'notes.MD')).toEqual({
      contentType: 'text/markdown',
      ext: 'md',
    });
    expect(await sniffContentType(ascii('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'logo.svg')).toEqual({
      contentType: 'image/svg+xml',
      ext: 'svg',
    });
    expect(await sniffContentType(ascii('a,b\n'), 'dir/../data.csv')).toEqual({
      contentType: 'text/csv',
      ext: 'csv',
    });
  });

  it('then to the declared type (parameters and case dropped)', async () => {
    expect(await sniffContentType(ascii('{}'), 'blob', 'Application/JSON; charset=utf-8')).toEqual({
      contentType: 'application/json',
      ext: 'json',
    });
  });

  it('then to application/octet-stream', async () => {
    expect(await sniffContentType(new Uint8Array([1, 2, 3]), 'blob')).toEqual({
      contentType: 'application/octet-stream',
      ext: '',
    });
    expect(await sniffContentType(new Uint8Array(0), 'data.unknownext', 'not a type')).toEqual({
      contentType: 'application/octet-stream',
      ext: 'unknownext',
    });
  });
});

describe('typeMatches', () => {
  it.each([
    ['image/png', ['image/*'], true],
    // A wildcard never admits a type that can run script: SVG must be named.
    ['image/svg+xml', ['image/*', 'application/pdf'], false],
    ['image/svg+xml', ['image/*', 'image/svg+xml'], true],
    ['text/html', ['text/*'], false],
    ['text/markdown', ['text/*'], true],
    ['application/pdf', ['image/*', 'application/pdf'], true],
    ['Application/PDF; charset=binary', [' application/pdf '], true],
    ['image/png', ['IMAGE/*'], true],
    ['text/html', ['*'], true],
    ['text/html', ['*/*'], true],
    ['text/html', ['image/*', 'application/pdf'], false],
    ['application/pdf', ['application/pdfx'], false],
    // `image/*` is a whole top-level type, not a prefix of any string.
    ['imagex/png', ['image/*'], false],
    ['image/png', [], false],
  ] as const)('%s against %j: %s', (type, patterns, expected) => {
    expect(typeMatches(type, patterns)).toBe(expected);
  });
});
