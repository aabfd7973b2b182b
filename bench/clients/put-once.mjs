/**
 * The peer of a `bytedrop upload` of a small file: a bare SDK script that sends one PutObject, nothing else (no
 * hash, no HEAD, no checks). Prints `{ importMs, putMs }`: the SDK's import, and the PUT alone (client built,
 * request sent, answer read), so the bench can add the PUT to an empty Node start and show what the import costs.
 * Usage: node put-once.mjs <endpoint> <bucket> <key> <file> <accessKeyId> <secretAccessKey>.
 */
import { readFile } from 'node:fs/promises';

const [endpoint, bucket, key, path, accessKeyId, secretAccessKey] = process.argv.slice(2);
const body = await readFile(path);
const imported = performance.now();
const { PutObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
const importMs = performance.now() - imported;
const client = new S3Client({
  endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId, secretAccessKey },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
const started = performance.now();
await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
const putMs = performance.now() - started;
process.stdout.write(`${JSON.stringify({ importMs, putMs })}\n`);
