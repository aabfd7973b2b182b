import { describe, expect, it } from 'vitest';
import { attachmentDisposition, isActiveType, isInertType, servedHeaders } from '../src/served';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('servedHeaders', () => {
  it.each([
    ['text/html', '<script>alert(1)</script>', 'page.html'],
    ['image/svg+xml', '<svg onload="alert(1)"/>', 'logo.svg'],
    ['application/pdf', '%PDF-1.7', 'doc.pdf'],
    ['application/xhtml+xml', '<html/>', 'x.xhtml'],
  ])('%s is a download under its own type, never inline', (type, body, name) => {
    const headers = servedHeaders(type, utf8(body), name);
    expect(headers.contentDisposition).toBe(attachmentDisposition(name));
    expect(headers.contentType.startsWith(type)).toBe(true);
  });

  it('inert types show inline; UTF-8 text gets charset=utf-8, other bytes do not', () => {
    expect(servedHeaders('image/png', new Uint8Array([0x89, 0x50]), 'a.png')).toEqual({
      contentType: 'image/png',
    });
    expect(servedHeaders('text/plain', utf8('héllo ✓'), 'a.txt')).toEqual({
      contentType: 'text/plain; charset=utf-8',
    });
    expect(servedHeaders('text/plain', new Uint8Array([0xe9, 0x20, 0xff]), 'latin1.txt')).toEqual({
      contentType: 'text/plain',
    });
    // A head cut inside a multi-byte character is still UTF-8.
    expect(servedHeaders('text/plain', utf8('✓').subarray(0, 2), 'a.txt').contentType).toBe(
      'text/plain; charset=utf-8',
    );
  });

  it('names a download with an ASCII fallback and the exact UTF-8 name', () => {
    expect(attachmentDisposition('résumé "1".html')).toBe(
      `attachment; filename="r_sum_ _1_.html"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%221%22.html`,
    );
  });

  it('tells inert from active types', () => {
    expect([isInertType('image/png'), isInertType('IMAGE/PNG; x=1'), isInertType('image/svg+xml')]).toEqual([
      true,
      true,
      false,
    ]);
    expect([isActiveType('image/svg+xml'), isActiveType('text/html'), isActiveType('text/markdown')]).toEqual(
      [true, true, false],
    );
  });
});
