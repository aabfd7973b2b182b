/**
 * The built plugin folder: main.js must run where Node does not exist (Obsidian mobile), and manifest.json and
 * versions.json must satisfy Obsidian's manifest reference.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser, Node } from '@xmldom/xmldom';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver } from '../../core/test/_setup/s3rver.js';
import { options } from '../esbuild.config.mjs';
import * as fakeObsidian from './fake-obsidian';
import { pasteEvent, png, pngFile } from './helpers';

const root = new URL('../', import.meta.url);
let dir: string;
let code: string;
/** The packages main.js was built from (esbuild's metafile). */
let packages: Set<string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bytedrop-bundle-'));
  const result = await build({
    ...options,
    outfile: join(dir, 'main.js'),
    logLevel: 'silent',
    metafile: true,
  });
  code = await readFile(join(dir, 'main.js'), 'utf8');
  packages = new Set(
    Object.keys(result.metafile.inputs).flatMap(
      (path) => /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? [],
    ),
  );
}, 120_000);

interface LoadedPlugin {
  onload(): Promise<void>;
  whenIdle(): Promise<void>;
  settings: unknown;
  dataJson?: string;
}

/**
 * Runs main.js as Obsidian mobile would: a require that knows only `obsidian`, and the DOM's XML parser, which the
 * SDK's browser build reads S3's XML answers with (Node has none; a phone's WebView has its own). Returns the plugin
 * class.
 */
function loadMain(asked: string[] = []): new (app: unknown, manifest: unknown) => LoadedPlugin {
  const sandboxRequire = (name: string): unknown => {
    asked.push(name);
    if (name === 'obsidian') return fakeObsidian;
    throw new Error(`Cannot find module '${name}'`);
  };
  const module = { exports: {} as Record<string, unknown> };
  new Function('require', 'module', 'exports', 'DOMParser', 'Node', code)(
    sandboxRequire,
    module,
    module.exports,
    DOMParser,
    Node,
  );
  return module.exports.default as new (
    app: unknown,
    manifest: unknown,
  ) => LoadedPlugin;
}

/** Pastes `file` into a note through main.js with S3 settings for `s3`; returns the link the note got. */
async function pasteThroughMain(
  s3: Awaited<ReturnType<typeof startS3rver>>,
  file: File,
  settings: Record<string, unknown> = {},
): Promise<string> {
  const Plugin = loadMain();
  const app = new fakeObsidian.App();
  app.secretStorage.setSecret('s3', s3.secretAccessKey);
  const note = await app.vault.seed('Note.md', '');
  const view = await app.workspace.openNote(note);
  const plugin = new Plugin(app, { id: 'bytedrop' });
  plugin.dataJson = JSON.stringify({
    provider: 'custom',
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    accessKeyId: s3.accessKeyId,
    secretKeyName: 's3',
    publicBaseUrl: `${s3.endpoint}/${s3.bucket}`,
    ...settings,
  });
  await plugin.onload();
  app.workspace.trigger('editor-paste', pasteEvent([file]), view.editor, view);
  await plugin.whenIdle();
  return /\]\((http[^)]+)\)/.exec(view.editor.getValue())?.[1] ?? '';
}
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** Every module name main.js asks for with require(), import() or a static import. */
function requested(source: string): string[] {
  const patterns = [
    /\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g,
    /\bimport\(\s*["'`]([^"'`]+)["'`]\s*\)/g,
    /\bfrom\s*["'`]([^"'`]+)["'`]/g,
  ];
  return [
    ...new Set(patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1] ?? ''))),
  ];
}

