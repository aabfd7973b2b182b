/**
 * Where a verified direct finish spends its time, on radosgw: each S3 step the finish can be made of, timed on its
 * own, round after round in turn (so drift on a shared machine falls on all alike), with lib-storage's upload of the
 * same bytes as the yardstick. Not a section of `pnpm bench`: a probe to decide what the finish should do.
 *
 * Usage: `npx tsx bench/probes/direct-finish.ts [MiB] [rounds]` (defaults 64 and 5).
 */

import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type DirectTimings, directMultipart } from '../lib/direct-upload.js';
import { clientFor } from '../lib/s3.js';
import { nextMessage, startServer, stopChild } from '../lib/servers.js';
import { summarize } from '../lib/stats.js';
import { forkEndpoint } from './_endpoint.js';

const MiB = 2 ** 20;
const size = Number(process.argv[2] ?? 64) * MiB;
const rounds = Number(process.argv[3] ?? 5);
const PART = 8 * MiB;

const target = await startServer('radosgw');
const s3 = clientFor(target);
const Bucket = target.bucket;
const ACCESS_KEY = 'probe-access-key-0123456789abcdef';
const endpoint = (extra: Record<string, unknown> = {}) => forkEndpoint(target, ACCESS_KEY, size / MiB, extra);
const servers = [endpoint(), endpoint({ keyTemplate: 'bench/{uuid}/{name}.{ext}' })];
const [url, plainUrl] = await Promise.all(
  servers.map(async (child) => `http://127.0.0.1:${await nextMessage<number>(child, 'port')}`),
);
const data = Buffer.alloc(size);
for (let i = 0; i < size; i += 4096) data.writeUInt32LE((i * 2654435761) >>> 0, i);

async function pool<T>(count: number, concurrency: number, fn: (index: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) out[i] = await fn(i);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

async function multipartPut(Key: string) {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const parts = await pool(Math.ceil(size / PART), 4, async (i) => {
    const Body = data.subarray(i * PART, Math.min(size, (i + 1) * PART));
    const out = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body }));
    return { PartNumber: i + 1, ETag: out.ETag };
  });
  return { UploadId, parts };
}

/** The parts PUT to presigned URLs, as a browser would, with `fetch` or with node:http (the SDK's own stack). */
async function presignedPut(Key: string, how: 'fetch' | 'http') {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const parts = await pool(Math.ceil(size / PART), 4, async (i) => {
    const body = data.subarray(i * PART, Math.min(size, (i + 1) * PART));
    const url = await getSignedUrl(s3, new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1 }), {
      expiresIn: 900,
    });
    if (how === 'fetch') {
      const response = await fetch(url, { method: 'PUT', body });
      await response.arrayBuffer();
      return { PartNumber: i + 1, ETag: response.headers.get('etag') ?? '' };
    }
    return new Promise<{ PartNumber: number; ETag: string }>((resolve, reject) => {
      const req = request(
        url,
        { method: 'PUT', agent, headers: { 'content-length': body.byteLength } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ PartNumber: i + 1, ETag: String(res.headers.etag) }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  });
  agent.destroy();
  await s3.send(
    new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }),
  );
}

async function drain(Key: string, hash: boolean, Range?: string) {
  const out = await s3.send(new GetObjectCommand({ Bucket, Key, ...(Range ? { Range } : {}) }));
  const hasher = hash ? createHash('sha256') : undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of out.Body as AsyncIterable<Buffer>) {
    if (Range) chunks.push(chunk);
    else hasher?.update(chunk);
  }
  return Range ? Buffer.concat(chunks) : hasher?.digest('hex');
}

const times: Record<string, number[]> = {};
const note = (name: string, ms: number) => {
  times[name] = [...(times[name] ?? []), ms];
};
const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
  const start = performance.now();
  const result = await fn();
  note(name, performance.now() - start);
  return result;
};

