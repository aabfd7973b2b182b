/**
 * The built `bytedrop-server` bin, as `pnpm start` runs it: local disk with a generated key, and S3 configured by
 * ByteGo's environment variables alone.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startS3rver } from '../../core/test/_setup/s3rver';
import { inspector, listKeys, openUploads } from '../../core/test/_support/s3';
import { BIN, cleanEnv, exited, heldUpload, type Started, start } from './_support/bin';
import { PNG } from './_support/fixtures';
import { freePort, waitFor } from './_support/net';
import { requireBuiltBin } from './_support/require';

const upload = async (url: string, key: string) => {
  const form = new FormData();
  form.append('file', new Blob([PNG], { type: 'image/png' }), 'shot.png');
  const response = await fetch(`${url}/upload`, {
    method: 'POST',
    body: form,
    headers: { authorization: key },
  });
  return (await response.json()) as { success: boolean; url: string; msg?: string };
};

/** ByteGo's variables for a bucket: what a deployment moved over from it sets. */
const byteGoS3Env = (s3: {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}) => ({
  S3_ENDPOINT: s3.endpoint,
  S3_BUCKET: s3.bucket,
  S3_ACCESS_KEY: s3.accessKeyId,
  S3_SECRET_KEY: s3.secretAccessKey,
  S3_REGION: 'us-east-1',
  PUBLIC_DOMAIN: `${s3.endpoint}/${s3.bucket}`,
});

