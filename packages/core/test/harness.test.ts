import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type S3Harness, startS3rver } from './_setup/s3rver.js';

// The harness is the ground truth for every S3 test, so it is tested itself: real SigV4, recording, restart.
describe('s3rver harness', () => {
  let s3: S3Harness;
  const client = (
    h: { endpoint: string; accessKeyId: string; secretAccessKey: string },
    secret = h.secretAccessKey,
  ) =>
    new S3Client({
      endpoint: h.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: h.accessKeyId, secretAccessKey: secret },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  beforeAll(async () => {
    s3 = await startS3rver();
  });
  afterAll(() => s3.dispose());

  it('stores bytes, records requests, and keeps objects across a restart', async () => {
    await client(s3).send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'a/b.txt', Body: 'hello' }));
    expect(s3.requests.map((r) => r.method)).toEqual(['PUT']);
    await s3.restart();
    const got = await client(s3).send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'a/b.txt' }));
    expect(await got.Body?.transformToString()).toBe('hello');
  });

  it('rejects a wrong secret like a real provider', async () => {
    await expect(
      client(s3, 'wrong').send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'x', Body: 'x' })),
    ).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
  });

  it('lists open multipart uploads', async () => {
    await client(s3).send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: 'big.bin' }));
    const list = await client(s3).send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }));
    expect(list.Uploads?.map((u) => u.Key)).toEqual(['big.bin']);
    const uploadId = list.Uploads?.[0]?.UploadId;
    await client(s3).send(
      new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: 'big.bin', UploadId: uploadId }),
    );
    const after = await client(s3).send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }));
    expect(after.Uploads ?? []).toEqual([]);
  });

  it('rejects an unknown access key id', async () => {
    const wrong = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'NOPE', secretAccessKey: 'x' },
    });
    await expect(
      wrong.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'x', Body: 'x' })),
    ).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
    });
  });

  it('the global server is provided to test files', () => {
    expect(inject('s3').endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
