import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { stripMetadata } from '../src/images';
import { exifTags, makeImage, PRIVATE_TAGS, saved, scratch } from './_support/images';

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const isNodeBuiltin = (path: string) =>
  path.startsWith('node:') || builtins.has(path) || builtins.has(path.split('/')[0]!);

// The main entry must run in browsers and Obsidian mobile: nothing from Node may be bundled or left as an import.
describe('@bytedrop/core main entry is isomorphic', () => {
  let metafile: Metafile;
  let iife: string;

  beforeAll(async () => {
    // Under platform 'browser' esbuild cannot resolve a Node builtin, so such an import fails the build itself.
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'bytedrop',
      logLevel: 'silent',
    });
    metafile = result.metafile;
    iife = result.outputFiles[0]!.text;
  }, 120_000);

  it('bundles for platform browser with no Node builtin among inputs or imports', () => {
    const offenders: string[] = [];
    for (const [file, input] of Object.entries(metafile.inputs)) {
      if (isNodeBuiltin(file)) offenders.push(file);
      for (const imported of input.imports) {
        if (isNodeBuiltin(imported.path) || imported.external) offenders.push(`${file} → ${imported.path}`);
      }
    }
    for (const output of Object.values(metafile.outputs)) {
      for (const imported of output.imports) offenders.push(`output → ${imported.path}`);
    }
    expect(offenders).toEqual([]);
    // Proves the check looks at the real graph: our own sources and the browser-safe file-type entry are in it.
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((file) => file.endsWith('src/hash.ts'))).toBe(true);
    expect(inputs.some((file) => /file-type\/core\.js$/.test(file))).toBe(true);
  });

  /** A fresh V8 context with only web globals (what a browser or Obsidian mobile offers), the bundle run in it. */
  function realm() {
    const context = createContext({
      TextEncoder,
      TextDecoder,
      URL,
      URLSearchParams,
      crypto: globalThis.crypto,
      ReadableStream,
      Blob,
      AbortController,
      AbortSignal,
      Headers,
      Request,
      Response,
      fetch,
      setTimeout,
      clearTimeout,
      queueMicrotask,
      console,
    });
    runInContext(iife, context);
    const api = runInContext('bytedrop', context) as typeof import('../src/index');
    expect(runInContext('typeof process', context)).toBe('undefined');
    /** `bytes` copied into the realm's own Uint8Array, as a page would hold them. */
    const own = runInContext('(bytes) => new Uint8Array(bytes)', context) as (
      bytes: Uint8Array,
    ) => Uint8Array;
    return { api, own };
  }

  it('runs in a realm without `process`, hashing through hash-wasm', async () => {
    const { api } = realm();
    const hasher = await api.createHasher();
    expect(hasher.implementation).toBe('hash-wasm');
    const { hash } = await api.hashBody(new TextEncoder().encode('abc'));
    expect(hash).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const sniffed = await api.sniffContentType(
      new Uint8Array([0xff, 0xd8, 0xff, 0xdb, 0, 0x43, 0]),
      'image.png',
    );
    expect(sniffed).toEqual({ contentType: 'image/jpeg', ext: 'jpg' });
  });

  it('strips a JPEG and a PNG in a realm without `process`, to the same bytes as in Node', async () => {
    const { api, own } = realm();
    const dir = await scratch();
    for (const [name, type] of [
      ['phone.jpg', 'image/jpeg'],
      ['phone.png', 'image/png'],
    ] as const) {
      const { bytes } = await makeImage(dir, name, ['-size', '24x16', 'xc:olive'], PRIVATE_TAGS);
      const inRealm = await api.stripMetadata(own(bytes), type);
      expect(inRealm.stripped).toEqual(expect.arrayContaining(['gps', 'exif', 'xmp']));
      const tags = await exifTags(await saved(dir, `realm-${name}`, inRealm.bytes));
      expect(tags['GPS:GPSLatitude']).toBeUndefined();
      expect(tags['IFD0:Make']).toBeUndefined();
      expect(tags['IFD1:ThumbnailImage']).toBeUndefined();
      const inNode = await stripMetadata(new Uint8Array(bytes), type);
      expect(Buffer.from(inRealm.bytes).equals(Buffer.from(inNode.bytes))).toBe(true);
    }
  });
});
