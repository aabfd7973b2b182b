/**
 * The CLI `require`s the AWS SDK (tsup.config.ts, `sdkThroughRequire`): its packages are CommonJS, and an `import` of
 * one makes Node scan its whole source for export names first, about 300 ms of CPU per `bytedrop upload`. The library
 * builds keep `import()`, which an app's bundler follows. What is checked is where the SDK's files went through, not a time: the probe sees every file a process
 * loads, and which of them the ES module loader handled.
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
const SDK = /node_modules\/@aws-sdk\/(client-s3|lib-storage|s3-request-presigner)\//;
const sdkIn = (paths: string[]) => [...new Set(paths.filter((path) => SDK.test(path)))];

let cli: string;
let home: string;

beforeAll(async () => {
  cli = await buildCli();
  home = await mkdtemp(join(tmpdir(), 'bytedrop-sdk-require-'));
});

afterAll(async () => {
  await removeCli(cli);
  if (home) await rm(home, { recursive: true, force: true });
});

describe('where the AWS SDK is loaded from', () => {
  it('`bytedrop upload` (the built CLI) uploads with the SDK loaded through require', async () => {
    const file = join(home, 'small.bin');
    await writeFile(file, randomBytes(10 * 1024));
    const { stdout, loaded, imported } = await probed([cli, 'upload', file, '--format', 'url'], {
      ...cleanEnv(home),
      ...s3EnvOf(s3),
    });
    expect(stdout).toContain(`${s3.endpoint}/${s3.bucket}/`);
    // Control: the SDK did load (client-s3 and lib-storage, for the PUT), and the probe saw the CLI's own imports.
    expect(sdkIn(loaded).map((path) => path.match(SDK)![1])).toEqual(
      expect.arrayContaining(['client-s3', 'lib-storage']),
    );
    expect(imported.some((path) => path.endsWith('/dist/node/cli.js'))).toBe(true);
    expect(sdkIn(imported)).toEqual([]);
  });

  it('the library (dist/index.js) still imports it, for bundlers (control: the probe tells the two apart)', async () => {
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