// The bin is tested as built (`pnpm test` and CI build first).
describe('bytedrop-server bin', () => {
  // Fails every test here, saying to build, when there is no built bin to run.
  beforeAll(() => void requireBuiltBin());
  let running: Started | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    running?.child.kill('SIGTERM');
    if (running && running.child.exitCode === null)
      await new Promise((resolve) => running!.child.once('exit', resolve));
    running = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('without S3: local disk, a generated key printed until used and never logged, a working page and link', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-bin-'));
    running = await start({ BYTEDROP_DATA_DIR: dir });
    const key = /Access key \(generated, saved to .*keys\.json;.*\): (\S+)/.exec(running.stderr())?.[1];
    expect(key).toBeDefined();
    expect(JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8'))).toEqual({
      keys: [{ name: 'default', key }],
    });
    expect(await (await fetch(running.url)).text()).toContain('<title>Bytedrop</title>');
    const json = await upload(running.url, key!);
    expect(json.url).toMatch(new RegExp(`^${running.url}/f/`));
    expect(new Uint8Array(await (await fetch(json.url)).arrayBuffer())).toEqual(PNG);
    expect(running.stdout()).toContain('"status":200');
    expect(running.stdout()).not.toContain(key!);

    // A restart reuses the saved key and, since it was used, does not print it again.
    running.child.kill('SIGTERM');
    await new Promise((resolve) => running!.child.once('exit', resolve));
    running = await start({ BYTEDROP_DATA_DIR: dir });
    expect(running.stderr()).not.toContain(key!);
    expect(running.stderr()).toMatch(/Access keys: 1 from .*keys\.json/);
    expect((await upload(running.url, key!)).success).toBe(true);
  });

  it("with ByteGo's environment variables: S3_*, PUBLIC_DOMAIN, AUTH_KEY, MAX_FILE_SIZE_MB", async () => {
    const s3 = inject('s3');
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-bin-'));
    running = await start({
      BYTEDROP_DATA_DIR: dir,
      ...byteGoS3Env(s3),
      AUTH_KEY: 'bytego-style-key-123',
      MAX_FILE_SIZE_MB: '1',
      LOG_LEVEL: 'warn',
    });
    expect(running.stderr()).toContain(`S3 bucket '${s3.bucket}'`);
    const json = await upload(running.url, 'bytego-style-key-123');
    expect(json).toMatchObject({ success: true });
    // The SDK's Node-version notice (on Node 20) stays out of the server's log.
    expect(running.stderr()).not.toMatch(/NodeVersionSupportWarning|AWS SDK/);
    expect(json.url.startsWith(`${s3.endpoint}/${s3.bucket}/`)).toBe(true);
    expect(new Uint8Array(await (await fetch(json.url)).arrayBuffer())).toEqual(PNG);
    const big = new FormData();
    big.append('file', new Blob([new Uint8Array(1024 * 1024 + 1)]), 'big.bin');
    const tooBig = await fetch(`${running.url}/upload`, {
      method: 'POST',
      body: big,
      headers: { authorization: 'bytego-style-key-123' },
    });
    expect(tooBig.status).toBe(413);
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
  });

  it('reads storage and server settings from --config, with the environment winning', async () => {
    const s3 = inject('s3');
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-bin-'));
    const file = join(dir, 'server.json');
    await writeFile(
      file,
      JSON.stringify({
        provider: 'minio',
        endpoint: s3.endpoint,
        bucket: s3.bucket,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
        forcePathStyle: true,
        publicBaseUrl: `${s3.endpoint}/${s3.bucket}`,
        server: { AUTH_KEY: 'key-from-the-file', MAX_FILE_SIZE_MB: 1, LOG_LEVEL: 'debug' },
      }),
    );
    running = await start({ BYTEDROP_DATA_DIR: dir, LOG_LEVEL: 'warn' }, ['--config', file]);
    expect(running.stderr()).toContain(`S3 bucket '${s3.bucket}'`);
    expect((await upload(running.url, 'key-from-the-file')).success).toBe(true);
    // LOG_LEVEL=warn from the environment won over the file's debug: no request lines.
    expect(running.stdout()).not.toContain('"msg":"request"');
  });
  it('refuses a weak BYTEDROP_SECRET at start with ERR_CONFIG naming the fix', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-bin-'));
    const child = spawn(process.execPath, [BIN], {
      cwd: dir,
      env: {
        ...cleanEnv(),
        XDG_CONFIG_HOME: dir,
        BYTEDROP_DATA_DIR: dir,
        PORT: String(await freePort()),
        BYTEDROP_SECRET: 'a',
      },
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    // Stopped by afterEach should it start after all.
    running = { child, url: '', stderr: () => stderr, stdout: () => '' };
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /ERR_CONFIG: BYTEDROP_SECRET is 1 character long: use at least 32 random characters/,
    );
  });

  describe('SIGTERM with an upload in flight', () => {
    const MiB = 1024 * 1024;
    const KEY = 'shutdown-test-key-1';

    /** Starts the bin on its own s3rver (so its open multipart uploads are this test's alone). */
    const startOnS3 = async (grace: string) => {
      const s3 = await startS3rver();
      try {
        dir = await mkdtemp(join(tmpdir(), 'bytedrop-bin-'));
        running = await start({
          BYTEDROP_DATA_DIR: dir,
          ...byteGoS3Env(s3),
          AUTH_KEY: KEY,
          SHUTDOWN_GRACE_S: grace,
        });
      } catch (error) {
        // The test disposes of the s3rver it is handed; a bin that did not start hands it none.
        await s3.dispose();
        throw error;
      }
      return { s3, client: inspector(s3) };
    };

    it('refuses new connections, lets the upload finish within the grace period, and exits 0', async () => {
      const { s3, client } = await startOnS3('30');
      try {
        const held = await heldUpload(running!.url, KEY, 24 * MiB, 12 * MiB);
        await waitFor(
          'a multipart upload to be open',
          async () => (await openUploads(client, s3.bucket)).length > 0,
        );
        running!.child.kill('SIGTERM');
        const exit = exited(running!.child);
        await waitFor('new connections to be refused', () =>
          fetch(`${running!.url}/health`).then(
            () => false,
            () => true,
          ),
        );
        expect(running!.child.exitCode).toBeNull();
        await held.finish();
        const answer = await held.answer;
        expect(answer).toMatchObject({ status: 200 });
        expect(await exit).toBe(0);
        expect(await openUploads(client, s3.bucket)).toEqual([]);
        expect(await listKeys(client, s3.bucket)).toHaveLength(1);
      } finally {
        await s3.dispose();
      }
    });

    it('aborts the upload still running after the grace period: no object, no multipart upload, exit 0', async () => {
      const { s3, client } = await startOnS3('0.2');
      try {
        const held = await heldUpload(running!.url, KEY, 24 * MiB, 12 * MiB);
        await waitFor(
          'a multipart upload to be open',
          async () => (await openUploads(client, s3.bucket)).length > 0,
        );
        running!.child.kill('SIGTERM');
        expect(await exited(running!.child)).toBe(0);
        expect(await held.answer).toBeInstanceOf(Error);
        expect(await openUploads(client, s3.bucket)).toEqual([]);
        expect(await listKeys(client, s3.bucket)).toEqual([]);
        expect(running!.stdout()).toMatch(/aborted/);
      } finally {
        await s3.dispose();
      }
    });
  });
});
