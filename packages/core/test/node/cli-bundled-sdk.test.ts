/**
 * The CLI's build bundles the AWS SDK (tsup.config.ts): loading its some 300 files from node_modules, each resolved,
 * read and compiled apart, was most of a `bytedrop upload`'s time. The library builds keep `import()`, which an app's
 * bundler follows and which lets apps share one SDK. What is checked is where the SDK's code came from, not a time:
 * the probe sees every file a process loads.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildCli, cleanEnv, removeCli, s3EnvOf } from '../_support/cli';
import { probed } from '../_support/loaded-modules';

const s3 = inject('s3');
const SDK = /node_modules\/(@aws-sdk|@smithy)\//;
const sdkIn = (paths: string[]) => [...new Set(paths.filter((path) => SDK.test(path)))];

let cli: string;
let home: string;

beforeAll(async () => {
  cli = await buildCli();
  home = await mkdtemp(join(tmpdir(), 'bytedrop-cli-bundled-sdk-'));
});

afterAll(async () => {
  await removeCli(cli);
  if (home) await rm(home, { recursive: true, force: true });
});

describe('where the AWS SDK is loaded from', () => {
  it('`bytedrop upload` (the built CLI) uploads with no file of the SDK loaded from node_modules, node:http required', async () => {
    const file = join(home, 'small.bin');
    await writeFile(file, randomBytes(10 * 1024));
    const { stdout, loaded, imported } = await probed([cli, 'upload', file, '--format', 'url'], {
      ...cleanEnv(home),
      ...s3EnvOf(s3),
    });
    // The PUT went through, so the SDK ran; and the probe saw the CLI's own imports.
    expect(stdout).toContain(`${s3.endpoint}/${s3.bucket}/`);
    expect(imported.some((path) => path.endsWith('/dist/node/cli.js'))).toBe(true);
    expect(sdkIn(loaded)).toEqual([]);
    // The SDK's `import('node:http')` became a require: an import reads every export of the builtin, and on Node 22+
    // http's WebSocket getter loads undici (tsup.config.ts, `httpThroughRequire`).
    expect(imported.filter((url) => /^node:https?$/.test(url))).toEqual([]);
  });

  it('the library (dist/index.js) still imports it from node_modules, for bundlers (control: the probe sees it)', async () => {
    const entry = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    const config = JSON.stringify({
      provider: 'custom',
      endpoint: s3.endpoint,
      region: 'us-east-1',
      bucket: s3.bucket,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      forcePathStyle: true,
    });
    const script = `const core = await import(${JSON.stringify(entry)});
      await core.createS3Store(core.parseConfig(${config})).check();
      console.log('checked');`;
    const { stdout, loaded, imported } = await probed(['--input-type=module', '-e', script], cleanEnv(home));
    expect(stdout).toContain('checked');
    expect(sdkIn(loaded).some((path) => path.includes('/client-s3/'))).toBe(true);
    expect(sdkIn(imported).some((path) => path.includes('/client-s3/'))).toBe(true);
  });
});
