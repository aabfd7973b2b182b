/**
 * The built plugin folder: main.js must run where Node does not exist (Obsidian mobile), and manifest.json and
 * versions.json must satisfy Obsidian's manifest reference.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver } from '../../core/test/_setup/s3rver.js';
import { options } from '../esbuild.config.mjs';
import * as fakeObsidian from './fake-obsidian';
import { pasteEvent, png, pngFile } from './helpers';

const root = new URL('../', import.meta.url);
let dir: string;
let code: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bytedrop-bundle-'));
  await build({ ...options, outfile: join(dir, 'main.js'), logLevel: 'silent' });
  code = await readFile(join(dir, 'main.js'), 'utf8');
}, 120_000);
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

  it('loads with a require that knows only `obsidian`, as on mobile, and onload sends nothing', async () => {
    const asked: string[] = [];
    const sandboxRequire = (name: string): unknown => {
      asked.push(name);
      if (name === 'obsidian') return fakeObsidian;
      throw new Error(`Cannot find module '${name}'`);
    };
    const module = { exports: {} as Record<string, unknown> };
    new Function('require', 'module', 'exports', code)(sandboxRequire, module, module.exports);
    expect([...new Set(asked)]).toEqual(['obsidian']);

    const Plugin = module.exports.default as new (
      app: unknown,
      manifest: unknown,
    ) => {
      onload(): Promise<void>;
      settings: unknown;
    };
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
      const module = { exports: {} as Record<string, unknown> };
      const sandboxRequire = (name: string): unknown => {
        if (name === 'obsidian') return fakeObsidian;
        throw new Error(`Cannot find module '${name}'`);
      };
      new Function('require', 'module', 'exports', code)(sandboxRequire, module, module.exports);
      const Plugin = module.exports.default as new (
        app: unknown,
        manifest: unknown,
      ) => {
        onload(): Promise<void>;
        whenIdle(): Promise<void>;
      };
      const app = new fakeObsidian.App();
      app.secretStorage.setSecret('s3', s3.secretAccessKey);
      const note = await app.vault.seed('Note.md', '');
      const view = await app.workspace.openNote(note);
      const plugin = new Plugin(app, { id: 'bytedrop' }) as InstanceType<typeof Plugin> & {
        dataJson?: string;
      };
      plugin.dataJson = JSON.stringify({
        provider: 'custom',
        endpoint: s3.endpoint,
        bucket: s3.bucket,
        accessKeyId: s3.accessKeyId,
        secretKeyName: 's3',
        publicBaseUrl: `${s3.endpoint}/${s3.bucket}`,
      });
      await plugin.onload();
      app.workspace.trigger('editor-paste', pasteEvent([pngFile(5)]), view.editor, view);
      await plugin.whenIdle();
      const url = /\]\((http[^)]+)\)/.exec(view.editor.getValue())?.[1] ?? '';
      expect(url).toMatch(new RegExp(`^${s3.endpoint}/${s3.bucket}/`));
      expect(new Uint8Array(await (await fetch(url)).arrayBuffer())).toEqual(png(5));
      expect(s3.requests.some((request) => request.method === 'PUT')).toBe(true);
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
