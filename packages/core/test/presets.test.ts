import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config';
import type { BytedropConfigInput } from '../src/config-input';
import { createS3Store } from '../src/stores/s3';
import { createUploader } from '../src/uploader';
import type { RecordedRequest } from './_setup/s3rver';
import { useOwnS3rver } from './_support/own-s3rver';
import { bytes, inspector, iterable, PART, s3Config } from './_support/s3';

const s3 = useOwnS3rver();

/** The headers R2 and B2 reject (aws-sdk-js-v3#6810), plus the ACL R2 rejects. */
function forbiddenHeaders(requests: RecordedRequest[]): string[] {
  return requests.flatMap((request) =>
    Object.keys(request.headers)
      .filter(
        (name) =>
          name.startsWith('x-amz-checksum-') ||
          name === 'x-amz-sdk-checksum-algorithm' ||
          name === 'x-amz-trailer' ||
          name === 'x-amz-acl',
      )
      .map((name) => `${request.method} ${request.url}: ${name}`),
  );
}

/** A single PUT, a multipart upload, and a long stream (temp key → CopyObject → DELETE): every request kind we send. */
async function uploadEveryWay(config: BytedropConfigInput) {
  const uploader = createUploader(config);
  await uploader.upload(bytes(100), { filename: 'small.bin' });
  await uploader.upload(bytes(PART + 1), { filename: 'multi.bin' });
  await uploader.upload(iterable(bytes(PART + 2)), { filename: 'stream.bin' });
  const methods = new Set(s3.requests.map((r) => r.method));
  // Guard against a vacuous pass: every request kind really went out.
  expect([...methods].sort()).toEqual(['DELETE', 'HEAD', 'POST', 'PUT']);
  expect(s3.requests.some((r) => 'x-amz-copy-source' in r.headers)).toBe(true);
}

describe('provider presets on the wire', () => {
  it.each(['r2', 'b2', 'minio'] as const)(
    '%s sends no x-amz-checksum-*, no x-amz-sdk-checksum-algorithm and no x-amz-acl',
    async (provider) => {
      // Path-style because s3rver has no wildcard DNS; the preset's checksum and ACL behaviour is what is tested.
      await uploadEveryWay(s3Config(s3, { provider, forcePathStyle: true, region: undefined }));
      expect(forbiddenHeaders(s3.requests)).toEqual([]);
    },
  );

  it('sends x-amz-acl on every object-creating request when acl is configured', async () => {
    await uploadEveryWay(s3Config(s3, { provider: 'r2', forcePathStyle: true, acl: 'public-read' }));
    const creating = s3.requests.filter(
      (r) =>
        (r.method === 'PUT' && !r.url.includes('partNumber=')) ||
        (r.method === 'POST' && r.url.includes('?uploads')),
    );
    expect(creating.length).toBeGreaterThanOrEqual(4);
    expect(creating.map((r) => r.headers['x-amz-acl'])).toEqual(creating.map(() => 'public-read'));
  });

  it('control: an SDK client with default checksums does send the headers the presets avoid', async () => {
    // Proves the assertion above can fail: the recorder sees these headers when the SDK sends them.
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      requestChecksumCalculation: 'WHEN_SUPPORTED',
    });
    await client
      .send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'control', Body: bytes(10) }))
      .catch(() => undefined); // s3rver may not understand the aws-chunked trailer; the headers were sent anyway
    expect(forbiddenHeaders(s3.requests).join('\n')).toMatch(
      /x-amz-(checksum-crc32|sdk-checksum-algorithm|trailer)/,
    );
  });

  it('an injected client is used as is, with the store still applying the bucket and ACL settings', async () => {
    const client = inspector(s3); // any SDK client of the caller's
    const store = createS3Store(parseConfig(s3Config(s3)), { client });
    expect(store.client).toBe(client);
    await store.put('injected.txt', bytes(3), { contentType: 'text/plain' });
    expect(await store.head('injected.txt')).toMatchObject({ size: 3, contentType: 'text/plain' });
  });

  it('a custom requestHandler (how Obsidian routes requests through requestUrl) carries every request', async () => {
    // A real handler underneath, wrapped the way a host adapter would be: the store must send through it.
    const inner = new S3Client({ region: 'us-east-1' }).config.requestHandler;
    const handled: string[] = [];
    const requestHandler = {
      handle: (request: { method: string; path: string }, options?: unknown) => {
        handled.push(`${request.method} ${request.path}`);
        return (inner as { handle: (r: unknown, o?: unknown) => Promise<never> }).handle(request, options);
      },
    };
    const uploader = createUploader(s3Config(s3, { keyTemplate: 'handler/{hash}' }), {
      requestHandler: requestHandler as unknown as NonNullable<
        Parameters<typeof createS3Store>[1]
      >['requestHandler'],
    });
    await uploader.upload(bytes(PART + 1), { filename: 'via-handler.bin' });
    expect(handled.length).toBeGreaterThanOrEqual(5); // HEAD, create, two parts, complete
    expect(handled).toEqual(s3.requests.map((r) => `${r.method} ${r.url.split('?')[0]}`));
  });
});