try {
  for (let round = -1; round < rounds; round++) {
    await time('lib-storage upload', () =>
      new Upload({ client: s3, params: { Bucket, Key: 'ls', Body: data } }).done(),
    );
    const { UploadId, parts } = await time('multipart parts (8 MiB, 4 at a time)', () => multipartPut('tmp'));
    await time('complete', () =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key: 'tmp',
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      ),
    );
    await time('presigned parts with fetch + complete', () => presignedPut('pf', 'fetch'));
    await time('presigned parts with node:http + complete', () => presignedPut('ph', 'http'));
    const head = await time('HEAD', () => s3.send(new HeadObjectCommand({ Bucket, Key: 'tmp' })));
    await time('GET whole, discarded', () => drain('tmp', false));
    await time('GET whole, SHA-256', () => drain('tmp', true));
    await time('4 ranged GETs, SHA-256 in order', async () => {
      const hasher = createHash('sha256');
      const span = Math.ceil(size / 4);
      const pieces = Array.from({ length: 4 }, (_, i) =>
        drain('tmp', false, `bytes=${i * span}-${Math.min(size, (i + 1) * span) - 1}`),
      );
      for (const piece of pieces) hasher.update((await piece) as Buffer);
      return hasher.digest('hex');
    });
    await time('CopyObject', () =>
      s3.send(
        new CopyObjectCommand({
          Bucket,
          Key: 'final',
          CopySource: `${Bucket}/tmp`,
          CopySourceIfMatch: head.ETag,
        }),
      ),
    );
    await time('UploadPartCopy (8 MiB ranges, 4 at a time) + complete', async () => {
      const copy = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'final2' }));
      const copied = await pool(Math.ceil(size / PART), 4, async (i) => {
        const out = await s3.send(
          new UploadPartCopyCommand({
            Bucket,
            Key: 'final2',
            UploadId: copy.UploadId,
            PartNumber: i + 1,
            CopySource: `${Bucket}/tmp`,
            CopySourceIfMatch: head.ETag,
            CopySourceRange: `bytes=${i * PART}-${Math.min(size, (i + 1) * PART) - 1}`,
          }),
        );
        return { PartNumber: i + 1, ETag: out.CopyPartResult?.ETag };
      });
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key: 'final2',
          UploadId: copy.UploadId,
          MultipartUpload: { Parts: copied },
        }),
      );
    });
    await time('GET whole SHA-256 beside CopyObject', () =>
      Promise.all([
        drain('tmp', true),
        s3.send(
          new CopyObjectCommand({
            Bucket,
            Key: 'final3',
            CopySource: `${Bucket}/tmp`,
            CopySourceIfMatch: head.ETag,
          }),
        ),
      ]),
    );
    for (const [name, at] of [
      ['{hash}', url],
      ['no {hash}', plainUrl],
    ] as const) {
      const timings: DirectTimings = {};
      await time(`server: direct upload, ${name}`, () => directMultipart(at!, ACCESS_KEY, data, timings));
      note(`server: its create + batch signing, ${name}`, timings.startMs!);
      note(`server: the parts (node:http to signed URLs), ${name}`, timings.partsMs!);
      note(`server: its complete request, ${name}`, timings.finishMs!);
    }
    await target.reclaim();
    if (round < 0) for (const name of Object.keys(times)) times[name] = [];
  }
  const base = summarize(times['lib-storage upload']!).median;
  console.log(
    `${size / MiB} MiB, ${rounds} rounds after a warm-up; load ${(await import('node:os')).loadavg()[0]!.toFixed(2)}`,
  );
  for (const [name, values] of Object.entries(times)) {
    const s = summarize(values);
    console.log(
      `${name.padEnd(58)} ${s.median.toFixed(0).padStart(6)} ms (${s.min.toFixed(0)}–${s.max.toFixed(0)})  ${(s.median / base).toFixed(2)}× lib-storage`,
    );
  }
} finally {
  await Promise.all(servers.map(stopChild));
  await target.stop();
}
