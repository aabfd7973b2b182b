/**
 * The server strips images' location and camera metadata by default; a request keeps it with a `keep-metadata`
 * header (POST and PUT) or form field (POST, before the file parts it is for). The response says what went and the
 * image's size; its links show a 144 DPI screenshot at half its pixels unless `hidpi: false` (`BYTEDROP_HIDPI`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exifTags, makeImage, PRIVATE_TAGS, saved, scratch } from '../../core/test/_support/images';
import { body, KEY, type LocalFixture, localFixture, ORIGIN, uploadRequest } from './_support/fixtures';

let fixture: LocalFixture;
let dir: string;
let photo: Uint8Array<ArrayBuffer>;

beforeAll(async () => {
  fixture = await localFixture();
  dir = await scratch();
  const made = await makeImage(
    dir,
    'photo.jpg',
    ['-size', '60x40', 'xc:coral'],
    [...PRIVATE_TAGS, '-Orientation#=6'],
  );
  photo = new Uint8Array(made.bytes);
});
afterAll(() => fixture.dispose());

async function storedBytes(url: string): Promise<Uint8Array> {
  const response = await fixture.handler(new Request(url));
  expect(response.status).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

async function gpsOf(bytes: Uint8Array, name: string): Promise<unknown> {
  return (await exifTags(await saved(dir, name, bytes)))['GPS:GPSLatitude'];
}

const auth = { authorization: `Bearer ${KEY}` };

describe('image metadata on the server', () => {
  it('strips by default and answers what went, the size, and an <img> with width and height', async () => {
    const response = await fixture.handler(uploadRequest([{ name: 'photo.jpg', body: photo }]));
    expect(response.status).toBe(200);
    const [file] = (await body(response)).files;
    expect(file).toMatchObject({ stripped: ['gps', 'exif', 'xmp', 'iptc'], width: 40, height: 60 });
    expect(file?.html).toContain(' width="40" height="60">');
    expect(await gpsOf(await storedBytes(file!.url), 'default.jpg')).toBeUndefined();
  });

  it('keeps the metadata for a keep-metadata header, on POST and PUT', async () => {
    const post = await fixture.handler(
      uploadRequest([{ name: 'keep.jpg', body: photo }], { ...auth, 'keep-metadata': 'true' }),
    );
    const [posted] = (await body(post)).files;
    expect(posted).toMatchObject({ stripped: [], metadataKept: 'setting' });
    expect(await storedBytes(posted!.url)).toEqual(photo);
    const put = await fixture.handler(
      new Request(`${ORIGIN}/upload/keep-put.jpg`, {
        method: 'PUT',
        body: photo,
        headers: { ...auth, 'keep-metadata': '1' },
      }),
    );
    const [putFile] = (await body(put)).files;
    expect(await gpsOf(await storedBytes(putFile!.url), 'put.jpg')).toBeCloseTo(48.8584);
  });

  it('a keep-metadata form field holds for the file parts after it', async () => {
    const form = new FormData();
    form.append('file', new Blob([photo]), 'before.jpg');
    form.append('keep-metadata', 'yes');
    form.append('file', new Blob([photo]), 'after.jpg');
    const response = await fixture.handler(
      new Request(`${ORIGIN}/upload`, { method: 'POST', body: form, headers: auth }),
    );
    const [before, after] = (await body(response)).files;
    expect(before?.stripped).toContain('gps');
    expect(after).toMatchObject({ stripped: [], metadataKept: 'setting' });
  });

  it('refuses a keep-metadata that is not a boolean with 400 ERR_INPUT naming the fix, and keeps serving', async () => {
    const response = await fixture.handler(
      uploadRequest([{ name: 'x.jpg', body: photo }], { ...auth, 'keep-metadata': 'please' }),
    );
    expect(response.status).toBe(400);
    expect(await body(response)).toMatchObject({
      code: 'ERR_INPUT',
      msg: expect.stringContaining(
        "keep-metadata header 'please' is not a boolean: send 'keep-metadata: true'",
      ),
    });
    const form = new FormData();
    form.append('keep-metadata', 'maybe');
    form.append('file', new Blob([photo]), 'y.jpg');
    const fieldResponse = await fixture.handler(
      new Request(`${ORIGIN}/upload`, { method: 'POST', body: form, headers: auth }),
    );
    expect(fieldResponse.status).toBe(400);
    expect((await body(fieldResponse)).msg).toContain("keep-metadata form field 'maybe' is not a boolean");
    const again = await fixture.handler(uploadRequest([{ name: 'ok.jpg', body: photo }]));
    expect(again.status).toBe(200);
  });

  it('links show a 144 DPI screenshot at half its pixels, or its pixels with hidpi: false', async () => {
    const { bytes } = await makeImage(dir, 'retina.png', [
      ...['-size', '40x20', 'xc:navy'],
      ...['-units', 'PixelsPerInch', '-density', '144'],
    ]);
    const retina = new Uint8Array(bytes);
    const [half] = (await body(await fixture.handler(uploadRequest([{ name: 'r.png', body: retina }]))))
      .files;
    expect(half).toMatchObject({ width: 40, height: 20, pixelRatio: 2 });
    expect(half?.html).toContain(' width="20" height="10">');
    const pixels = await localFixture({ hidpi: false });
    try {
      const answer = await pixels.handler(uploadRequest([{ name: 'r.png', body: retina }]));
      const [full] = (await body(answer)).files;
      expect(full).toMatchObject({ width: 40, height: 20, pixelRatio: 2 });
      expect(full?.html).toContain(' width="40" height="20">');
    } finally {
      await pixels.dispose();
    }
  });
});
