import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBytedropError, MAX_NAME_BYTES, sanitizeFilename } from '../src/index';

const bytes = (text: string) => new TextEncoder().encode(text).byteLength;

describe('sanitizeFilename', () => {
  it.each([
    ['photo.png', { name: 'photo', ext: 'png', clipboard: false }],
    [
      'Screen Shot 2024-05-01 at 10.00.00.PNG',
      { name: 'Screen-Shot-2024-05-01-at-10.00.00', ext: 'png', clipboard: false },
    ],
    ['../../etc/passwd', { name: 'passwd', ext: '', clipboard: false }],
    ['C:\\Users\\me\\Desktop\\report.PDF', { name: 'report', ext: 'pdf', clipboard: false }],
    ['archive.tar.gz', { name: 'archive.tar', ext: 'gz', clipboard: false }],
    ['.env', { name: 'env', ext: '', clipboard: false }],
    ['v1.2 final', { name: 'v1.2-final', ext: '', clipboard: false }],
    ['résumé.txt'.normalize('NFD'), { name: 'résumé', ext: 'txt', clipboard: false }],
    ['日本語 ファイル.jpg', { name: '日本語-ファイル', ext: 'jpg', clipboard: false }],
    ['🙂.png', { name: 'file', ext: 'png', clipboard: false }],
    ['a..b.png', { name: 'a.b', ext: 'png', clipboard: false }],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeFilename(input)).toEqual(expected);
  });

  it.each(['image.png', 'image', 'blob', 'Pasted image 20240101123456.png', 'pasted-image.jpeg'])(
    'flags the clipboard name %j',
    (input) => {
      expect(sanitizeFilename(input).clipboard).toBe(true);
    },
  );

  it('strips right-to-left overrides and other invisible characters', () => {
    // The classic spoof: "invoice\u202Egnp.exe" displays as "invoiceexe.png".
    const result = sanitizeFilename('invoice\u202Egnp.exe');
    expect(result).toEqual({ name: 'invoicegnp', ext: 'exe', clipboard: false });
    expect(sanitizeFilename('a\u2066b\u200Fc\u061Cd\u0000e.txt').name).toBe('abcde');
  });

  it('caps long unicode names at MAX_NAME_BYTES without splitting characters', () => {
    const result = sanitizeFilename(`${'漢'.repeat(300)}.png`);
    expect(bytes(result.name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(result.name).toBe('漢'.repeat(Math.floor(MAX_NAME_BYTES / 3)));
    expect(result.ext).toBe('png');
  });

  it.each(['', '   ', '/', '../..', '.', '\u202E'])(
    'refuses %j with ERR_FILENAME saying what to pass',
    (input) => {
      let error: unknown;
      try {
        sanitizeFilename(input);
      } catch (e) {
        error = e;
      }
      expect(isBytedropError(error, 'ERR_FILENAME')).toBe(true);
      expect((error as Error).message).toContain("pass the file's name with an extension, e.g. 'photo.png'");
    },
  );

  it('refuses a non-string with ERR_FILENAME', () => {
    expect(() => sanitizeFilename(undefined as unknown as string)).toThrow(
      "filename must be a string, got undefined: pass the file's name, e.g. 'photo.png'",
    );
  });

  it('always yields a safe single segment (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (input) => {
        let result: ReturnType<typeof sanitizeFilename>;
        try {
          result = sanitizeFilename(input);
        } catch (error) {
          expect(isBytedropError(error, 'ERR_FILENAME')).toBe(true);
          return;
        }
        expect(result.name).not.toBe('');
        expect(result.name).not.toMatch(/[/\\]|\.\.|^\.|[\p{Cc}\p{Cf}\p{Cs}]/u);
        expect(result.name.normalize('NFC')).toBe(result.name);
        expect(bytes(result.name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
        expect(result.ext).toMatch(/^[\p{L}\p{N}]{0,16}$/u);
        expect(result.ext).toBe(result.ext.toLowerCase());
      }),
      { numRuns: 500 },
    );
  });
});
