/**
 * Sizes in links: the link a paste wrote is written again once the upload says how large the image is, so an HTML
 * `<img>` and a custom template's `{width}`/`{height}` carry the size; a 144 DPI screenshot (PNG `pHYs`, made by
 * ImageMagick) at half its pixels unless `bytedrop.retinaAtScreenSize` is off. A link the user edited keeps their text.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import { makeImage, scratch } from '../../core/test/_support/images';
import { type FakeTextDocument, fake, Range } from './_fake/vscode';
import { uploadsSettled, WAIT } from './_setup/expect';
import { type Gate, startGate } from './_setup/gate';
import { createWorld, endOf, transferOf, type World } from './_setup/world';

let s3: S3Harness;
let gate: Gate;
let world: World;
let base: string;
/** 40×20 pixels at 144 DPI: a Retina screenshot that was 20×10 on screen. */
let retina: Uint8Array;
/** Another one, never uploaded before its test: its upload is a PUT the gate can hold (not found by HEAD). */
let fresh: Uint8Array;

beforeAll(async () => {
  s3 = await startS3rver();
  gate = await startGate(s3.endpoint);
  base = `${s3.endpoint}/${s3.bucket}`;
  const draw = (colour: string) => ['-size', '40x20', colour, '-units', 'PixelsPerInch', '-density', '144'];
  const dir = await scratch();
  retina = new Uint8Array((await makeImage(dir, 'retina.png', draw('xc:navy'))).bytes);
  fresh = new Uint8Array((await makeImage(dir, 'fresh.png', draw('xc:teal'))).bytes);
});
afterAll(async () => {
  await gate.close();
  await s3.dispose();
});
beforeEach(async () => {
  gate.release();
  world = await createWorld({ endpoint: gate.endpoint, publicBaseUrl: base, bucket: s3.bucket });
});

const pasteShot = (bytes = retina, document = world.document) =>
  fake.paste(document, [endOf(document)], transferOf({ name: 'shot.png', mime: 'image/png', bytes }));

/** The note once the upload is swapped in, with the upload's URL written as `URL`. */
async function swapped(document: FakeTextDocument = world.document): Promise<string> {
  await uploadsSettled();
  const text = document.getText();
  const url = new RegExp(`${base.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/[^"\\s)]+\\.png`).exec(text)?.[0];
  if (!url) throw new Error(`no uploaded link in the note: ${text}`);
  return text.replaceAll(url, 'URL');
}

describe('sizes in links', () => {
  it('html: the pasted <img> gets width and height at screen size, half the pixels of a 144 DPI image', async () => {
    fake.settings.set('bytedrop.linkFormat', 'html');
    await pasteShot();
    await vi.waitFor(() => expect(world.document.getText()).toContain('<img src="shot.png"'), WAIT);
    expect(await swapped()).toBe('# Post\n\n<img src="URL" alt="shot.png" width="20" height="10">');
  });

  it('html with bytedrop.retinaAtScreenSize off: the image pixels', async () => {
    fake.settings.set('bytedrop.linkFormat', 'html');
    fake.settings.set('bytedrop.retinaAtScreenSize', false);
    await pasteShot();
    expect(await swapped()).toBe('# Post\n\n<img src="URL" alt="shot.png" width="40" height="20">');
  });

  it('custom: {width}x{height} at screen size, or the pixels with bytedrop.retinaAtScreenSize off', async () => {
    fake.settings.set('bytedrop.linkFormat', 'custom');
    fake.settings.set('bytedrop.linkTemplate', '![{alt}]({url}) {width}x{height}');
    await pasteShot();
    expect(await swapped()).toBe('# Post\n\n![shot.png](URL) 20x10');

    world = await createWorld({ endpoint: gate.endpoint, publicBaseUrl: base, bucket: s3.bucket });
    fake.settings.set('bytedrop.linkFormat', 'custom');
    fake.settings.set('bytedrop.linkTemplate', '![{alt}]({url}) {width}x{height}');
    fake.settings.set('bytedrop.retinaAtScreenSize', false);
    await pasteShot();
    expect(await swapped()).toBe('# Post\n\n![shot.png](URL) 40x20');
  });

  it('html behind a placeholder (no folder open): the size too, the pixels with bytedrop.retinaAtScreenSize off', async () => {
    fake.settings.set('bytedrop.linkFormat', 'html');
    fake.settings.set('bytedrop.retinaAtScreenSize', false);
    fake.removeWorkspaceFolders();
    const lonely = fake.openUntitled('alone ');
    await pasteShot(retina, lonely);
    expect(await swapped(lonely)).toBe('alone <img src="URL" alt="shot.png" width="40" height="20">');
  });

  it('html: an <img> the user edited before the upload finished keeps their text; only its src changes', async () => {
    fake.settings.set('bytedrop.linkFormat', 'html');
    gate.hold();
    await pasteShot(fresh);
    await vi.waitFor(() => expect(gate.held).toBe(1), WAIT);
    const text = world.document.getText();
    const alt = text.indexOf('alt="shot.png"') + 'alt="'.length;
    world.document.applyTextEdits([
      {
        range: new Range(world.document.positionAt(alt), world.document.positionAt(alt + 8)),
        newText: 'Chart',
      },
    ]);
    gate.release();
    expect(await swapped()).toBe('# Post\n\n<img src="URL" alt="Chart">');
  });
});
