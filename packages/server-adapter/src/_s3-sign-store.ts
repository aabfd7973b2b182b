/**
 * The S3 side of the signing routes: multipart uploads to TEMPORARY keys under the server's temporary prefix
 * (`.bytedrop-tmp/server/s3/<id>`), a small `<key>.info` record of who started each one, and presigned part URLs.
 * The client never writes a final key: what it sends is only trusted once the server has read it back
 * (`_s3-sign-finish.ts`). Everything here is under the temporary prefix, so the housekeeping sweep removes what an
 * abandoned upload left (the multipart upload, the record, an assembled object).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { BytedropError, toBytedropError } from '@bytedrop/core';
import { SERVER_TEMP_PREFIX } from './_housekeeping';
import { loadS3Sdk } from './_s3-sdk';
import { StorageFailure } from './response';

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

let presigner: Promise<typeof import('@aws-sdk/s3-request-presigner')> | undefined;
const presign = () => (presigner ??= import('@aws-sdk/s3-request-presigner'));

const statusOf = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const nameOf = (error: unknown) => (error as { name?: string }).name ?? '';

/** True for a key this server handed out for a direct upload. */
export const isSignKey = (key: string) => KEY_PATTERN.test(key);

/** The temporary uploads of one bucket. */
export function createSignStore(client: S3Client, bucket: string) {
  const storage = (error: unknown, key: string) =>
    new StorageFailure(toBytedropError(error, { bucket, key }));
  const send = async <T>(key: string, make: (s3: typeof import('@aws-sdk/client-s3')) => T) => {
    try {
      // biome-ignore lint/suspicious/noExplicitAny: every command of the SDK goes through one `send`.
      return (await client.send(make(await loadS3Sdk()) as any)) as any;
    } catch (error) {
      throw Object.assign(storage(error, key), { s3Name: nameOf(error), s3Status: statusOf(error) });
    }
  };
  const remove = (key: string) =>
    send(key, (s3) => new s3.DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(
      (error: { s3Status?: number }) => {
        if (error.s3Status !== 404) throw error;
      },
    );

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
      const created = await send(
        key,
        (s3) => new s3.CreateMultipartUploadCommand({ Bucket: bucket, Key: key }),
      );
      const record: SignRecord = { ...fields, uploadId: created.UploadId, started: Date.now() };
      await send(
        key,
        (s3) =>
          new s3.PutObjectCommand({
            Bucket: bucket,
            Key: `${key}.info`,
            Body: JSON.stringify(record),
            ContentType: 'application/json',
          }),
      );
      return { key, uploadId: record.uploadId };
    },
    /** The record of `key`, or `undefined` when there is none (finished, aborted, swept or never started). */
    async record(key: string): Promise<SignRecord | undefined> {
      try {
        const out = await send(key, (s3) => new s3.GetObjectCommand({ Bucket: bucket, Key: `${key}.info` }));
        return JSON.parse(await out.Body.transformToString()) as SignRecord;
      } catch (error) {
        if ((error as { s3Status?: number }).s3Status === 404) return undefined;
        throw error;
      }
    },
    /** A presigned `UploadPart` URL: the signature covers key, upload id and part number, so it fits one part only. */
    async partUrl(key: string, uploadId: string, partNumber: number, expiresIn: number): Promise<string> {
      const [s3, { getSignedUrl }] = await Promise.all([loadS3Sdk(), presign()]);
      const command = new s3.UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
      });
      return getSignedUrl(client, command, { expiresIn });
    },
    /** Every part uploaded so far (all pages). */
    async parts(key: string, uploadId: string): Promise<ListedPart[]> {
      const parts: ListedPart[] = [];
      let marker: string | undefined;
      do {
        const out = await send(
          key,
          (s3) =>
            new s3.ListPartsCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              PartNumberMarker: marker,
            }),
        );
        for (const part of out.Parts ?? [])
          parts.push({ PartNumber: part.PartNumber, Size: part.Size, ETag: part.ETag });
        marker = out.IsTruncated ? out.NextPartNumberMarker : undefined;
      } while (marker !== undefined);
      return parts;
    },
    /** Assembles the parts at the temporary key; S3's `InvalidPart` (a part never uploaded) is the client's 400. */
    async complete(key: string, uploadId: string, parts: { PartNumber: number; ETag: string }[]) {
      try {
        await send(
          key,
          (s3) =>
            new s3.CompleteMultipartUploadCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              MultipartUpload: { Parts: parts },
            }),
        );
      } catch (error) {
        const name = (error as { s3Name?: string }).s3Name ?? '';
        if (/InvalidPart|EntityTooSmall|MalformedXML/.test(name)) {
          throw new BytedropError(
            'ERR_INPUT',
            `storage refused to assemble the parts (${name}): every listed part must have been uploaded with its ETag, and every part but the last must be at least 5 MiB; GET /s3/multipart/<uploadId>?key=… lists what arrived`,
          );
        }
        throw error;
      }
    },
    /** The assembled object's size and ETag. */
    async stat(key: string): Promise<{ size: number; etag: string }> {
      const out = await send(key, (s3) => new s3.HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { size: Number(out.ContentLength ?? 0), etag: String(out.ETag ?? '') };
    },
    /** The assembled object's bytes, of the version with this ETag only (a changed object answers 412). */
    async *read(key: string, etag: string | undefined): AsyncGenerator<Uint8Array> {
      const command = { Bucket: bucket, Key: key, ...(etag ? { IfMatch: etag } : {}) };
      const out = await send(key, (s3) => new s3.GetObjectCommand(command));
      yield* out.Body as AsyncIterable<Uint8Array>;
    },
    /** Ends the multipart upload (if still open) and removes the object and the record: nothing is left. */
    async discard(key: string, uploadId: string | undefined) {
      if (uploadId !== undefined) {
        await send(
          key,
          (s3) => new s3.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }),
        ).catch((error: { s3Status?: number }) => {
          if (error.s3Status !== 404) throw error;
        });
      }
      await Promise.all([remove(key), remove(`${key}.info`)]);
    },
  };
}

/** The temporary uploads of one handler. */
export type SignStore = ReturnType<typeof createSignStore>;
