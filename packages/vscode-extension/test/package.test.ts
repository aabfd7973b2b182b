/**
 * The manifest and the packaged .vsix: what VS Code and the marketplace read. Builds the bundle and packages it with
 * vsce into a temporary file, then reads the zip's central directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TUS_SIZE_RANGES } from '@bytedrop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
interface Manifest {
  engines: { vscode: string };
  devDependencies: Record<string, string>;
  main: string;
  icon: string;
  extensionKind: string[];
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  contributes: {
    commands: { command: string; title: string; category: string }[];
    configuration: {
      properties: Record<
        string,
        {
          description?: string;
          markdownDescription?: string;
          enum?: string[];
          default?: unknown;
          minimum?: number;
          maximum?: number;
        }
      >;
    };
  };
}
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;

/** Names of the entries of a zip file, from its central directory. */
function zipEntries(zip: Buffer): string[] {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error('not a zip file: no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let index = 0; index < count; index++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`bad central directory entry at ${offset}`);
    const nameLength = zip.readUInt16LE(offset + 28);
    names.push(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
  }
  return names;
}

describe('package.json', () => {
  it('targets VS Code ≥ 1.97 (stable paste API), not older than @types/vscode', () => {
    const engine = manifest.engines.vscode.replace(/^\^/, '');
    const types = manifest.devDependencies['@types/vscode']?.replace(/^\^/, '') as string;
    const [major, minor] = engine.split('.').map(Number) as [number, number];
    expect(major === 1 && minor >= 97).toBe(true);
    expect(engine.localeCompare(types, undefined, { numeric: true })).toBeGreaterThanOrEqual(0);
  });

  it('runs where the workspace is, and an untrusted workspace cannot redirect uploads', () => {
    expect(manifest.extensionKind).toEqual(['workspace']);
    expect(manifest.capabilities.untrustedWorkspaces.supported).toBe('limited');
    expect([...manifest.capabilities.untrustedWorkspaces.restrictedConfigurations].sort()).toEqual(
      ['bytedrop.bucket', 'bytedrop.endpoint', 'bytedrop.publicBaseUrl', 'bytedrop.serverUrl'].sort(),
    );
  });

  it('contributes every command and described settings, and no setting holds a secret', () => {
    expect(manifest.contributes.commands.map((command) => `${command.category}: ${command.title}`)).toEqual([
      'Bytedrop: Upload files…',
      'Bytedrop: Upload local images in this document',
      'Bytedrop: Set secret access key',
      'Bytedrop: Set server access key',
      'Bytedrop: Test connection',
      'Bytedrop: Make Bytedrop the default paste/drop',
      'Bytedrop: Delete remote',
      'Bytedrop: Change link base URL',
      'Bytedrop: Bring files back',
    ]);
    const properties = manifest.contributes.configuration.properties;
    for (const name of [
      'target',
      'provider',
      'endpoint',
      'region',
      'bucket',
      'publicBaseUrl',
      'forcePathStyle',
      'keyTemplate',
      'linkFormat',
      'maxFileSizeMB',
      'languages',
      'serverUrl',
      'keepLocalCopy',
      'keepImageMetadata',
      'retinaAtScreenSize',
    ]) {
      const property = properties[`bytedrop.${name}`];
      expect(property?.description ?? property?.markdownDescription, name).toBeTruthy();
    }
    expect(properties['bytedrop.target']?.enum).toEqual(['s3', 'server']);
    expect(properties['bytedrop.linkFormat']?.enum).toEqual(['markdown', 'html', 'url', 'custom']);
    // The Settings editor shows enum descriptions as plain text: no `#setting#` links there.
    expect(JSON.stringify(properties['bytedrop.linkFormat'])).not.toContain('#bytedrop.');
    // A dropdown the Settings editor can set (a boolean-or-null type is "Edit in settings.json" only).
    expect(properties['bytedrop.forcePathStyle']).toMatchObject({
      type: 'string',
      enum: ['default', 'true', 'false'],
    });
    expect(properties['bytedrop.keyTemplate']?.markdownDescription).toMatch(/\{doc\}.*\{workspace\}/);
    // A Bytedrop server picks its own keys: the description must not promise an effect there.
    expect(properties['bytedrop.keyTemplate']?.markdownDescription).toMatch(
      /`#bytedrop\.target#` is `server`/,
    );
    expect(properties['bytedrop.linkTemplate']?.markdownDescription).toMatch(/\{width\} \{height\}/);
    expect(properties['bytedrop.retinaAtScreenSize']?.default).toBe(true);
    expect(Object.keys(properties).filter((key) => /secret/i.test(key))).toEqual([]);
  });

  it("the resumable sizes' ranges and defaults are core's, so the Settings editor warns where uploads refuse", () => {
    const properties = manifest.contributes.configuration.properties;
    for (const [key, option] of [
      ['bytedrop.tusThresholdMB', 'tusThreshold'],
      ['bytedrop.tusChunkSizeMB', 'chunkSize'],
    ] as const) {
      const { least, most, default: fallback } = TUS_SIZE_RANGES[option];
      expect(properties[key]).toMatchObject({ minimum: least, maximum: most, default: fallback });
      expect(properties[key]?.markdownDescription).toContain(`From ${least} (256 KiB) to ${most}.`);
    }
  });
});

describe('the .vsix', () => {
  // Made in a hook, not at collection: a filter that skips these tests skips the afterAll too.
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'bytedrop-vsix-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('holds the bundle and the marketplace files only: no node_modules, no sources', () => {
    execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: root });
    const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
    const vsix = join(out, 'bytedrop.vsix');
    execFileSync(
      process.execPath,
      [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '-o', vsix],
      {
        cwd: root,
        stdio: 'pipe',
      },
    );
    const entries = zipEntries(readFileSync(vsix)).sort();
    expect(entries).toEqual(
      [
        '[Content_Types].xml',
        'extension.vsixmanifest',
        'extension/LICENSE.txt',
        'extension/changelog.md',
        'extension/dist/extension.js',
        'extension/icon.png',
        'extension/package.json',
        'extension/readme.md',
      ].sort(),
    );
    // Everything is bundled: the only requires left are Node built-ins, `vscode`, and the AWS SDK's optional CRT
    // signer, which the SDK loads inside a try/catch for SigV4a only.
    const bundle = readFileSync(join(root, 'dist/extension.js'), 'utf8');
    const required = new Set(
      [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1] as string),
    );
    const foreign = [...required].filter(
      (id) =>
        id !== 'vscode' &&
        !builtinModules.includes(id.replace(/^node:/, '')) &&
        id !== '@aws-sdk/signature-v4-crt',
    );
    expect(foreign).toEqual([]);
    expect(required.has('vscode')).toBe(true);
    // The icon is a real PNG.
    expect(readFileSync(join(root, manifest.icon)).subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
  }, 120_000);
});
