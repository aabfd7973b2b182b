/**
 * The docs page escapes what it did not write: the origin it names comes from the request (a forwarded host behind a
 * proxy), so markup in it must come out as text, never as an element or attribute.
 */
import { expect, it } from 'vitest';
import { apiDocsResponse } from '../src/_api-docs';

it('writes a hostile origin as text: no element, no attribute breaks out of it', async () => {
  const hostile = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;
  const html = await apiDocsResponse(new Request('http://drop.test/api/docs'), hostile).text();
  expect(html).not.toContain('<script');
  expect(html).not.toContain('<img');
  expect(html).toContain('&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;');
});
