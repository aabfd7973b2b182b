import { access } from 'node:fs/promises';
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { startRadosgw } from './_setup/radosgw';
import { createBucket } from './_setup/rgw/buckets';
import { bytes, getBytes, inspector, listKeys, openUploads } from './_support/s3';

const rgw = inject('rgw');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// The radosgw harness is what the real-S3 tests stand on, so it is tested itself: it must behave like S3 where
// s3rver does not, isolate test files, fail loudly when not installed, and leave nothing running.
describe('radosgw harness (global setup)', () => {
  it('checks SigV4: a wrong secret is refused with SignatureDoesNotMatch', async () => {
    const wrong = new S3Client({
      endpoint: rgw.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: `${rgw.secretAccessKey}x` },
    });
    await expect(wrong.send(new ListBucketsCommand({}))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('lists and aborts multipart uploads', async () => {
    const bucket = await createBucket(rgw, `harness-mpu-${process.pid}`);
    const client = inspector({ ...rgw, bucket });
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'big.bin' }),
    );
    expect(await openUploads(client, bucket)).toEqual(['big.bin']);
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'big.bin', UploadId }));
    expect(await openUploads(client, bucket)).toEqual([]);
  });

  it('gives each test file a bucket of its own, readable without credentials', async () => {
    const [a, b] = await Promise.all([
      createBucket(rgw, `harness-a-${process.pid}`),
      createBucket(rgw, `harness-b-${process.pid}`),
    ]);
    const client = inspector(rgw);
    const data = bytes(100);
    await client.send(new PutObjectCommand({ Bucket: a, Key: 'only-in-a.bin', Body: data }));
    expect(await listKeys(client, a)).toEqual(['only-in-a.bin']);
    expect(await listKeys(client, b)).toEqual([]);
    expect(await getBytes(client, a, 'only-in-a.bin')).toEqual(data);
    const anonymous = await fetch(`${rgw.endpoint}/${a}/only-in-a.bin`);
    expect(anonymous.status).toBe(200);
    expect(new Uint8Array(await anonymous.arrayBuffer())).toEqual(data);
  });

  it('refuses anonymous reads of a bucket made private', async () => {
    const bucket = await createBucket(rgw, `harness-private-${process.pid}`, { publicRead: false });
    await inspector(rgw).send(new PutObjectCommand({ Bucket: bucket, Key: 'secret.txt', Body: 'x' }));
    expect((await fetch(`${rgw.endpoint}/${bucket}/secret.txt`)).status).toBe(403);
  });
});

describe('startRadosgw', () => {
  it('fails, never skips, when the ceph binaries are missing, and says how to install them', async () => {
    await expect(startRadosgw({ path: '/nonexistent' })).rejects.toMatchObject({
      code: 'ERR_RGW_MISSING',
      message: expect.stringContaining('apt-get install --no-install-recommends radosgw ceph-mon ceph-osd'),
    });
  });

  it('dispose kills every daemon and deletes the state directory', async () => {
    const own = await startRadosgw({ bucket: 'own' });
    expect(own.pids).toHaveLength(3);
    expect(own.pids.every(alive)).toBe(true);
    expect((await inspector(own).send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual([
      'own',
    ]);
    await own.dispose();
    expect(own.pids.filter(alive)).toEqual([]);
    await expect(access(own.directory)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
