/**
 * A direct upload through @bytedrop/server's signing routes (Uppy Companion's `/s3/multipart`), as @uppy/aws-s3 does
 * it: the server creates the multipart upload and signs part URLs, the client PUTs the parts straight to S3 (four at
 * a time), then asks the server to complete, which verifies and places the object. Resolves to the final key.
 */
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
  const parts: { PartNumber: number; ETag: string }[] = [];
  const queue = [...numbers];
  const worker = async () => {
    for (let number = queue.shift(); number !== undefined; number = queue.shift()) {
      const body = new Uint8Array(
        data.buffer as ArrayBuffer,
        data.byteOffset + (number - 1) * PART,
        Math.min(PART, data.byteLength - (number - 1) * PART),
      );
      const response = await fetch(presignedUrls[number] as string, { method: 'PUT', body });
      if (!response.ok) throw new Error(`part ${number}: ${response.status} ${await response.text()}`);
      parts.push({ PartNumber: number, ETag: response.headers.get('etag') as string });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  parts.sort((a, b) => a.PartNumber - b.PartNumber);
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
