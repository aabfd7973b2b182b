/**
 * A multi-file POST is answered whole, on radosgw: when one file is refused, the files the request had already
 * stored are removed before the answer goes out, so the client never holds an error for files that are stored
 * anyway. Only objects the request itself created go: an object it found already stored (a dedupe hit) stays.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useRgw } from '../../core/test/_support/rgw';
import { bytes as random } from '../../core/test/_support/s3';
import { KEY, KEY2, ORIGIN } from './_support/fixtures';
import { objectsIn, rgwHandler, uploadsIn } from './_support/rgw-server';

const rgw = useRgw('server-whole');

const PNG_HEAD = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const png = () => new Uint8Array([...PNG_HEAD, ...random(200)]);
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('base64');

type Part = { name: string; bytes: Uint8Array<ArrayBuffer>; md5?: string };

function form(parts: Part[]): FormData {
  const data = new FormData();
  for (const part of parts) {
    if (part.md5) data.append('Content-MD5', part.md5);
    data.append('file', new Blob([part.bytes]), part.name);
  }
  return data;
}

const post = (parts: Part[], key = KEY) =>
  new Request(`${ORIGIN}/upload`, { method: 'POST', body: form(parts), headers: { authorization: key } });

/**
 * A POST of `parts` whose last part is sent only after `before` settled (the files before it are stored by then),
 * whole, or broken off in its middle (`breakOff`: the client went away).
 */
async function staged(parts: Part[], before: () => Promise<unknown>, breakOff = false): Promise<Request> {
  const encoded = new Response(form(parts));
  const type = encoded.headers.get('content-type')!;
  const whole = Buffer.from(await encoded.arrayBuffer());
  const delimiter = `--${type.split('boundary=')[1]}\r\n`;
  // Just past the last part's delimiter, so the parser knows the part before it ended.
  const last = whole.lastIndexOf(delimiter) + delimiter.length;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(whole.subarray(0, last)));
    },
    async pull(controller) {
      await before();
      if (breakOff) {
        controller.enqueue(new Uint8Array(whole.subarray(last, last + 300)));
        controller.error(new Error('socket hang up'));
        return;
      }
      controller.enqueue(new Uint8Array(whole.subarray(last)));
      controller.close();
    },
  });
  return new Request(`${ORIGIN}/upload`, {
    method: 'POST',
    body,
    headers: { authorization: KEY, 'content-type': type },
    duplex: 'half',
  } as RequestInit);
}

describe('a multi-file POST that fails part-way', () => {
  const two = () => [
    { name: 'a.png', bytes: png() },
    { name: 'b.png', bytes: png() },
  ];
  /** What each case sends third, what it sets up first, and the answer it must get. */
  const refusals: [string, Part | undefined, (prefix: string) => void, number, string][] = [
    ['a type not allowed', { name: 'c.bin', bytes: random(50) }, () => {}, 415, 'ERR_UNSUPPORTED_TYPE'],
    ['one file too many', { name: 'c.png', bytes: png() }, () => {}, 400, 'ERR_INPUT'],
    [
      'one file too large',
      { name: 'c.png', bytes: new Uint8Array([...PNG_HEAD, ...random(5000)]) },
      () => {},
      413,
      'ERR_TOO_LARGE',
    ],
    [
      'a wrong Content-MD5',
      { name: 'c.png', bytes: png(), md5: md5(random(1)) },
      () => {},
      400,
      'ERR_CHECKSUM',
    ],
    [
      'a storage failure',
      { name: 'c.png', bytes: png() },
      (prefix) =>
        rgw.proxy.failWith(
          { operation: 'PutObject', key: new RegExp(`^${prefix}/c-`) },
          { status: 403, code: 'AccessDenied' },
        ),
      502,
      'ERR_FORBIDDEN',
    ],
    // Undefined: the body breaks off in the middle of the third file.
    ['the client going away', undefined, () => {}, 400, 'ERR_ABORTED'],
  ];

  it.each(refusals)(
    'stores none of the files when the third is refused: %s',
    async (name, third, setUp, status, code) => {
      const prefix = `refused-${name.replace(/\W+/g, '-')}`;
      const handler = rgwHandler(
        rgw,
        { maxFiles: name === 'one file too many' ? 2 : 3, maxFileSize: 4096, allowedTypes: ['image/*'] },
        { keyTemplate: `${prefix}/{name}-{hash:16}.{ext}` },
      );
      setUp(prefix);
      // The third part is sent once the first two files are stored, as from a client streaming a large request.
      const secondStored = () => rgw.proxy.answered('PutObject', { key: new RegExp(`^${prefix}/b-`) });
      const request = await staged(
        [...two(), third ?? { name: 'c.png', bytes: png() }],
        secondStored,
        !third,
      );
      const response = await handler(request);
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ success: false, code });
      const deleted = rgw.requests.filter((r) => r.operation === 'DeleteObject').map((r) => r.key);
      expect(deleted.sort()).toEqual([
        expect.stringMatching(`^${prefix}/a-`),
        expect.stringMatching(`^${prefix}/b-`),
      ]);
      expect(await objectsIn(rgw, `${prefix}/`)).toEqual([]);
      expect(await uploadsIn(rgw)).toEqual([]);
      // The server keeps serving.
      expect((await handler(post([{ name: 'ok.png', bytes: png() }]))).status).toBe(200);
    },
  );

  it('keeps an object the request found already stored (a dedupe hit), removing only what it created', async () => {
    const handler = rgwHandler(
      rgw,
      { allowedTypes: ['image/*'] },
      { keyTemplate: 'dedupe/{name}-{hash:16}.{ext}' },
    );
    const shared = png();
    const bobs = await handler(post([{ name: 'shared.png', bytes: shared }], KEY2));
    const [existing] = await objectsIn(rgw, 'dedupe/');
    expect(bobs.status).toBe(200);
    const own = png();
    const response = await handler(
      post([
        { name: 'shared.png', bytes: shared },
        { name: 'own.png', bytes: own },
        // The same bytes twice in one request: the second is a dedupe hit on the request's own new object.
        { name: 'own.png', bytes: own },
        { name: 'bad.bin', bytes: random(20) },
      ]),
    );
    expect(response.status).toBe(415);
    expect(await objectsIn(rgw, 'dedupe/')).toEqual([existing]);
    expect(rgw.requests.filter((r) => r.operation === 'DeleteObject')).toHaveLength(1);
  });
});
