/**
 * The endpoint section's second floor: the least a proxying upload server built on @aws-sdk/client-s3 (which
 * Bytedrop's design names) must do for one upload. The same receive and SHA-256 as floor-proxy.mjs, then one
 * `PutObjectCommand` through one `S3Client` for the whole process: keep-alive handler, path style, checksums only when
 * required (as Bytedrop asks of a non-AWS provider), the body as one joined Buffer, and the SHA-256 already taken given
 * to the signer as `x-amz-content-sha256` so that SigV4 does not hash the body a second time (Bytedrop's server does
 * the same). The SDK's logger middleware is removed, as core removes it: without a logger it only masks fields for
 * lines nobody sees. No HEAD, no condition, no multipart parsing, no key template: what it spends beyond
 * floor-proxy.mjs is the SDK's own cost per request, and the join. The body is one buffer because the SDK can send a
 * buffer again on a retry and a stream it cannot: a server that keeps the SDK's retries must hold its body that way.
 *
 * Same IPC protocol as floor-proxy.mjs: sends `{ port }` once listening, answers 'usage'. Usage (forked):
 * node floor-sdk-proxy.mjs '<{ endpoint, region?, bucket, accessKeyId, secretAccessKey } json>'.
 */
import { Agent } from 'node:http';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { serveFloor } from './_floor.mjs';

delete process.env.AWS_CA_BUNDLE; // breaks plain-http loopback in the SDK
const [targetJson] = process.argv.slice(2);
const { endpoint, region, bucket, accessKeyId, secretAccessKey } = JSON.parse(targetJson);
const client = new S3Client({
  endpoint,
  region: region ?? 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId, secretAccessKey },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
  requestHandler: { httpAgent: new Agent({ keepAlive: true }) },
});
client.middlewareStack.remove('loggerMiddleware');
/** Each PUT's payload hash by its key, set before the send and read by the middleware below before signing. */
const payloadHashes = new Map();
client.middlewareStack.add(
  (next) => (args) => {
    const hash = payloadHashes.get(args.input.Key);
    if (hash) args.request.headers['x-amz-content-sha256'] = hash;
    return next(args);
  },
  { step: 'build', name: 'floor:payloadHash' },
);
let uploads = 0;

serveFloor(({ chunks, digest }) => {
  const Key = `floor-sdk/${uploads++}-${digest.slice(0, 16)}.png`;
  payloadHashes.set(Key, digest);
  return client
    .send(
      new PutObjectCommand({ Bucket: bucket, Key, Body: Buffer.concat(chunks), ContentType: 'image/png' }),
    )
    .then(() => Key)
    .finally(() => payloadHashes.delete(Key));
});
