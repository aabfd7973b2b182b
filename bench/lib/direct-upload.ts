/**
 * A direct upload through @bytedrop/server's signing routes (Uppy Companion's `/s3/multipart`), as @uppy/aws-s3 does
 * it: the server creates the multipart upload and signs part URLs, the client PUTs the parts straight to S3 (four at
 * a time), then asks the server to complete, which verifies and places the object. Resolves to the final key.
 *
 * The parts go over node:http with a keep-alive agent, the HTTP stack lib-storage (the yardstick) sends its parts
 * with: Node's `fetch` (undici) took 1.4–1.5× as long for the same presigned parts on radosgw
 * (`bench/probes/direct-finish.ts`), a cost of the client, not of the route.
 */
import { Agent, request } from 'node:http';

const PART = 8 * 2 ** 20;
const CONCURRENCY = 4;

async function jsonOf<T>(response: Response, what: string): Promise<T> {
  const body = (await response.json()) as T & { msg?: string };
  if (!response.ok) throw new Error(`${what} failed: ${response.status} ${body.msg ?? ''}`);
  return body;
}

/** What one direct upload spent where: `finishMs` is the complete request alone (the server's verification). */
export interface DirectTimings {
  startMs?: number;
  partsMs?: number;
  finishMs?: number;
}

/** PUTs one part to its presigned URL; resolves to its ETag. */
function putPart(url: string, body: Buffer, agent: Agent, number: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'PUT', agent, headers: { 'content-length': body.byteLength } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          if (res.statusCode === 200 && res.headers.etag) resolve(res.headers.etag);
          else
            reject(new Error(`part ${number}: ${res.statusCode} ${Buffer.concat(chunks).toString('utf8')}`));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * PUTs `data` in 8 MiB parts to their presigned URLs (keyed by part number), four at a time; resolves to the part
 * list, sorted, for the complete call.
 */
export async function sendParts(
  presignedUrls: Record<string, string>,
  data: Buffer,
): Promise<{ PartNumber: number; ETag: string }[]> {
  const numbers = Array.from({ length: Math.ceil(data.byteLength / PART) }, (_, index) => index + 1);
  const parts: { PartNumber: number; ETag: string }[] = [];
  const queue = [...numbers];
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const worker = async () => {
    for (let number = queue.shift(); number !== undefined; number = queue.shift()) {
      const body = data.subarray((number - 1) * PART, Math.min(data.byteLength, number * PART));
      parts.push({
        PartNumber: number,
        ETag: await putPart(presignedUrls[number] as string, body, agent, number),
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    agent.destroy();
  }
  return parts.sort((a, b) => a.PartNumber - b.PartNumber);
}

export async function directMultipart(
  url: string,
  accessKey: string,
  data: Buffer,
  timings: DirectTimings = {},
): Promise<string> {
  const starting = performance.now();
  const headers = { authorization: `Bearer ${accessKey}`, 'content-type': 'application/json' };
  const started = await jsonOf<{ key: string; uploadId: string }>(
    await fetch(`${url}/s3/multipart`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ filename: 'direct-bench.bin', type: 'application/octet-stream' }),
    }),
    'create',
  );
  const query = `key=${encodeURIComponent(started.key)}`;
  const count = Math.ceil(data.byteLength / PART);
  const numbers = Array.from({ length: count }, (_, index) => index + 1);
  const { presignedUrls } = await jsonOf<{ presignedUrls: Record<string, string> }>(
    await fetch(`${url}/s3/multipart/${started.uploadId}/batch?${query}&partNumbers=${numbers.join(',')}`, {
      headers,
    }),
    'batch signing',
  );
  timings.startMs = performance.now() - starting;
  const sending = performance.now();
  const parts = await sendParts(presignedUrls, data);
  timings.partsMs = performance.now() - sending;
  const finishing = performance.now();
  const done = await jsonOf<{ key: string }>(
    await fetch(`${url}/s3/multipart/${started.uploadId}/complete?${query}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ parts }),
    }),
    'complete',
  );
  timings.finishMs = performance.now() - finishing;
  return done.key;
}
