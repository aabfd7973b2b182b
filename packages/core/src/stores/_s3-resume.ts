/**
 * Continuing a multipart upload that an earlier run started (the CLI's `bytedrop upload` of a large file). lib-storage
 * starts uploads and cannot continue one, so this uses the SDK's own ListParts, UploadPart and
 * CompleteMultipartUpload, cutting the body with the part size the first run used.
 *
 * Integrity first: a part the provider lists is kept only when its size and ETag are those of the bytes read now
 * (the MD5 of the part); any other is sent again, with `Content-MD5` for the provider to check. The body is the
 * uploader's verified read, which fails at its end unless every byte hashes to the key's content hash, and that
 * happens before the upload is completed. The completed object's size and multipart ETag are checked last; an object
 * that fails the check is deleted rather than linked.
 */
import type { CompletedPart, Part, S3Client } from '@aws-sdk/client-s3';
import { throwIfAborted } from '../_abort';
import { toAsyncIterable } from '../_body';
import { hexToBase64 } from '../_verify';
import { BytedropError } from '../errors';
import { createHasher } from '../hash';
import type { ResumeRecord } from '../journal';
import type { BodyInput, UploadProgress } from '../types';
import { nameOf, statusOf } from './_s3-client';
import { s3Sdk } from './_s3-sdk';

/** What `continueUpload` needs. */
export interface Continuation {
  client: S3Client;
  bucket: string;
  key: string;
  uploadId: string;
  record: ResumeRecord;
  body: BodyInput;
  /** Parts sent at once (the config's `queueSize`). */
  queueSize: number;
  /** Sends `If-None-Match: *` on the completion (where the provider honours it, like a fresh upload). */
  ifNoneMatch: boolean;
  signal: AbortSignal | undefined;
  /** Starts no part once it fires (`ResumeOptions.stop`): the parts in flight finish, then `ERR_ABORTED`. */
  stop: AbortSignal | undefined;
  onProgress: ((progress: UploadProgress) => void) | undefined;
  /** Told how many listed parts there are before any is sent. */
  onListed: (listed: number, total: number) => void;
  /** Told each part confirmed (kept or sent again). */
  onPart: (partNumber: number) => void;
}

/** The provider no longer knows the upload (expired by a lifecycle rule, or aborted). */
export class UploadGoneError extends Error {
  override name = 'UploadGoneError';
}

const unquote = (etag: string | undefined) => etag?.replace(/^"|"$/g, '');

/** The part's checksums as the provider gave them, which a completion must repeat when the upload has any. */
function checksums(part: Part | CompletedPart): Partial<CompletedPart> {
  const { ChecksumCRC32, ChecksumCRC32C, ChecksumSHA1, ChecksumSHA256 } = part;
  return Object.fromEntries(
    Object.entries({ ChecksumCRC32, ChecksumCRC32C, ChecksumSHA1, ChecksumSHA256 }).filter(
      ([, value]) => value !== undefined,
    ),
  );
}

