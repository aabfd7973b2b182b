/**
 * Test images made by tools nobody here wrote: ImageMagick draws them, exiftool writes their metadata and reads it
 * back, libwebp's own cwebp and dwebp encode and decode the WebP that conversion is held against. A missing tool fails the test with the package to install, never a skip: these checks are the proof that
 * stripping works.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir, tempPath } from './temp';

const run = promisify(execFile);

const PACKAGES: Record<string, string> = {
  exiftool: 'libimage-exiftool-perl',
  convert: 'imagemagick',
  compare: 'imagemagick',
  cwebp: 'webp',
  dwebp: 'webp',
};

/** Runs a tool; a missing one fails with the Debian package that brings it. */
export async function tool(
  name: 'exiftool' | 'convert' | 'compare' | 'cwebp' | 'dwebp',
  args: string[],
): Promise<Buffer> {
  try {
    const { stdout } = await run(name, args, { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') {
      throw new Error(
        `${name} is not installed: install ${PACKAGES[name]} (apt-get install ${PACKAGES[name]})`,
      );
    }
    throw error;
  }
}

/** A fresh directory for one test's files, removed after the test file's last test. */
export function scratch(): Promise<string> {
  return tempDir('bytedrop-images-');
}

/**
 * A small but valid ICC v2 display profile with a description, so exiftool reports `ProfileDescription` and the
 * profile's bytes can be compared before and after stripping (the machine ships no .icc file to borrow).
 */
export function iccProfile(description = 'Bytedrop test RGB'): Buffer {
  const text = Buffer.from(`${description}\0`, 'latin1');
  const desc = Buffer.alloc(12 + text.length + 8 + 67 + 3);
  desc.write('desc', 0, 'latin1');
  desc.writeUInt32BE(text.length, 8);
  text.copy(desc, 12);
  const tagTable = 4 + 12;
  const size = 128 + tagTable + desc.length;
  const icc = Buffer.alloc(size + ((4 - (size % 4)) % 4));
  icc.writeUInt32BE(icc.length, 0);
  icc.writeUInt32BE(0x02100000, 8); // version 2.1
  icc.write('mntrRGB XYZ ', 12, 'latin1');
  icc.writeUInt16BE(2024, 24);
  icc.writeUInt16BE(1, 26);
  icc.writeUInt16BE(1, 28);
  icc.write('acsp', 36, 'latin1');
  // D50 illuminant
  icc.writeInt32BE(0x0000f6d6, 68);
  icc.writeInt32BE(0x00010000, 72);
  icc.writeInt32BE(0x0000d32d, 76);
  icc.writeUInt32BE(1, 128);
  icc.write('desc', 132, 'latin1');
  icc.writeUInt32BE(128 + tagTable, 136);
  icc.writeUInt32BE(desc.length, 140);
  desc.copy(icc, 128 + tagTable);
  return icc;
}

/** Everything exiftool finds in a file, by group (`GPS:GPSLatitude`, `IFD0:Make`, …), values as numbers. */
export async function exifTags(file: string): Promise<Record<string, unknown>> {
  const out = await tool('exiftool', ['-j', '-G1', '-a', '-n', '-struct', file]);
  return (JSON.parse(out.toString('utf8')) as Record<string, unknown>[])[0] as Record<string, unknown>;
}

/** The embedded ICC profile's bytes as exiftool extracts them (empty when there is none). */
export async function iccOf(file: string): Promise<Buffer> {
  return tool('exiftool', ['-b', '-ICC_Profile', file]);
}

/** The decoded pixels, as raw RGBA (16 bits per channel, so nothing is rounded away). */
export async function pixelsOf(file: string): Promise<Buffer> {
  return tool('convert', [file, '-depth', '16', 'rgba:-']);
}

/** Writes bytes next to the test's other files and gives the path. */
export async function saved(dir: string, name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

/**
 * Where the EXIF thumbnail and the maker note `PRIVATE_TAGS` embed are written, by `makeImage`, before exiftool reads
 * them. One directory per module instance: test files running at once never write each other's. Made on first use,
 * removed after the test file's last test.
 */
const PRIVATE_FILES = tempPath('bytedrop-private-tags-');
const THUMBNAIL_FILE = join(PRIVATE_FILES, 'thumbnail.jpg');
const MAKER_NOTE_FILE = join(PRIVATE_FILES, 'maker-note.bin');
/** The maker note's text: exiftool reads it back as `ExifIFD:MakerNoteUnknownText` (the make is not one it knows). */
export const MAKER_NOTE = 'Bytedrop maker note: lens LN-0042-SECRET';
let privateFiles: Promise<void> | undefined;

/** Writes the thumbnail (drawn by ImageMagick) and the maker note once. */
function writePrivateFiles(): Promise<void> {
  privateFiles ??= (async () => {
    await mkdir(PRIVATE_FILES, { recursive: true });
    await tool('convert', ['-size', '8x8', 'xc:crimson', '-quality', '50', THUMBNAIL_FILE]);
    await writeFile(MAKER_NOTE_FILE, MAKER_NOTE, 'latin1');
  })();
  return privateFiles;
}

/** The embedded EXIF thumbnail's bytes, to look for in a stripped file. */
export async function exifThumbnail(): Promise<Buffer> {
  await writePrivateFiles();
  return readFile(THUMBNAIL_FILE);
}

/**
 * The metadata a phone photo carries: location, camera, serial number, dates, XMP, IPTC, a comment, an EXIF thumbnail
 * (IFD1: a small JPEG of the original picture, which a crop or edit does not update) and a maker note (the camera
 * maker's own block: lens and body serial numbers and more).
 */
export const PRIVATE_TAGS = [
  '-GPSLatitude=48.8584',
  '-GPSLatitudeRef=N',
  '-GPSLongitude=2.2945',
  '-GPSLongitudeRef=E',
  '-Make=Bytedrop Camera Co',
  '-Model=Snoop 9',
  '-SerialNumber=SN-0042-SECRET',
  '-DateTimeOriginal=2024:05:01 12:34:56',
  '-XMP-dc:Creator=Jane Doe',
  '-XMP-dc:Description=at home',
  '-IPTC:City=Paris',
  '-IPTC:By-line=Jane Doe',
  `-ThumbnailImage<=${THUMBNAIL_FILE}`,
  `-MakerNotes<=${MAKER_NOTE_FILE}`,
];

/** Makes an image with ImageMagick (in `format`, e.g. `png48`, when given), then writes `tags` with exiftool (and an ICC profile when asked). */
export async function makeImage(
  dir: string,
  name: string,
  draw: string[],
  tags: string[] = [],
  options: { icc?: boolean; format?: string } = {},
): Promise<{ path: string; bytes: Buffer }> {
  const path = join(dir, name);
  await tool('convert', [...draw, options.format ? `${options.format}:${path}` : path]);
  const extra = [...tags];
  if (options.icc) {
    const icc = join(dir, `${name}.icc`);
    await writeFile(icc, iccProfile());
    extra.push(`-ICC_Profile<=${icc}`);
  }
  if (extra.some((tag) => tag.includes(PRIVATE_FILES))) await writePrivateFiles();
  if (extra.length > 0) await tool('exiftool', ['-q', '-overwrite_original', ...extra, path]);
  return { path, bytes: await readFile(path) };
}
