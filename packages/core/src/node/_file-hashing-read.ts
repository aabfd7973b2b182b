/**
 * Internal: the upload's read of a large file, in a worker thread that hashes each chunk as it reads it.
 *
 * The upload checks that the bytes it sends hash to the hash in the key (`_verify.ts`), so a file that changed since
 * the prepare pass is refused. Over a 1 GiB file that check is one more SHA-256 pass; on the main thread it took
 * 1.3–1.4 s of CPU there, beside the SDK's per-part payload hash, the part copies and the sockets, and `pnpm bench`
 * measured the upload to its sink at 1.19–1.25× the CPU and about 1.2–1.3× the wall time of the same upload without
 * the check (a shared 2-core machine, load 6–9). Here a worker reads each chunk into a buffer of its own, hashes it
 * and transfers it (moved, not copied) to the main thread, which sends exactly those bytes: the digest covers what is
 * sent, and the main thread only passes buffers on. Measured the same way: 1.06–1.10× the CPU, wall within the noise.
 * The worker's last answer is the digest, so it is known before the stream ends and a mismatch still fails the upload
 * before it completes.
 *
 * Chunks are asked for ahead of the one being sent, so reading and hashing overlap the upload. While an answer is
 * awaited the worker keeps the process alive; in between it does not, so an upload abandoned mid-way (lib-storage
 * stops reading on a failure without cancelling) cannot hold the process open. The uploader ends its read after every
 * put, which stops the worker. The cost is memory: a worker's heap and the chunks read ahead, about 25–50 MB more peak
 * RSS over a 1 GiB upload.
 */
import { Buffer } from 'node:buffer';
import { Worker } from 'node:worker_threads';
import type { HashAlgorithm } from '../types';
import type { DigestSnapshot } from './_file-digest';

/** Bytes per chunk: the file Blob's own read size (`_file-blob.ts`), which lib-storage's part buffers are tuned to. */
const CHUNK = 2 * 1024 * 1024;
/**
 * The first chunk's size (`LEAD` in `_file-blob.ts`): each part lib-storage joins is then a part plus 64 KiB, not a
 * part plus a whole chunk.
 */
const LEAD = 64 * 1024;
/**
 * Chunks asked for ahead of the one being sent: 4 MiB, so the worker keeps reading while the main thread is busy with
 * a part (its payload hash, the copy into the part buffer) instead of waiting to be asked. Each chunk ahead is memory
 * held, so no more than that (issue 16; it was 8 MiB).
 */
const AHEAD = 2;

/**
 * The worker, as source (CommonJS, `eval: true`, so it runs the same from a bundle as from dist). It answers each
 * message with one of `{ chunk }`, `{ hash }` (after the last chunk) or `{ error: { name, message, code } }`.
 */
const WORKER_SOURCE = `
const { parentPort, workerData: job } = require('node:worker_threads');
const { openSync, readSync, fstatSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const unchanged = (s) => s.size === job.snapshot.size && s.mtimeMs === job.snapshot.mtimeMs && s.ino === job.snapshot.ino;
const changed = () => Object.assign(new Error("'" + job.path + "' changed after it was opened"), { name: 'NotReadableError' });
const hash = createHash(job.algorithm);
let fd;
let digest;
let position = job.start;
parentPort.on('message', () => {
  try {
    if (digest !== undefined) return parentPort.postMessage({ hash: digest });
    if (fd === undefined) {
      fd = openSync(job.path, 'r');
      if (!unchanged(fstatSync(fd))) throw changed();
    }
    if (position >= job.end) {
      // Checked again at the end: a write during the read must not pass unnoticed.
      if (!unchanged(fstatSync(fd))) throw changed();
      digest = hash.digest('hex');
      parentPort.postMessage({ hash: digest });
      return;
    }
    // A buffer of its own per chunk, since it is handed over; not zero-filled, since the read overwrites it whole.
    // allocUnsafeSlow, not allocUnsafe: a short last chunk (under 4 KiB) would be a slice of the shared pool, which
    // Node 24 refuses to transfer (DataCloneError) and older Nodes transferred whole, pool and all.
    const size = position === job.start ? job.lead : job.chunk;
    const chunk = Buffer.allocUnsafeSlow(Math.min(size, job.end - position));
    for (let filled = 0; filled < chunk.length; ) {
      const read = readSync(fd, chunk, filled, chunk.length - filled, position + filled);
      if (read === 0) throw changed();
      filled += read;
    }
    hash.update(chunk);
    position += chunk.length;
    parentPort.postMessage({ chunk }, [chunk.buffer]);
  } catch (error) {
    parentPort.postMessage({ error: { name: error.name, message: error.message, code: error.code } });
  }
});
`;

interface Answer {
  chunk?: Uint8Array;
  hash?: string;
  error?: { name: string; message: string; code?: string };
}

/** The worker's error as the main thread would have seen it: a NotReadableError stays one. */
function toError(error: NonNullable<Answer['error']>): Error {
  if (error.name === 'NotReadableError') return new DOMException(error.message, 'NotReadableError');
  return Object.assign(new Error(error.message), { name: error.name, code: error.code });
}

/**
 * The worker's answers, in the order asked. Keeps the process alive only while an answer is awaited; a worker that
 * fails or stops fails every request still open.
 */
function answers(worker: Worker, path: string): () => Promise<Answer> {
  const open: { resolve(answer: Answer): void; reject(error: Error): void }[] = [];
  const settled = () => {
    if (open.length === 0) worker.unref();
  };
  const failAll = (error: Error) => {
    for (const request of open.splice(0)) request.reject(error);
    settled();
  };
  worker.on('message', (answer: Answer) => {
    open.shift()?.resolve(answer);
    settled();
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => {
    failAll(new Error(`the read worker for '${path}' stopped (exit code ${code}) before it answered`));
  });
  worker.unref();
  return () =>
    new Promise<Answer>((resolve, reject) => {
      open.push({ resolve, reject });
      worker.ref();
      worker.postMessage(0);
    });
}

/**
 * Reads bytes `start`…`end` of the file at `path` in a worker thread, hashing them with `algorithm` as they are read.
 * `chunks` yields the bytes (a `NotReadableError` when the file is not the one `snapshot` describes, before or after
 * the read); once it has ended, `digest()` resolves to the hash of exactly the bytes it yielded. Stopping early
 * (`return()`, as a cancelled stream does) stops the worker.
 */
export function readFileHashing(
  path: string,
  snapshot: DigestSnapshot,
  range: { start: number; end: number },
  algorithm: HashAlgorithm,
): { chunks: AsyncIterable<Uint8Array>; digest(): Promise<string> } {
  let hash: string | undefined;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path, snapshot, start: range.start, end: range.end, algorithm, chunk: CHUNK, lead: LEAD },
    });
    const ask = answers(worker, path);
    // The worker reads and hashes up to AHEAD chunks while the ones before are sent.
    const ahead = Array.from({ length: AHEAD }, ask);
    try {
      while (true) {
        const answer = await (ahead.shift() ?? ask());
        if (answer.error) throw toError(answer.error);
        if (answer.hash !== undefined) {
          hash = answer.hash;
          return;
        }
        ahead.push(ask());
        const chunk = answer.chunk ?? new Uint8Array(0);
        yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      }
    } finally {
      // Requests still open fail with the worker's exit: nobody waits for them any more.
      for (const request of ahead) request.catch(() => undefined);
      void worker.terminate();
    }
  }
  return {
    chunks: { [Symbol.asyncIterator]: chunks },
    digest: async () => {
      if (hash === undefined) throw new Error(`the read of '${path}' has not ended: no digest yet`);
      return hash;
    },
  };
}
