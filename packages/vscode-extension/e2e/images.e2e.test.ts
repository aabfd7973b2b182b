/**
 * Images in the real VS Code (code-server in Chromium), against a real s3rver: a pasted phone photo reaches the
 * bucket without its location and camera metadata (checked with exiftool on the object the bucket serves) but with
 * its Orientation; `bytedrop.keepImageMetadata` uploads it byte for byte; an HTML link to a Retina screenshot says
 * the size it had on screen. The images are made by ImageMagick, their tags written by exiftool.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import { exifTags, makeImage, PRIVATE_TAGS, saved, scratch } from '../../core/test/_support/images';
import { pasteFile } from './editor';
import { type Session, servedWhenUploaded, startSession, withScreenshot } from './session';

/** Tags that would tell where or with what a picture was taken, or by whom (as core's images test). */
const PRIVATE =
  /^(GPS|XMP|IPTC|ExifIFD|Photoshop|MakerNotes|IFD1):|:(Make|Model|SerialNumber|Comment|Artist|Software)$/;

let s3: S3Harness;
let session: Session;
let dir: string;
let photo: Uint8Array;
/** 40×20 pixels at 144 DPI (PNG pHYs): a Retina screenshot that was 20×10 on screen. */
let retina: Uint8Array;

/** Runs a step; on failure, the error carries a screenshot and the editor's log. */
const step = async <T>(run: () => Promise<T>): Promise<T> => {
  try {
    return await run();
  } catch (error) {
    throw await withScreenshot(session, error);
  }
};

/** Pastes `bytes` at the end of the note, on a line of its own, and gives the URL its <img> links once uploaded. */
async function pastedUrl(name: string, bytes: Uint8Array, type: string): Promise<string> {
  await session.focusEndOfNote();
  await session.page.keyboard.type('\n');
  await pasteFile(session.page, name, bytes, type);
  const link = new RegExp(`<img src="(http[^"]+)" alt="${name.replace('.', '\\.')}"`);
  const text = await session.savedNoteWhen((saved) => link.test(saved));
  return link.exec(text)?.[1] as string;
}

beforeAll(async () => {
  dir = await scratch();
  const jpeg = await makeImage(
    dir,
    'photo.jpg',
    ['-size', '30x20', 'xc:gold'],
    [...PRIVATE_TAGS, '-Orientation#=6'],
  );
  photo = new Uint8Array(jpeg.bytes);
  const before = await exifTags(jpeg.path);
  // The photo carries what must go, so its absence afterwards means something.
  expect(before['GPS:GPSLatitude']).toBeCloseTo(48.8584);
  expect(before['IFD0:Make']).toBe('Bytedrop Camera Co');
  const shot = ['-size', '40x20', 'xc:navy', '-units', 'PixelsPerInch', '-density', '144'];
  retina = new Uint8Array((await makeImage(dir, 'retina.png', shot)).bytes);
  s3 = await startS3rver();
  session = await startSession({
    s3,
    makeDefault: true,
    settings: { 'bytedrop.linkFormat': 'html' },
  });
});

afterAll(async () => {
  await session?.stop();
  await s3?.dispose();
});

it('an HTML link to a 144 DPI screenshot has width and height at screen size, half its pixels', () =>
  step(async () => {
    await session.focusEndOfNote();
    await pasteFile(session.page, 'shot.png', retina, 'image/png');
    // The whole tag, not its start: the note is read from disk and may be caught half written.
    const text = await session.savedNoteWhen((saved) => /<img src="http[^"]+"[^>]*>/.test(saved));
    const url = /<img src="(http[^"]+)"/.exec(text)?.[1] as string;
    expect(text).toBe(`# Note\n\n<img src="${url}" alt="shot.png" width="20" height="10">`);
    // ImageMagick's text chunks are stripped; the density that makes it a Retina screenshot is kept.
    const stored = await saved(dir, 'stored.png', await servedWhenUploaded(session.page, url));
    expect((await exifTags(stored))['PNG-pHYs:PixelsPerUnitX']).toBe(5669);
  }));

it('a pasted photo reaches the bucket without location or camera tags, its Orientation kept', () =>
  step(async () => {
    const url = await pastedUrl('photo.jpg', photo, 'image/jpeg');
    const stored = await servedWhenUploaded(session.page, url);
    const tags = await exifTags(await saved(dir, 'stored.jpg', stored));
    expect(Object.keys(tags).filter((tag) => PRIVATE.test(tag))).toEqual([]);
    expect(tags['IFD0:Orientation']).toBe(6);
    expect(stored.byteLength).toBeLessThan(photo.byteLength);
  }));

it('with bytedrop.keepImageMetadata on, the photo is uploaded byte for byte', () =>
  step(async () => {
    await session.updateSettings({ 'bytedrop.keepImageMetadata': true });
    const url = await pastedUrl('kept.jpg', photo, 'image/jpeg');
    expect(await servedWhenUploaded(session.page, url)).toEqual(photo);
  }));
