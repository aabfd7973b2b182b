/**
 * The handler over `new Request()`: PUT /upload/:filename, and the body the Node runner passes. Core's real uploader
 * writes to a temp local-disk store.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { body, KEY, type LocalFixture, localFixture, ORIGIN, PNG, uploadRequest } from './_support/fixtures';

let fx: LocalFixture;
beforeEach(async () => {
  fx = await localFixture({ maxFileSize: 64 * 1024 });
});
afterEach(() => fx.dispose());

describe('PUT /upload/:filename', () => {
  const put = (name: string, data: BodyInit, headers: Record<string, string> = { authorization: KEY }) =>
    fx.handler(new Request(`${ORIGIN}/upload/${name}`, { method: 'PUT', body: data, headers }));

  it('stores the raw body under the given name', async () => {
    const response = await put('shot.png', PNG);
    expect(response.status).toBe(200);
    const json = await body(response);
    expect(json.files[0]).toMatchObject({
      contentType: 'image/png',
      filename: 'shot.png',
      size: PNG.byteLength,
    });
  });

  it('needs a key', async () => {
    expect((await put('shot.png', PNG, {})).status).toBe(401);
  });

  it('answers 413 over the limit, streamed or declared, leaving nothing', async () => {
    const big = new Uint8Array(64 * 1024 + 10);
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(big.subarray(0, 40_000));
        controller.enqueue(big.subarray(40_000));
        controller.close();
      },
    });
    const response = await fx.handler(
      new Request(`${ORIGIN}/upload/big.bin`, {
        method: 'PUT',
        body: streamed,
        duplex: 'half',
        headers: { authorization: KEY },
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(await fx.allFiles()).toEqual([]);
    const declared = await put('big.bin', 'x', {
      authorization: KEY,
      'content-length': String(big.byteLength),
    });
    expect(declared.status).toBe(413);
  });

  it('sanitises ../ and NUL in the name', async () => {
    const traversal = await body(await put('..%2F..%2Fetc%2Fpasswd', 'root:x'));
    expect(traversal.files[0]!.key).toMatch(/^alice\/\d{4}\/\d{2}\/\d{2}\/passwd-[0-9a-f]{16}/);
    const nul = await body(await put('a%00b.txt', 'nul'));
    expect(nul.files[0]!.key).not.toContain('\0');
    expect(await fx.objects()).toHaveLength(2);
    expect((await put('%E0%A4%A', 'x')).status).toBe(400);
  });
});

describe("the runtime's own body (RequestContext.body, what the Node runner passes)", () => {
  /** `bytes` in `size`-byte chunks, counting what was pulled and whether the handler let go early. */
  function nativeBody(bytes: Uint8Array, size: number) {
    const seen = { chunks: 0, bytes: 0, returned: false };
    async function* chunks() {
      try {
        for (let at = 0; at < bytes.byteLength; at += size) {
          seen.chunks++;
          seen.bytes += Math.min(size, bytes.byteLength - at);
          yield bytes.subarray(at, at + size);
        }
      } finally {
        seen.returned = seen.bytes < bytes.byteLength;
      }
    }
    return { body: { [Symbol.asyncIterator]: chunks }, seen };
  }
  /** The request's headers with no body of its own: whatever is stored can only have come from the context. */
  const headersOnly = (request: Request) =>
    new Request(request.url, { method: request.method, headers: request.headers });

  it('stores a multipart upload read from the context, not from request.body', async () => {
    const request = uploadRequest([{ name: 'shot.png', body: PNG }]);
    const bytes = new Uint8Array(await request.arrayBuffer());
    const native = nativeBody(bytes, 7);
    const response = await fx.handler(headersOnly(request), { body: native.body });
    expect(response.status).toBe(200);
    const file = (await body(response)).files[0]!;
    expect(new Uint8Array(await readFile(join(fx.dir, file.key)))).toEqual(PNG);
    expect(native.seen.bytes).toBe(bytes.byteLength);
  });

  it('stops reading at the limit (413) and lets go of the body without draining it', async () => {
    const request = uploadRequest([{ name: 'big.bin', body: new Uint8Array(1024 * 1024) }]);
    const bytes = new Uint8Array(await request.arrayBuffer());
    const native = nativeBody(bytes, 16 * 1024);
    const response = await fx.handler(headersOnly(request), { body: native.body });
    expect(response.status).toBe(413);
    expect(native.seen.returned).toBe(true);
    expect(native.seen.bytes).toBeLessThan(bytes.byteLength / 2);
    expect(await fx.allFiles()).toEqual([]);
  });

  it('takes a raw PUT body from the context too', async () => {
    const native = nativeBody(PNG, 5);
    const response = await fx.handler(
      new Request(`${ORIGIN}/upload/shot.png`, { method: 'PUT', headers: { authorization: KEY } }),
      { body: native.body },
    );
    expect(response.status).toBe(200);
    const file = (await body(response)).files[0]!;
    expect(new Uint8Array(await readFile(join(fx.dir, file.key)))).toEqual(PNG);
  });
});
