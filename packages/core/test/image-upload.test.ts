/**
 * Stripping in the upload pipeline: before hashing, so the key names the bytes stored and the same photo pasted twice
 * is one object; per config and per upload; for every body kind; and for bad images, which are stored anyway.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { isBytedropError } from '../src/errors';
import { STRIP_MAX_BYTES } from '../src/images';
import { createUploader } from '../src/uploader';
import { exifTags, makeImage, PRIVATE_TAGS, saved, scratch } from './_support/images';
import { useOwnS3rver } from './_support/own-s3rver';
import { getBytes, inspector, iterable, MiB, s3Config, sameBytes, sha256 } from './_support/s3';

const s3 = useOwnS3rver();
let dir: string;
let photo: Uint8Array<ArrayBuffer>;

beforeAll(async () => {
  dir = await scratch();
  const made = await makeImage(
    dir,
    'photo.jpg',
    ['-size', '96x64', 'plasma:', '-seed', '7'],
    [...PRIVATE_TAGS, '-Orientation#=6'],
  );
  photo = new Uint8Array(made.bytes);
});

async function stored(key: string): Promise<Uint8Array> {
  return getBytes(inspector(s3), s3.bucket, key);
}

async function gpsIn(bytes: Uint8Array, name: string): Promise<unknown> {
  return (await exifTags(await saved(dir, name, bytes)))['GPS:GPSLatitude'];
}

describe('uploads strip images by default', () => {
  it('stores the stripped bytes under their own hash, says what went, and measures the photo upright', async () => {
    const uploader = createUploader(s3Config(s3));
    const result = await uploader.upload(photo, { filename: 'photo.jpg' });
    const bytes = await stored(result.key);
    expect(await gpsIn(bytes, 'stored.jpg')).toBeUndefined();
    expect(result).toMatchObject({ stripped: ['gps', 'exif', 'xmp', 'iptc'], width: 64, height: 96 });
    expect(result.metadataKept).toBeUndefined();
    expect(result.hash).toBe(await sha256(bytes));
    expect(result.size).toBe(bytes.byteLength);
    expect(result.size).toBeLessThan(photo.byteLength);
  });

  it('the same photo pasted twice, as bytes then as a Blob, is one object: same bytes, same key', async () => {
    const uploader = createUploader(s3Config(s3, { keyTemplate: 'same/{hash:16}.{ext}' }));
    const first = await uploader.upload(photo, { filename: 'a.jpg' });
    const second = await uploader.upload(new Blob([photo]), { filename: 'b.jpg' });
    expect(second.key).toBe(first.key);
    expect(second.deduplicated).toBe(true);
    const prepared = await uploader.prepare(new Blob([photo]), { filename: 'c.jpg' });
    expect(prepared).toMatchObject({ key: first.key, stripped: first.stripped, width: 64 });
  });

  it('a one-shot stream longer than multipartThreshold is held up to STRIP_MAX_BYTES and stripped', async () => {
    const uploader = createUploader(s3Config(s3, { multipartThreshold: 1024 }));
    const result = await uploader.upload(iterable(photo, 512), { filename: 'stream.jpg' });
    expect(result.stripped).toContain('gps');
    expect(await gpsIn(await stored(result.key), 'stream.jpg')).toBeUndefined();
  });

  it('a stream of an image above STRIP_MAX_BYTES is stored as it came, and says why', async () => {
    const big = new Uint8Array(STRIP_MAX_BYTES + MiB);
    big.set(photo); // a JPEG with 33 MiB after its end: still a JPEG to a viewer
    const uploader = createUploader(s3Config(s3));
    const result = await uploader.upload(iterable(big, MiB), { filename: 'huge.jpg' });
    expect(result).toMatchObject({ stripped: [], metadataKept: 'too-large', width: 64, height: 96 });
    expect(result.size).toBe(big.byteLength);
  });

  it('a client’s Content-MD5 is of the bytes it sent: checked on them, a wrong one stores nothing', async () => {
    const uploader = createUploader(s3Config(s3, { keyTemplate: 'md5/{hash}.{ext}' }));
    const md5 = createHash('md5').update(photo).digest('base64');
    const ok = await uploader.upload(iterable(photo), { filename: 'md5.jpg', contentMd5: md5 });
    expect(ok.stripped).toContain('gps');
    const wrong = createHash('md5').update('other').digest('base64');
    const error = await uploader
      .upload(photo, { filename: 'md5-wrong.jpg', contentMd5: wrong, keyPrefix: 'x/' })
      .catch((e: unknown) => e);
    expect(isBytedropError(error, 'ERR_CHECKSUM')).toBe(true);
  });
});

describe('keeping metadata', () => {
  it('stripMetadata: false in the config stores the photo byte for byte, and says so', async () => {
    const uploader = createUploader(s3Config(s3, { stripMetadata: false }));
    const result = await uploader.upload(photo, { filename: 'keep.jpg' });
    expect(sameBytes(await stored(result.key), photo)).toBe(true);
    expect(result).toMatchObject({ stripped: [], metadataKept: 'setting', width: 64, height: 96 });
  });

  it('an upload’s own stripMetadata wins over the config, either way', async () => {
    const keeping = createUploader(s3Config(s3, { stripMetadata: false }));
    const stripped = await keeping.upload(photo, { filename: 'x.jpg', stripMetadata: true });
    expect(stripped.stripped).toContain('gps');
    const stripping = createUploader(s3Config(s3));
    const kept = await stripping.upload(iterable(photo), { filename: 'y.jpg', stripMetadata: false });
    expect(sameBytes(await stored(kept.key), photo)).toBe(true);
  });

  it('files that are not images carry no image fields', async () => {
    const result = await createUploader(s3Config(s3)).upload(new TextEncoder().encode('# hi'), {
      filename: 'a.md',
    });
    expect(result.stripped).toBeUndefined();
    expect(result.width).toBeUndefined();
  });
});

/** The TIFF block's offset inside a JPEG's EXIF APP1 segment. */
function tiffAt(bytes: Uint8Array): number {
  return Buffer.from(bytes).indexOf('Exif\0\0') + 6;
}

