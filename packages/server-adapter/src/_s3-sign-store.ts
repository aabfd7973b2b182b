/**
 * The S3 side of the signing routes: multipart uploads to TEMPORARY keys under the server's temporary prefix
 * (`.bytedrop-tmp/server/s3/<id>`), a small `<key>.info` record of who started each one, and presigned part URLs.
 * The client never writes a final key: what it sends is only trusted once the server has read it back
 * (`_s3-sign-finish.ts`). Everything here is under the temporary prefix, so the housekeeping sweep removes what an
 * abandoned upload left (the multipart upload, the record, an assembled object).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { BytedropError, createS3Parts, isBytedropError } from '@bytedrop/core';
import { SERVER_TEMP_PREFIX } from './_housekeeping';
import { readAll } from './_stream';
import { fromStorage, StorageFailure } from './response';

/** Where direct uploads wait until the server has checked them. */
export const S3_SIGN_PREFIX = `${SERVER_TEMP_PREFIX}s3/`;

const KEY_PATTERN = /^\.bytedrop-tmp\/server\/s3\/[0-9a-f]{32}$/;

/** Who started a direct upload, and what it said it is. */
export interface SignRecord {
  owner: string;
  uploadId: string;
  filename: string;
  type: string;
  metadata: Record<string, string>;
  started: number;
}

/** One uploaded part, as Companion lists them. */
export interface ListedPart {
  PartNumber: number;
  Size: number;
  ETag: string;
}

/** True for a key this server handed out for a direct upload. */
export const isSignKey = (key: string) => KEY_PATTERN.test(key);

/** The temporary uploads of one bucket. */
export function createSignStore(client: S3Client, bucket: string) {
  const s3 = createS3Parts(client, bucket);

  return {
    bucket,
    /** Starts a multipart upload on a new temporary key and records who owns it. */
    async start(
      fields: Omit<SignRecord, 'uploadId' | 'started'>,
    ): Promise<{ key: string; uploadId: string }> {
      const id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
        b.toString(16).padStart(2, '0'),
      ).join('');
      const key = `${S3_SIGN_PREFIX}${id}`;
      const uploadId = await fromStorage(s3.create(key));
      const record: SignRecord = { ...fields, uploadId, started: Date.now() };
      await fromStorage(s3.put(`${key}.info`, JSON.stringify(record), 'application/json'));
      return { key, uploadId };
    },
    /** The record of `key`, or `undefined` when there is none (finished, aborted, swept or never started). */
    async record(key: string): Promise<SignRecord | undefined> {
      const body = await fromStorage(s3.get(`${key}.info`));
      if (!body) return undefined;
      return JSON.parse(Buffer.from(await readAll(body)).toString('utf8')) as SignRecord;
    },
    /** A presigned `UploadPart` URL: the signature covers key, upload id and part number, so it fits one part only. */
    partUrl: (key: string, uploadId: string, partNumber: number, expiresIn: number): Promise<string> =>
      s3.partUrl(key, uploadId, partNumber, expiresIn),
    /** Every part uploaded so far (all pages), as Companion answers them. */
    async parts(key: string, uploadId: string): Promise<ListedPart[]> {
      const parts = await fromStorage(s3.listParts(key, uploadId));
      return parts.map((part) => ({ PartNumber: part.partNumber, Size: part.size, ETag: part.etag }));
    },
    /** Assembles the parts at the temporary key; a part list S3 refuses (a part never uploaded) is the client's 400. */
    async complete(key: string, uploadId: string, parts: { PartNumber: number; ETag: string }[]) {
      try {
        await s3.complete(
          key,
          uploadId,
          parts.map((part) => ({ partNumber: part.PartNumber, etag: part.ETag })),
        );
      } catch (error) {
        if (!isBytedropError(error, 'ERR_INPUT')) throw new StorageFailure(error);
        throw new BytedropError(
          'ERR_INPUT',
          `${error.message}; GET /s3/multipart/<uploadId>?key=… lists what arrived`,
          { cause: error, status: 400 },
        );
      }
    },
    /** The assembled object's size and ETag. */
    async stat(key: string): Promise<{ size: number; etag: string }> {
      const found = await fromStorage(s3.stat(key));
      if (!found) {
        throw new StorageFailure(
          new BytedropError('ERR_NOT_FOUND', `the assembled direct upload '${key}' is gone`, { status: 404 }),
        );
      }
      return found;
    },
    /** The assembled object's bytes, of the version with this ETag only (a changed object answers 412). */
    async *read(key: string, etag: string | undefined): AsyncGenerator<Uint8Array> {
      const body = await fromStorage(s3.get(key, etag ? { etag } : {}));
      if (!body) {
        throw new StorageFailure(
          new BytedropError('ERR_NOT_FOUND', `the assembled direct upload '${key}' is gone`, { status: 404 }),
        );
      }
      yield* body;
    },
    /** Ends the multipart upload (if still open) and removes the object and the record: nothing is left. */
    async discard(key: string, uploadId: string | undefined) {
      if (uploadId !== undefined) await fromStorage(s3.abort(key, uploadId));
      await Promise.all([fromStorage(s3.remove(key)), fromStorage(s3.remove(`${key}.info`))]);
    },
  };
}

/** The temporary uploads of one handler. */
export type SignStore = ReturnType<typeof createSignStore>;