describe('main.js', () => {
  it('is a CommonJS bundle that requires no Node builtin', () => {
    const names = requested(code);
    const builtins = names.filter((name) => NODE_BUILTINS.has(name) || name.startsWith('node:'));
    expect(builtins).toEqual([]);
    expect(names).toContain('obsidian');
  });

  it('carries the SHA-256 and MD5 of hash-wasm only, not every algorithm it ships (a phone downloads main.js)', () => {
    for (const unused of ['whirlpool', 'ripemd160', 'bcrypt', 'keccak']) expect(code).not.toContain(unused);
  });

  it('the scan itself catches a builtin require (so the test above can fail)', () => {
    expect(requested('var a=require("fs"),b=require(\'node:crypto\');import("zlib")')).toEqual([
      'fs',
      'node:crypto',
      'zlib',
    ]);
  });

  it('carries no Node polyfill: lib-storage gets the stand-ins in build/ and eventemitter3', () => {
    const polyfills = [
      'buffer',
      'stream-browserify',
      'readable-stream',
      'events',
      'string_decoder',
      'safe-buffer',
    ];
    expect(polyfills.filter((name) => packages.has(name))).toEqual([]);
    expect(packages).toContain('@aws-sdk/lib-storage'); // the scan sees packages at all
    expect(packages).toContain('eventemitter3');
  });

  it('the buffer stand-in does what Node’s Buffer does for the calls lib-storage makes', async () => {
    // @ts-expect-error: a plain .mjs build helper, without types
    const { Buffer: StandIn } = (await import('../build/buffer.mjs')) as { Buffer: typeof Buffer };
    const parts = [new Uint8Array([1, 2]), new Uint8Array([]), new Uint8Array([3])];
    expect([...StandIn.concat(parts)]).toEqual([...Buffer.concat(parts)]);
    expect([...StandIn.concat([])]).toEqual([]);
    expect([...StandIn.from('héllo ✓')]).toEqual([...Buffer.from('héllo ✓')]);
    expect([...StandIn.from(new Uint8Array([9, 8]))]).toEqual([9, 8]);
    expect(StandIn.byteLength('héllo ✓')).toBe(Buffer.byteLength('héllo ✓'));
    expect(StandIn.isBuffer(new Uint8Array(1))).toBe(false);
  });

  it('loads with a require that knows only `obsidian`, as on mobile, and onload sends nothing', async () => {
    const asked: string[] = [];
    const Plugin = loadMain(asked);
    expect([...new Set(asked)]).toEqual(['obsidian']);
    const app = new fakeObsidian.App();
    const plugin = new Plugin(app, { id: 'bytedrop' });
    fakeObsidian.requestLog.length = 0;
    await plugin.onload();
    expect(plugin.settings).toMatchObject({ target: 's3', uploadOnPaste: true });
    expect(app.workspace.listenerCount('editor-paste')).toBe(1);
    expect(fakeObsidian.requestLog).toEqual([]);
  });

  it('uploads a paste to real S3 with the browser build of the AWS SDK inside main.js', async () => {
    const s3 = await startS3rver();
    try {
      const url = await pasteThroughMain(s3, pngFile(5));
      expect(url).toMatch(new RegExp(`^${s3.endpoint}/${s3.bucket}/`));
      expect(new Uint8Array(await (await fetch(url)).arrayBuffer())).toEqual(png(5));
      expect(s3.requests.some((request) => request.method === 'PUT')).toBe(true);
    } finally {
      await s3.dispose();
    }
  });

  it('uploads a paste above the part size in parts (lib-storage on the stand-ins), byte-exact', async () => {
    const s3 = await startS3rver();
    try {
      // Three parts of the default 8 MiB and a tail. The plugin hands lib-storage the pasted bytes (a Uint8Array, read
      // for the vault copy), which it cuts with subarray; the stand-ins' concat is checked on its own below.
      const bytes = new Uint8Array(3 * 8 * 1024 * 1024 + 12_345).map(
        (_, index) => (index * 7 + (index >> 13)) % 256,
      );
      const url = await pasteThroughMain(s3, new File([bytes], 'big.bin'), { uploadKinds: 'any' });
      expect(url).toMatch(new RegExp(`^${s3.endpoint}/${s3.bucket}/`));
      // Buffer.equals: toEqual walks 24 MiB element by element, and its diff of a mismatch would take gigabytes.
      expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(bytes)).toBe(true);
      const parts = s3.requests.filter((request) => /[?&]partNumber=/.test(request.url));
      expect(parts.length).toBe(4);
    } finally {
      await s3.dispose();
    }
  });

  it('stays a reasonable size for a plugin that bundles the S3 client', () => {
    expect(code.length).toBeLessThan(1_500_000);
  });
});

describe('plugin folder', () => {
  it('has manifest.json valid against Obsidian’s manifest reference', async () => {
    const manifest = JSON.parse(await readFile(new URL('manifest.json', root), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest.id).toBe('bytedrop');
    // Obsidian: ids are lower-case letters, digits and dashes, and neither contain "obsidian" nor end in "plugin".
    expect(manifest.id).toMatch(/^[a-z0-9-]+$/);
    expect(String(manifest.id)).not.toMatch(/obsidian|plugin$/);
    expect(manifest.name).toBe('Bytedrop');
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.isDesktopOnly).toBe(false);
    expect(typeof manifest.author).toBe('string');
    expect(String(manifest.author).length).toBeGreaterThan(0);
    const description = String(manifest.description);
    expect(description.length).toBeLessThanOrEqual(250);
    expect(description).toMatch(/\.$/);
    expect(description).not.toMatch(/obsidian|^this plugin/i);
    // SecretStorage (and so the secret fields) needs Obsidian 1.11.4.
    const [major = 0, minor = 0, patch = 0] = String(manifest.minAppVersion).split('.').map(Number);
    expect(major * 1e6 + minor * 1e3 + patch).toBeGreaterThanOrEqual(1_011_004);
    for (const key of Object.keys(manifest)) {
      expect([
        'id',
        'name',
        'version',
        'minAppVersion',
        'description',
        'author',
        'authorUrl',
        'fundingUrl',
        'isDesktopOnly',
      ]).toContain(key);
    }
  });

  it('has versions.json mapping the manifest version to its minAppVersion', async () => {
    const manifest = JSON.parse(await readFile(new URL('manifest.json', root), 'utf8')) as Record<
      string,
      string
    >;
    const versions = JSON.parse(await readFile(new URL('versions.json', root), 'utf8')) as Record<
      string,
      string
    >;
    expect(versions[manifest.version ?? '']).toBe(manifest.minAppVersion);
    for (const [version, minApp] of Object.entries(versions)) {
      expect(version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(minApp).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  it('has styles.css for the settings tab', async () => {
    const css = await readFile(new URL('styles.css', root), 'utf8');
    expect(css).toContain('.bytedrop-check-fail');
  });
});
