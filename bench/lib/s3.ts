/** The parent's own S3 client: checks each upload landed whole, then deletes it so the next run starts clean. */
import { DeleteObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Target } from './servers.js';

export function clientFor(target: S3Target): S3Client {
  delete process.env.AWS_CA_BUNDLE; // breaks plain-http loopback in the SDK
  return new S3Client({
    endpoint: target.endpoint,
    region: target.region,
    forcePathStyle: true,
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Throws unless `key` exists with `size` bytes; then deletes it (a stored copy would turn the next run into a dedupe). */
export async function verifyAndDelete(
  client: S3Client,
  bucket: string,
  key: string,
  size: number,
): Promise<void> {
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  if (head.ContentLength !== size) {
    throw new Error(`uploaded object ${key} has ${head.ContentLength} bytes, expected ${size}`);
  }
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

/** The Bytedrop config (JSON, as the CLI reads it) for a target: a non-AWS provider, path style. */
export function bytedropConfig(
  target: S3Target,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    provider: 'custom',
    endpoint: target.endpoint,
    region: target.region,
    bucket: target.bucket,
    accessKeyId: target.accessKeyId,
    secretAccessKey: target.secretAccessKey,
    forcePathStyle: true,
    publicBaseUrl: `${target.endpoint}/${target.bucket}`,
    ...extra,
  };
}