/** The body in pieces of exactly `size` bytes (the last one shorter). */
async function* pieces(body: BodyInput, size: number): AsyncGenerator<Uint8Array> {
  let buffer = new Uint8Array(size);
  let filled = 0;
  for await (const chunk of toAsyncIterable(body)) {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const taken = Math.min(size - filled, chunk.byteLength - offset);
      buffer.set(chunk.subarray(offset, offset + taken), filled);
      filled += taken;
      offset += taken;
      if (filled === size) {
        yield buffer;
        buffer = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}

/** Every part the provider holds for the upload; `UploadGoneError` when it holds no such upload. */
async function listParts(job: Continuation): Promise<Map<number, Part>> {
  const { ListPartsCommand } = await s3Sdk();
  const listed = new Map<number, Part>();
  let marker: string | undefined;
  do {
    try {
      const page = await job.client.send(
        new ListPartsCommand({
          Bucket: job.bucket,
          Key: job.key,
          UploadId: job.uploadId,
          ...(marker === undefined ? {} : { PartNumberMarker: marker }),
        }),
        { abortSignal: job.signal },
      );
      for (const part of page.Parts ?? []) if (part.PartNumber) listed.set(part.PartNumber, part);
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } catch (error) {
      if (nameOf(error) === 'NoSuchUpload' || statusOf(error) === 404) {
        throw new UploadGoneError(job.uploadId, { cause: error });
      }
      throw error;
    }
  } while (marker);
  return listed;
}

const md5Hex = async (bytes: Uint8Array) => {
  const hasher = await createHasher('md5');
  hasher.update(bytes);
  return hasher.digest();
};

/** The ETag S3 gives a multipart object: the MD5 of its parts' MD5s, then `-<parts>`. */
async function multipartEtag(md5s: readonly string[]): Promise<string> {
  const joined = new Uint8Array(md5s.length * 16);
  md5s.forEach((hex, index) => {
    joined.set(hex.match(/../g)?.map((pair) => Number.parseInt(pair, 16)) ?? [], index * 16);
  });
  return `${await md5Hex(joined)}-${md5s.length}`;
}

/**
 * Sends the parts the provider is missing (or holds with other bytes), completes the upload and checks the object.
 * Resolves to the completion's ETag (radosgw answers none).
 */
export async function continueUpload(job: Continuation): Promise<string | undefined> {
  const { UploadPartCommand, CompleteMultipartUploadCommand, HeadObjectCommand, DeleteObjectCommand } =
    await s3Sdk();
  const { client, bucket: Bucket, key: Key, uploadId: UploadId, record, signal } = job;
  const listed = await listParts(job);
  const total = Math.max(1, Math.ceil(record.size / record.partSize));
  job.onListed(listed.size, total);
  const parts: CompletedPart[] = [];
  const md5s: string[] = [];
  let md5Etags = true;
  let loaded = 0;
  let sentBytes = 0;
  // Up to `queueSize` parts go out at once, as lib-storage sends them; the file is still read (and hashed) in order.
  const sending = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const confirmed = (PartNumber: number, size: number) => {
    job.onPart(PartNumber);
    loaded += size;
    job.onProgress?.({ loaded, total: record.size });
  };
  const send = async (piece: Uint8Array, PartNumber: number, md5: string) => {
    const sent = await client.send(
      new UploadPartCommand({
        Bucket,
        Key,
        UploadId,
        PartNumber,
        Body: piece,
        ContentLength: piece.byteLength,
        ContentMD5: hexToBase64(md5),
      }),
      { abortSignal: signal },
    );
    // Providers that encrypt with their own keys answer other ETags: the object's ETag cannot be checked then.
    if (unquote(sent.ETag) !== md5) md5Etags = false;
    parts[PartNumber - 1] = { PartNumber, ETag: sent.ETag, ...checksums(sent) };
    confirmed(PartNumber, piece.byteLength);
  };
  for await (const piece of pieces(job.body, record.partSize)) {
    if (failure) throw failure.error;
    if (job.stop?.aborted) break;
    const PartNumber = md5s.length + 1;
    const md5 = await md5Hex(piece);
    md5s.push(md5);
    sentBytes += piece.byteLength;
    const held = listed.get(PartNumber);
    if (held?.Size === piece.byteLength && unquote(held.ETag) === md5) {
      parts[PartNumber - 1] = { PartNumber, ETag: held.ETag, ...checksums(held) };
      confirmed(PartNumber, piece.byteLength);
      continue;
    }
    const request: Promise<void> = send(piece, PartNumber, md5)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => sending.delete(request));
    sending.add(request);
    if (sending.size >= job.queueSize) await Promise.race(sending);
  }
  await Promise.all(sending);
  if (failure) throw failure.error;
  throwIfAborted(job.stop, `upload of '${Key}'`);
  // Reached only once the verified read ended, i.e. every byte hashed to the key's hash.
  if (sentBytes !== record.size) {
    throw new BytedropError(
      'ERR_INPUT',
      `the file has ${sentBytes} bytes where the interrupted upload had ${record.size}: nothing was completed; upload it again`,
    );
  }
  const done = await client.send(
    new CompleteMultipartUploadCommand({
      Bucket,
      Key,
      UploadId,
      MultipartUpload: { Parts: parts },
      ...(job.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
    }),
    { abortSignal: signal },
  );
  const stored = await client.send(new HeadObjectCommand({ Bucket, Key }));
  const expected = await multipartEtag(md5s);
  const etag = unquote(stored.ETag);
  const completed = unquote(done.ETag || undefined);
  if (completed !== undefined && etag !== completed) {
    // Another writer's object landed after ours (a provider that does not refuse it): it is theirs, not to delete.
    throw new BytedropError(
      'ERR_CONFLICT',
      `the resumed upload of '${Key}' completed, but another upload replaced it at once: upload the file again`,
    );
  }
  if (stored.ContentLength !== record.size || (md5Etags && etag !== undefined && etag !== expected)) {
    await client.send(new DeleteObjectCommand({ Bucket, Key })).catch(() => undefined);
    throw new BytedropError(
      'ERR_CHECKSUM',
      `the resumed upload of '${Key}' completed as ${stored.ContentLength} bytes with ETag ${etag}, not the ${record.size} bytes with ETag ${expected} that were sent: it was deleted; upload the file again`,
    );
  }
  return done.ETag || undefined;
}
