/**
 * The peer of a `bytedrop upload` of a small file: a bare SDK script that sends one PutObject, nothing else (no
 * hash, no HEAD, no checks). Prints `{ putMs }`, the time of the PUT alone (client built, request sent, answer
 * read), so the bench can add it to an empty Node start.
 * Usage: node put-once.mjs <endpoint> <bucket> <key> <file> <accessKeyId> <secretAccessKey>.
 */
import { readFile } from 'node:fs/promises';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const [endpoint, bucket, key, path, accessKeyId, secretAccessKey] = process.argv.slice(2);
const body = await readFile(path);
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
process.stdout.write(`${JSON.stringify({ putMs })}\n`);
