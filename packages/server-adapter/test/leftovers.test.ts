/**
 * Nothing left behind by a server that is killed mid-upload (`kill -9`: no shutdown, no abort). On radosgw: the
 * journal in the data directory lets the next start abort the multipart upload at once; without the journal, the
 * periodic sweep of the server's temporary prefix removes it; uploads other tools left elsewhere are never touched.
 * On local disk: the partial file is gone after the restart.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateMultipartUploadCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useRgw } from '../../core/test/_support/rgw';
import { inspector } from '../../core/test/_support/s3';
import { exited, heldUpload, type Started, start } from './_support/bin';
import { waitFor } from './_support/net';
import { requireBuiltBin } from './_support/require';
import { objectsIn, uploadsIn } from './_support/rgw-server';

const MiB = 1024 * 1024;
const KEY = 'leftovers-test-key-1';
const TEMP = '.bytedrop-tmp/server/';

const rgw = useRgw('server-leftovers');

describe('leftovers of a killed server', () => {
  // Fails every test here, saying to build, when there is no built bin to run.
  beforeAll(() => void requireBuiltBin());
  const running: Started[] = [];
  let dir: string;
  afterEach(async () => {
    for (const server of running.splice(0)) {
      server.child.kill('SIGKILL');
      await exited(server.child);
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const startOnRgw = async (env: Record<string, string> = {}) => {
    const server = await start({
      BYTEDROP_DATA_DIR: dir,
      S3_ENDPOINT: rgw.endpoint,
      S3_BUCKET: rgw.bucket,
      S3_ACCESS_KEY: rgw.accessKeyId,
      S3_SECRET_KEY: rgw.secretAccessKey,
      S3_REGION: 'us-east-1',
      PUBLIC_DOMAIN: `${rgw.direct.endpoint}/${rgw.bucket}`,
      BYTEDROP_PART_SIZE_MB: '5',
      AUTH_KEY: KEY,
      ...env,
    });
    running.push(server);
    return server;
  };

  /** Starts a 24 MiB upload and kills the server with SIGKILL while radosgw holds its second part. */
  const killMidUpload = async () => {
    const server = await startOnRgw();
    const stall = rgw.proxy.stall({
      operation: 'UploadPart',
      partNumber: 2,
      key: /^\.bytedrop-tmp\/server\//,
    });
    const held = await heldUpload(server.url, KEY, 24 * MiB, 12 * MiB);
    await stall.held;
    expect(await uploadsIn(rgw, TEMP)).toHaveLength(1);
    server.child.kill('SIGKILL');
    await exited(server.child);
    held.destroy();
    await rgw.proxy.reset();
  };

  it('aborts the multipart upload at the next start, from the journal in the data directory', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-leftovers-'));
    await killMidUpload();
    expect(await readdir(join(dir, 'journal'))).not.toEqual([]);
    const restarted = await startOnRgw();
    // Recovery runs before the server takes requests, so it is done once the server says it runs.
    expect(restarted.stdout()).toContain('recovered');
    expect(await uploadsIn(rgw)).toEqual([]);
    expect(await objectsIn(rgw, '.bytedrop-tmp/')).toEqual([]);
    expect(await readdir(join(dir, 'journal'))).toEqual([]);
  });

  it('sweeps it without the journal, and never touches what other tools left outside its prefix', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-leftovers-'));
    const client = inspector(rgw.direct);
    // Another tool's multipart uploads and temporary object: the CLI's prefix and a key of its own.
    for (const Key of ['.bytedrop-tmp/cli-upload', 'other/big.bin']) {
      await client.send(new CreateMultipartUploadCommand({ Bucket: rgw.bucket, Key }));
    }
    await client.send(new PutObjectCommand({ Bucket: rgw.bucket, Key: '.bytedrop-tmp/cli-temp', Body: 'x' }));
    await killMidUpload();
    await rm(join(dir, 'journal'), { recursive: true });
    // The shortest threshold allowed is the longest a request can live: the timeouts are made short to match.
    const restarted = await startOnRgw({
      HEADERS_TIMEOUT_S: '1',
      REQUEST_TIMEOUT_S: '1',
      STORAGE_TIMEOUT_S: '1',
      SWEEP_AFTER_S: '2',
      SWEEP_INTERVAL_S: '0.2',
    });
    expect(restarted.stdout()).not.toContain('recovered');
    await waitFor('the sweep to remove the upload', () => restarted.stdout().includes('swept'));
    expect(restarted.stdout()).toMatch(/"abortedUploads":\["\.bytedrop-tmp\/server\/[^"]+"\]/);
    expect(await uploadsIn(rgw, TEMP)).toEqual([]);
    expect(await objectsIn(rgw, TEMP)).toEqual([]);
    expect((await uploadsIn(rgw)).sort()).toEqual(['.bytedrop-tmp/cli-upload', 'other/big.bin']);
    expect(await objectsIn(rgw, '.bytedrop-tmp/')).toEqual(['.bytedrop-tmp/cli-temp']);
  });

  it('on local disk: the partial file is gone after a restart, and was never served', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-leftovers-'));
    const files = join(dir, 'files');
    const server = await start({ BYTEDROP_DATA_DIR: dir, AUTH_KEY: KEY });
    running.push(server);
    const held = await heldUpload(server.url, KEY, 24 * MiB, 12 * MiB);
    const [partial] = await waitFor('a partial file', async () =>
      (await readdir(join(files, '.bytedrop-partial')).catch(() => [])).filter(Boolean),
    );
    expect((await fetch(`${server.url}/f/.bytedrop-partial/${partial}`)).status).toBe(404);
    server.child.kill('SIGKILL');
    await exited(server.child);
    held.destroy();
    const restarted = await start({ BYTEDROP_DATA_DIR: dir, AUTH_KEY: KEY });
    running.push(restarted);
    expect(await readdir(join(files, '.bytedrop-partial'))).toEqual([]);
    expect(await readdir(files, { recursive: true })).not.toContain(
      expect.stringMatching(/bytedrop-tmp\/server\/./),
    );
  });
});
