/**
 * Stripping and sizes, checked with tools nobody here wrote: ImageMagick draws each image, exiftool writes a phone's
 * metadata into it, and after stripping exiftool must find no location or camera tag, the same Orientation and the
 * same ICC profile, and ImageMagick must decode the very same pixels.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readImageSize, stripMetadata } from '../src/images';
import {
  exifTags,
  exifThumbnail,
  iccOf,
  MAKER_NOTE,
  makeImage,
  PRIVATE_TAGS,
  pixelsOf,
  saved,
  scratch,
  tool,
} from './_support/images';

/** Tags that would tell where or with what a picture was taken, or by whom. */
const PRIVATE =
  /^(GPS|XMP|IPTC|ExifIFD|Photoshop|MakerNotes|IFD1):|:(Make|Model|SerialNumber|Comment|Artist|Software)$/;

let dir: string;
beforeAll(async () => {
  dir = await scratch();
});

const FORMATS = [
  ['jpg', 'image/jpeg'],
  ['png', 'image/png'],
  ['webp', 'image/webp'],
] as const;

describe.each(FORMATS)('a %s with a phone’s metadata', (ext, type) => {
  it('loses location, camera, thumbnail, maker note, XMP and IPTC; keeps Orientation, ICC and every pixel', async () => {
    const original = await makeImage(
      dir,
      `phone.${ext}`,
      ['-size', '64x48', 'gradient:red-blue'],
      [...PRIVATE_TAGS, '-Orientation#=6', '-Comment=left at home'],
      { icc: true },
    );
    const before = await exifTags(original.path);
    expect(before['GPS:GPSLatitude']).toBeCloseTo(48.8584);
    expect(before['IFD0:Orientation']).toBe(6);
    // The fixture really carries a thumbnail and a maker note, as exiftool reads them.
    expect(before['IFD1:ThumbnailLength']).toBeGreaterThan(0);
    expect(before['ExifIFD:MakerNoteUnknownText']).toBe(MAKER_NOTE);
    expect(original.bytes.includes(await exifThumbnail())).toBe(true);

    const result = await stripMetadata(new Uint8Array(original.bytes), type);
    expect(result.stripped).toEqual(expect.arrayContaining(['gps', 'exif', 'xmp']));
    expect(result.kept).toBeUndefined();
    const out = await saved(dir, `phone-stripped.${ext}`, result.bytes);
    const after = await exifTags(out);
    expect(Object.keys(after).filter((tag) => PRIVATE.test(tag))).toEqual([]);
    // Not merely unlisted: neither the thumbnail's bytes nor the maker note's text is anywhere in the file.
    expect(Buffer.from(result.bytes).includes(await exifThumbnail())).toBe(false);
    expect(Buffer.from(result.bytes).includes(MAKER_NOTE)).toBe(false);
    expect(after['IFD0:Orientation']).toBe(6);
    expect((await iccOf(out)).equals(await iccOf(original.path))).toBe(true);
    expect((await iccOf(out)).byteLength).toBeGreaterThan(0);
    expect((await pixelsOf(out)).equals(await pixelsOf(original.path))).toBe(true);
    // Turned a quarter by its orientation, as a viewer shows it.
    expect(readImageSize(result.bytes, result)).toEqual({ width: 48, height: 64 });
  });

  it('gives the same bytes every time, and nothing more to strip the second time', async () => {
    const original = await makeImage(dir, `twice.${ext}`, ['-size', '16x16', 'xc:teal'], PRIVATE_TAGS);
    const first = await stripMetadata(new Uint8Array(original.bytes), type);
    const second = await stripMetadata(new Uint8Array(original.bytes), type);
    expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    const again = await stripMetadata(first.bytes, type);
    expect(again.stripped).toEqual([]);
    expect(again.bytes).toBe(first.bytes);
  });
});

