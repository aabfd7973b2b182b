/**
 * Load generator for the endpoint comparison: `concurrency` clients on keep-alive connections, each uploading
 * PNGs of distinct bytes (so no upload dedupes) until `total` are done. One generator for both targets, so the
 * only difference between the runs is where the bytes go:
 *   - server: POST {url}/upload, multipart field `file`, `Authorization: Bearer <token>` (what hosts send);
 *   - direct: PUT to presigned URLs of the S3 server (signed before the clock starts).
 * Usage: node load.mjs '<json options>'. Prints `{ seconds, ok, errors, errorSamples, p50, p95 }`.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

const options = JSON.parse(process.argv[2]);
const { mode, total, concurrency } = options;
const base = await readFile(options.png);
/** The unique bytes go mid-file, inside the pixel data: the PNG signature still sniffs as image/png. */
const mid = base.length >> 1;
const UNIQUE = 16;
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

async function presign() {
  const s3 = new S3Client({
    endpoint: options.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const run = randomBytes(4).toString('hex');
  return Promise.all(
    Array.from({ length: total }, (_, i) =>
      getSignedUrl(
        s3,
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: `direct/${run}/${i}.png`,
          ContentType: 'image/png',
        }),
        {
          expiresIn: 3600,
        },
      ),
    ),
  );
}

function send(url, method, headers, parts) {
  return new Promise((resolve) => {
    const length = parts.reduce((n, part) => n + part.length, 0);
    const req = request(url, { method, agent, headers: { ...headers, 'content-length': length } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', (error) => resolve({ status: 0, body: String(error) }));
    });
    req.on('error', (error) => resolve({ status: 0, body: String(error) }));
    for (const part of parts) req.write(part);
    req.end();
  });
}

const urls = mode === 'direct' ? await presign() : [];
const boundary = `----bytedrop-bench-${randomBytes(8).toString('hex')}`;

function upload(i) {
  const unique = randomBytes(UNIQUE);
  const png = [base.subarray(0, mid), unique, base.subarray(mid + UNIQUE)];
  if (mode === 'direct') return send(urls[i], 'PUT', { 'content-type': 'image/png' }, png);
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="paste-${i}.png"\r\nContent-Type: image/png\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return send(
    `${options.url}/upload`,
    'POST',
    { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${options.token}` },
    [head, ...png, tail],
  );
}

let next = 0;
let ok = 0;
const errors = [];
const latencies = [];
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      const { status, body } = await upload(i);
      latencies.push(performance.now() - t0);
      // A 2xx with `success: false` in a JSON body is still a failed upload.
      if (status >= 200 && status < 300 && !/"success"\s*:\s*false/.test(body)) ok++;
      else errors.push(`${status} ${body.slice(0, 300)}`);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
agent.destroy();
latencies.sort((a, b) => a - b);
const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
process.stdout.write(
  `${JSON.stringify({ seconds, ok, errors: errors.length, errorSamples: errors.slice(0, 3), p50: at(50), p95: at(95) })}\n`,
);
