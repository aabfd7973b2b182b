/**
 * `thumbnail` in `/api/files` and `/api/files/{key}` (issue 15): the first configured size's URL, as in the upload
 * answer, for an image when the server makes thumbnails, served from `/f/` once made; none for other files, private
 * files, an image too large to ever be thumbnailed, or with thumbnails off.
 */
import { createSharpEncoder } from '@bytedrop/core/node';
import { afterEach, describe, expect, it } from 'vitest';
import { pngBomb } from '../../core/test/_support/bomb';
import { createThumbnails, type Thumbnails } from '../src/thumbnails';
import { type ApiFixture, apiFixture, seed } from './_support/api';
import { body, KEY, ORIGIN, PNG, uploadRequest } from './_support/fixtures';

let api: ApiFixture | undefined;
afterEach(() => api?.dispose());

type Listed = { key: string; url: string | null; thumbnail?: string };
const filesOf = async (fixture: ApiFixture) => (await fixture.call('/api/files')).body.files as Listed[];

describe('thumbnail in the file API', () => {
  it('gives an image the first size’s URL, in the upload answer, the list and the record, served as WebP once made', async () => {
    const thumbnails: Thumbnails = createThumbnails({ encoder: createSharpEncoder(), sizes: [64, 16] });
    api = await apiFixture({ thumbnails });
    const stored = (await body(await api.handler(uploadRequest([{ name: 'dot.png', body: PNG }])))).files[0]!;
    await thumbnails.idle();
    const [listed] = await filesOf(api);
    expect(listed).toMatchObject({ key: stored.key, thumbnail: `${stored.url}.thumb-64.webp` });
    // The answer names the same thumbnail as the list, whatever order the sizes were configured in.
    expect(stored.thumbnail).toBe(listed!.thumbnail);
    const one = await api.call(`/api/files/${stored.key.split('/').map(encodeURIComponent).join('/')}`);
    expect((one.body.file as Listed).thumbnail).toBe(listed!.thumbnail);
    const served = await api.handler(new Request(listed!.thumbnail!));
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/webp');
  });

  it('the upload answer of a private image carries no thumbnail URL (no public link reaches the private prefix)', async () => {
    const thumbnails: Thumbnails = createThumbnails({ encoder: createSharpEncoder(), sizes: [16] });
    api = await apiFixture({ thumbnails });
    const answer = await api.handler(
      uploadRequest([{ name: 'me.png', body: PNG }], {
        authorization: `Bearer ${KEY}`,
        'bytedrop-private': 'true',
      }),
    );
    const [file] = (await body(answer)).files;
    await thumbnails.idle();
    expect(file!.key).toMatch(/^private\//);
    expect(file!.thumbnail).toBeUndefined();
  });

  it('gives none to a decompression bomb, in the list as in its upload answer: none will ever be made', async () => {
    const thumbnails = createThumbnails({ encoder: createSharpEncoder(), sizes: [16] });
    api = await apiFixture({ thumbnails });
    const stored = (await body(await api.handler(uploadRequest([{ name: 'bomb.png', body: pngBomb() }]))))
      .files[0]!;
    await thumbnails.idle();
    expect(stored).toMatchObject({ width: 50_000, height: 50_000 });
    expect(stored).not.toHaveProperty('thumbnail');
    const [listed] = await filesOf(api);
    expect(listed).toMatchObject({ key: stored.key, url: stored.url });
    expect(listed).not.toHaveProperty('thumbnail');
  });

  it('gives none to a file that is not an image, nor to a private image', async () => {
    const thumbnails = createThumbnails({ encoder: createSharpEncoder(), sizes: [16] });
    api = await apiFixture({ thumbnails });
    await api.catalog.recordMany([
      seed('alice/notes/doc.pdf', { contentType: 'application/pdf' }),
      seed('private/alice/me.png'),
    ]);
    const files = await filesOf(api);
    expect(files.map((file) => file.key).sort()).toEqual(['alice/notes/doc.pdf', 'private/alice/me.png']);
    for (const file of files) expect(file).not.toHaveProperty('thumbnail');
  });

  it('gives none while thumbnails are off', async () => {
    api = await apiFixture();
    await api.catalog.record(seed('alice/cat.png'));
    const [listed] = await filesOf(api);
    expect(listed).toMatchObject({ key: 'alice/cat.png', url: `${ORIGIN}/f/alice/cat.png` });
    expect(listed).not.toHaveProperty('thumbnail');
    const one = await api.call('/api/files/alice/cat.png', KEY);
    expect(one.body.file).not.toHaveProperty('thumbnail');
  });
});