describe('what stripping keeps and fixes', () => {
  it('an IPTC and comment JPEG reports each kind it removed, in a fixed order', async () => {
    const { bytes } = await makeImage(
      dir,
      'kinds.jpg',
      ['-size', '8x8', 'xc:white'],
      ['-GPSLatitude=1', '-GPSLatitudeRef=N', '-XMP-dc:Title=t', '-IPTC:City=Paris', '-Comment=hi'],
    );
    expect((await stripMetadata(new Uint8Array(bytes), 'image/jpeg')).stripped).toEqual([
      'gps',
      'exif',
      'xmp',
      'iptc',
      'comment',
    ]);
  });

  it('a WebP keeps a valid VP8X header: no EXIF or XMP flag is left for a chunk that is gone', async () => {
    const { bytes } = await makeImage(dir, 'flags.webp', ['-size', '8x8', 'xc:white'], PRIVATE_TAGS);
    const result = await stripMetadata(new Uint8Array(bytes), 'image/webp');
    const out = await saved(dir, 'flags-out.webp', result.bytes);
    const tags = await exifTags(out);
    expect(Number(tags['RIFF:WebP_Flags']) & 0x0c).toBe(0);
    expect(new DataView(result.bytes.buffer).getUint32(4, true)).toBe(result.bytes.byteLength - 8);
    // A decoder reads it as before.
    expect((await pixelsOf(out)).equals(await pixelsOf(await saved(dir, 'flags-in.webp', bytes)))).toBe(true);
  });

  it('a Retina screenshot (PNG pHYs 144 DPI) keeps pHYs and says pixelRatio 2', async () => {
    const { bytes } = await makeImage(dir, 'retina.png', [
      '-size',
      '40x20',
      'xc:navy',
      '-units',
      'PixelsPerInch',
      '-density',
      '144',
    ]);
    const result = await stripMetadata(new Uint8Array(bytes), 'image/png');
    expect(result.pixelRatio).toBe(2);
    const tags = await exifTags(await saved(dir, 'retina-out.png', result.bytes));
    expect(tags['PNG-pHYs:PixelsPerUnitX']).toBe(5669);
    expect(readImageSize(result.bytes, result)).toEqual({ width: 40, height: 20, pixelRatio: 2 });
  });

  it('a JPEG whose EXIF says 144 DPI says pixelRatio 2; 72 and 300 DPI say nothing', async () => {
    for (const [dpi, ratio] of [
      [144, 2],
      [72, undefined],
      [300, undefined],
    ] as const) {
      const { bytes } = await makeImage(
        dir,
        `dpi${dpi}.jpg`,
        ['-size', '8x8', 'xc:white'],
        [`-XResolution=${dpi}`, `-YResolution=${dpi}`, '-ResolutionUnit=inches'],
      );
      expect((await stripMetadata(new Uint8Array(bytes), 'image/jpeg')).pixelRatio).toBe(ratio);
    }
  });
});

describe('sizes', () => {
  it('GIF and SVG are measured; a GIF keeps its metadata (kept: format)', async () => {
    const gif = await makeImage(dir, 'a.gif', ['-size', '30x10', 'xc:red']);
    expect(readImageSize(new Uint8Array(gif.bytes))).toEqual({ width: 30, height: 10 });
    expect((await stripMetadata(new Uint8Array(gif.bytes), 'image/gif')).kept).toBe('format');
    const svg = new TextEncoder().encode(
      '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80"></svg>',
    );
    expect(readImageSize(svg)).toEqual({ width: 120, height: 80 });
  });

  it('a 16-bit PNG and a CMYK JPEG strip and measure like any other, pixels unchanged', async () => {
    const deep = await makeImage(
      dir,
      'deep.png',
      ['-size', '16x16', 'gradient:red-blue', '-depth', '16'],
      PRIVATE_TAGS,
      {
        format: 'png48',
      },
    );
    const cmyk = await makeImage(
      dir,
      'cmyk.jpg',
      ['-size', '16x16', 'xc:orange', '-colorspace', 'CMYK'],
      PRIVATE_TAGS,
    );
    expect((await exifTags(cmyk.path))['File:ColorComponents']).toBe(4);
    for (const [image, type, ext] of [
      [deep, 'image/png', 'png'],
      [cmyk, 'image/jpeg', 'jpg'],
    ] as const) {
      const result = await stripMetadata(new Uint8Array(image.bytes), type);
      expect(result.stripped).toContain('gps');
      const out = await saved(dir, `odd-out.${ext}`, result.bytes);
      expect((await pixelsOf(out)).equals(await pixelsOf(image.path))).toBe(true);
      expect(readImageSize(result.bytes)).toEqual({ width: 16, height: 16 });
    }
    expect((await exifTags(deep.path))['PNG:BitDepth']).toBe(16);
  });
});

it('the tools themselves are there (CI installs them through .ci/run)', async () => {
  expect((await tool('exiftool', ['-ver'])).toString()).toMatch(/^\d+\.\d+/);
  expect((await tool('convert', ['-version'])).toString()).toMatch(/ImageMagick/);
});