describe('bad images are stored, never lost, and the uploader keeps serving', () => {
  const uploader = () => createUploader(s3Config(s3, { keyTemplate: 'bad/{hash:16}.{ext}' }));

  it('a JPEG cut off inside its image data is still stripped (its headers were whole)', async () => {
    const cut = photo.slice(0, photo.byteLength - 200);
    const result = await uploader().upload(cut, { filename: 'cut.jpg' });
    expect(result.stripped).toContain('gps');
    expect(await gpsIn(await stored(result.key), 'cut.jpg')).toBeUndefined();
  });

  it('a JPEG cut off inside a metadata segment is stored as it came (unreadable)', async () => {
    const cut = photo.slice(0, tiffAt(photo) + 40);
    const result = await uploader().upload(cut, { filename: 'cut-early.jpg' });
    expect(result).toMatchObject({ stripped: [], metadataKept: 'unreadable' });
    expect(sameBytes(await stored(result.key), cut)).toBe(true);
  });

  it('EXIF whose first IFD offset points past the end, or whose IFDs loop, is stripped all the same', async () => {
    const wrong = photo.slice();
    const view = new DataView(wrong.buffer);
    const tiff = tiffAt(wrong);
    const little = wrong[tiff] === 0x49;
    view.setUint32(tiff + 4, 0x7ffffff0, little);
    const loop = photo.slice();
    const loopView = new DataView(loop.buffer);
    const ifd0 = tiff + loopView.getUint32(tiff + 4, little);
    const count = loopView.getUint16(ifd0, little);
    loopView.setUint32(ifd0 + 2 + count * 12, ifd0 - tiff, little); // IFD0's next IFD is IFD0
    for (let entry = ifd0 + 2; entry < ifd0 + 2 + count * 12; entry += 12) {
      // The GPS and EXIF sub-IFDs point back at IFD0 too.
      if ([0x8825, 0x8769].includes(loopView.getUint16(entry, little))) {
        loopView.setUint32(entry + 8, ifd0 - tiff, little);
      }
    }
    for (const [bytes, name] of [
      [wrong, 'wrong-offset.jpg'],
      [loop, 'loop.jpg'],
    ] as const) {
      const result = await uploader().upload(bytes, { filename: name });
      expect(result.stripped).toContain('exif');
      expect(Buffer.from(await stored(result.key)).includes('SN-0042-SECRET')).toBe(false);
    }
  });

  it('a 0-byte image is stored as an empty file', async () => {
    const result = await uploader().upload(new Uint8Array(0), { filename: 'empty.png' });
    expect(result).toMatchObject({
      size: 0,
      contentType: 'image/png',
      stripped: [],
      metadataKept: 'unreadable',
    });
    expect(result.width).toBeUndefined();
  });

  it('an SVG with an external entity is measured without fetching it', async () => {
    const { createServer } = await import('node:http');
    let fetched = 0;
    const server = createServer((_request, response) => {
      fetched++;
      response.end('secret');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const svg = new TextEncoder().encode(
      `<!DOCTYPE svg [<!ENTITY x SYSTEM "http://127.0.0.1:${port}/x">]>` +
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><text>&x;</text></svg>',
    );
    try {
      const result = await uploader().upload(svg, { filename: 'entity.svg' });
      expect(result).toMatchObject({ width: 40, height: 30, metadataKept: 'format' });
      expect(sameBytes(await stored(result.key), svg)).toBe(true);
    } finally {
      server.close();
    }
    expect(fetched).toBe(0);
    // After all of the above, the same uploader still stores a good photo.
    expect((await uploader().upload(photo, { filename: 'after.jpg' })).stripped).toContain('gps');
  });
});
