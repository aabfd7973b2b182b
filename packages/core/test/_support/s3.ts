/**
 * Helpers for tests that talk to s3rver: a config pointing at it, a plain SDK client to look at the bucket from the
 * outside (never through the code under test), and body builders for every `BodyInput` kind.
 */
import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import type { BytedropConfigInput } from '../../src/config-input';

export const MiB = 1024 * 1024;
/** Tests use S3's minimum part size to keep multipart uploads small and fast. */
export const PART = 5 * MiB;

export interface S3Target {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** A raw (unparsed) config for s3rver: path-style, no SDK checksums, objects served at endpoint/bucket. */
export function s3Config(s3: S3Target, overrides: Partial<BytedropConfigInput> = {}): BytedropConfigInput {
  // The environment sets AWS_CA_BUNDLE, which the SDK applies even to plain-http loopback and then fails.
  delete process.env.AWS_CA_BUNDLE;
  return {
    provider: 'custom',
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    publicBaseUrl: `${s3.endpoint}/${s3.bucket}`,
    partSize: PART,
    queueSize: 2,
    ...overrides,
  };
}

/** An SDK client of our own, to inspect the bucket independently of the code under test. */
export function inspector(s3: S3Target): S3Client {
  delete process.env.AWS_CA_BUNDLE;
  return new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function getBytes(client: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await out.Body?.transformToByteArray()) ?? new Uint8Array();
}

export async function headObject(client: S3Client, bucket: string, key: string) {
  try {
    return await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
      return undefined;
    throw error;
  }
}

/** Keys of open multipart uploads; pass a prefix on the shared server, where other files upload concurrently. */
export async function openUploads(client: S3Client, bucket: string, prefix?: string): Promise<string[]> {
  const list = await client.send(
    new ListMultipartUploadsCommand({ Bucket: bucket, ...(prefix ? { Prefix: prefix } : {}) }),
  );
  return (list.Uploads ?? []).map((upload) => upload.Key ?? '');
}

/** Aborts every open multipart upload in the bucket (a test's cleanup of what it kept open on purpose). */
export async function abortAll(client: S3Client, bucket: string): Promise<void> {
  const list = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  for (const { Key, UploadId } of list.Uploads ?? []) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }));
  }
}

export async function listKeys(client: S3Client, bucket: string, prefix?: string): Promise<string[]> {
  const list = await client.send(
    new ListObjectsV2Command({ Bucket: bucket, ...(prefix ? { Prefix: prefix } : {}) }),
  );
  return (list.Contents ?? []).map((object) => object.Key ?? '');
}

/**
 * What an aborted or refused upload may have left behind: open multipart uploads (any key), objects under `prefix`
 * and temporary objects. Empty means nothing is left. Meant for a test file's own server (`useOwnS3rver`): on the
 * shared one, other files' uploads in flight would show up too.
 */
export async function leftovers(s3: S3Target, prefix: string): Promise<string[]> {
  const client = inspector(s3);
  return [
    ...(await openUploads(client, s3.bucket)).map((key) => `open multipart upload of ${key}`),
    ...(await listKeys(client, s3.bucket, prefix)),
    ...(await listKeys(client, s3.bucket, '.bytedrop-tmp/')),
  ];
}

/**
 * Random bytes: incompressible and unique per call, so no two tests dedupe against each other by accident. The first
 * byte is fixed at 0x7F: about one random body in 1,500 starts like an MP3 frame or another signature, and a test
 * expecting `application/octet-stream` then fails at random; no signature file-type knows starts with 0x7F but ELF's
 * four bytes (30,000 bodies sniffed: none matched).
 */
export function bytes(size: number): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(randomBytes(size));
  if (size > 0) data[0] = 0x7f;
  return data;
}

/** A one-shot web stream that hands out `data` in `chunk`-byte pieces. */
export function webStream(data: Uint8Array, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= data.byteLength) {
        controller.close();
        return;
      }
      controller.enqueue(data.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
}

/** A one-shot async iterable that hands out `data` in `chunk`-byte pieces. */
export async function* iterable(data: Uint8Array, chunk = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.byteLength; offset += chunk) yield data.slice(offset, offset + chunk);
}

/** The bytes' SHA-256 in hex, computed independently of core's hasher. */
export async function sha256(data: Uint8Array): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(data).digest('hex');
}

/** Upload-ish requests seen by the server: the ones that carry bytes or create objects. */
export function writes(requests: { method: string; url: string }[]): { method: string; url: string }[] {
  return requests.filter((request) => request.method === 'PUT' || request.method === 'POST');
}

/** True when two byte arrays are equal; cheaper to report than vitest's diff of megabytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}
