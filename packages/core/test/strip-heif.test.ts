/**
 * HEIC (an iPhone's photo) and AVIF: stripping blanks the EXIF and XMP items where they lie, so the image data and
 * every box stay byte for byte. Checked with tools nobody here wrote: ImageMagick (libheif) makes the files and
 * decodes the pixels, exiftool writes the metadata and then finds none of it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { canStripMetadata, stripMetadata } from '../src/images';
import { exifTags, makeImage, PRIVATE_TAGS, pixelsOf, saved, scratch } from './_support/images';

let dir: string;
beforeAll(async () => {
  dir = await scratch();
});

const PHOTO = ['-size', '64x48', 'plasma:', '-seed', '4', '-quality', '60'];

describe.each([
  ['image/heic', 'IMG_0001.heic'],
  ['image/avif', 'photo.avif'],
])('%s', (type, name) => {
  it('loses location, camera and XMP metadata; pixels, size and the rest of the file stay', async () => {
    const { path, bytes } = await makeImage(dir, name, PHOTO, [
      '-Make=Apple',
      '-Model=iPhone 15',
      ...PRIVATE_TAGS,
    ]);
    const before = await exifTags(path);
    expect(before['GPS:GPSLatitude']).toBeDefined(); // the fixture carries what must go
    expect(canStripMetadata(type)).toBe(true);

    const result = await stripMetadata(new Uint8Array(bytes), type);
    expect(result.kept).toBeUndefined();
    expect(result.stripped).toEqual(['gps', 'exif', 'xmp']);
    const out = await saved(dir, `out-${name}`, result.bytes);
    const after = JSON.stringify(await exifTags(out));
    for (const secret of ['GPS', 'Apple', 'iPhone', 'SN-0042-SECRET', 'Jane Doe', 'Bytedrop Camera Co']) {
      expect(after).not.toContain(secret);
    }
    // Blanked in place: the same length, and the same decoded pixels.
    expect(result.bytes.byteLength).toBe(bytes.byteLength);
    expect((await pixelsOf(out)).equals(await pixelsOf(path))).toBe(true);
  });

  it('gives the same bytes twice and reports nothing the second time (dedupe stays stable)', async () => {
    const { bytes } = await makeImage(dir, `twice-${name}`, PHOTO, [
      '-GPSLatitude=48.85',
      '-GPSLatitudeRef=N',
    ]);
    const once = await stripMetadata(new Uint8Array(bytes), type);
    const again = await stripMetadata(once.bytes, type);
    expect(again.stripped).toEqual([]);
    expect(Buffer.from(again.bytes).equals(Buffer.from(once.bytes))).toBe(true);
    expect(
      Buffer.from((await stripMetadata(new Uint8Array(bytes), type)).bytes).equals(Buffer.from(once.bytes)),
    ).toBe(true);
  });

  it('a file without metadata comes back as it is', async () => {
    const { bytes } = await makeImage(dir, `plain-${name}`, [...PHOTO, '-strip']);
    const result = await stripMetadata(new Uint8Array(bytes), type);
    expect(result.stripped).toEqual([]);
    expect(Buffer.from(result.bytes).equals(bytes)).toBe(true);
  });

  it('a truncated or garbled file is kept as it came, never thrown on', async () => {
    const { bytes } = await makeImage(dir, `cut-${name}`, PHOTO, ['-GPSLatitude=1', '-GPSLatitudeRef=N']);
    for (const broken of [
      bytes.subarray(0, 40),
      bytes.subarray(0, bytes.byteLength >> 1),
      Buffer.alloc(64, 0xff),
    ]) {
      const result = await stripMetadata(new Uint8Array(broken), type);
      expect(result.kept).toBe('unreadable');
      expect(Buffer.from(result.bytes).equals(broken)).toBe(true);
    }
  });
});
