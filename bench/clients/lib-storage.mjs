/**
 * One file through plain @aws-sdk/lib-storage with its defaults (5 MiB parts, 4 at a time), the way its README
 * shows it: a read stream as Body. Checksums are asked for only when required, as Bytedrop does for non-AWS
 * providers (s3rver understands neither CRC32 trailers nor aws-chunked bodies).
 * Usage: node lib-storage.mjs <endpoint> <bucket> <key> <file>. Prints `{ key }`.
 */
import { createReadStream } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

const [endpoint, bucket, key, path] = process.argv.slice(2);
const client = new S3Client({
  endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
await new Upload({ client, params: { Bucket: bucket, Key: key, Body: createReadStream(path) } }).done();
process.stdout.write(`${JSON.stringify({ key })}\n`);
