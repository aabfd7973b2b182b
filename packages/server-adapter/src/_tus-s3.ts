/**
 * tus uploads in flight on S3, never on the server's disk: the bytes go to a multipart upload on a temporary key
 * under the server's temporary prefix, in parts of exactly `partSize` bytes (R2 wants every part but the last equal),
 * without tags. Bytes past the last full part wait in a small `<key>.tail` object until a later PATCH fills the part,
 * and the record is `<key>.info`. A chunk that fails its checksum leaves the record as it was: parts it uploaded
 * carry numbers past the committed ones and are overwritten by the next PATCH, or left out of the Complete.
 * Everything is under the server's temporary prefix, so the housekeeping sweep removes what an abandoned upload
 * left (the multipart upload and both small objects).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { BytedropError, isBytedropError, toBytedropError } from '@bytedrop/core';
import { loadS3Sdk } from './_s3-sdk';
import { StorageFailure } from './response';
import type { Appended, ChunkCheck, TusBackend, TusUpload } from './tus-store';

/** The SDK's commands, loaded with the first tus upload on S3: servers that never take one never load them. */

/** Options of `createTusS3Backend`. */
export interface TusS3Options {
  client: S3Client;
  bucket: string;
  /** Where uploads wait (the server's temporary prefix plus `tus/`). */
  prefix: string;
  /** Every part but the last (at least 5 MiB, S3's smallest part). */
  partSize: number;
}

const MIN_PART = 5 * 1024 * 1024;

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

async function bytesOf(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Holds bytes until a whole part is there; `take` hands out exactly `size` bytes. */
class PartBuffer {
  private chunks: Uint8Array[] = [];
  size = 0;
  push(chunk: Uint8Array) {
    this.chunks.push(chunk);
    this.size += chunk.byteLength;
  }
  take(size: number): Uint8Array {
    const all = Buffer.concat(this.chunks, this.size);
    this.chunks = all.byteLength > size ? [all.subarray(size)] : [];
    this.size -= Math.min(size, all.byteLength);
    return all.subarray(0, size);
  }
}

/**
 * The S3 backend of the tus endpoint, over the S3 client and bucket of core's S3 store.
 *
 * @example
 * ```ts
 * const backend = createTusS3Backend({ client: store.client, bucket: store.bucket, prefix: '.bytedrop-tmp/server/tus/', partSize: 8 << 20 });
 * ```
 */
export function createTusS3Backend(options: TusS3Options): TusBackend {
  const { client, bucket, prefix } = options;
  const partSize = Math.max(MIN_PART, options.partSize);
  const keyOf = (id: string) => `${prefix}${id}`;
  // Marked as storage's: a provider failure is answered 502/503/504, never blamed on the client.
  const storage = (error: unknown, key: string) =>
    new StorageFailure(toBytedropError(error, { bucket, key }));

  const putObject = async (key: string, body: Uint8Array | string, contentType: string) => {
    try {
      await client.send(
        new (await loadS3Sdk()).PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
        }),
      );
    } catch (error) {
      throw storage(error, key);
    }
  };
  const getObject = async (key: string, signal?: AbortSignal, etag?: string) => {
    try {
      const command = { Bucket: bucket, Key: key, ...(etag === undefined ? {} : { IfMatch: etag }) };
      const out = await client.send(new (await loadS3Sdk()).GetObjectCommand(command), {
        ...(signal ? { abortSignal: signal } : {}),
      });
      return out.Body as AsyncIterable<Uint8Array>;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw storage(error, key);
    }
  };
  const deleteObject = async (key: string) => {
    try {
      await client.send(new (await loadS3Sdk()).DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (statusOf(error) !== 404) throw storage(error, key);
    }
  };
  const save = (upload: TusUpload) =>
    putObject(`${keyOf(upload.id)}.info`, JSON.stringify(upload), 'application/json');

  const uploadPart = async (upload: TusUpload, number: number, body: Uint8Array): Promise<string> => {
    const key = keyOf(upload.id);
    try {
      if (upload.uploadId === undefined) {
        const created = await client.send(
          new (await loadS3Sdk()).CreateMultipartUploadCommand({ Bucket: bucket, Key: key }),
        );
        upload.uploadId = created.UploadId!;
        // Recorded at once: a later failure must still find (and abort) this multipart upload.
        await save(upload);
      }
      const out = await client.send(
        new (await loadS3Sdk()).UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: upload.uploadId,
          PartNumber: number,
          Body: body,
          ContentLength: body.byteLength,
        }),
      );
      return out.ETag ?? '';
    } catch (error) {
      throw storage(error, key);
    }
  };

  async function append(
    upload: TusUpload,
    body: AsyncIterable<Uint8Array>,
    check?: ChunkCheck,
  ): Promise<Appended> {
    const buffer = new PartBuffer();
    if (upload.tailSize > 0) {
      const tail = await getObject(`${keyOf(upload.id)}.tail`);
      if (!tail) throw new BytedropError('ERR_NOT_FOUND', `the bytes of tus upload ${upload.id} are gone`);
      buffer.push(await bytesOf(tail));
    }
    const parts = [...upload.parts];
    let received = 0;
    let cut: unknown;
    const chunks = body[Symbol.asyncIterator]();
    while (true) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await chunks.next();
      } catch (error) {
        // A limit is the client's error; a body that broke off is a cut, kept below unless checksummed.
        if (isBytedropError(error)) throw error;
        cut = error;
        break;
      }
      if (next.done) break;
      check?.update(next.value);
      buffer.push(next.value);
      received += next.value.byteLength;
      while (buffer.size >= partSize) {
        const number = parts.length + 1;
        parts.push({ number, etag: await uploadPart(upload, number, buffer.take(partSize)) });
      }
    }
    if (check && (cut !== undefined || !(await check.matches()))) {
      return cut === undefined ? { offset: upload.offset, mismatch: true } : { offset: upload.offset, cut };
    }
    const offset = upload.offset + received;
    const tailKey = `${keyOf(upload.id)}.tail`;
    const rest = buffer.take(buffer.size);
    if (offset === upload.length && upload.uploadId !== undefined) {
      // The last part may be short (or, when the file is a whole number of parts, there is none left).
      if (rest.byteLength > 0 || parts.length === 0) {
        const number = parts.length + 1;
        parts.push({ number, etag: await uploadPart(upload, number, rest) });
      }
      try {
        await client.send(
          new (await loadS3Sdk()).CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: keyOf(upload.id),
            UploadId: upload.uploadId,
            MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.number, ETag: part.etag })) },
          }),
        );
      } catch (error) {
        throw storage(error, keyOf(upload.id));
      }
      upload.tailSize = 0;
      await deleteObject(tailKey);
    } else if (rest.byteLength > 0 || upload.tailSize > 0) {
      // A file smaller than a part never needs a multipart upload: its bytes stay in the tail until finished.
      await putObject(tailKey, rest, 'application/octet-stream');
      upload.tailSize = rest.byteLength;
    }
    upload.parts = parts;
    upload.offset = offset;
    await save(upload);
    return cut === undefined ? { offset } : { offset, cut };
  }

  return {
    kind: 's3',
    create: save,
    save,
    async load(id) {
      const body = await getObject(`${keyOf(id)}.info`);
      if (!body) return undefined;
      return JSON.parse(Buffer.from(await bytesOf(body)).toString('utf8')) as TusUpload;
    },
    append,
    async *read(upload, signal, etag) {
      const key = upload.uploadId === undefined ? `${keyOf(upload.id)}.tail` : keyOf(upload.id);
      if (upload.offset === 0) return;
      const body = await getObject(key, signal, etag);
      if (!body) throw new BytedropError('ERR_NOT_FOUND', `the bytes of tus upload ${upload.id} are gone`);
      yield* body;
    },
    async stored(upload) {
      // One object only once the multipart upload is complete; a tail (less than a part) is cheaper to write again.
      if (upload.uploadId === undefined || upload.offset !== upload.length) return undefined;
      const key = keyOf(upload.id);
      try {
        const out = await client.send(
          new (await loadS3Sdk()).HeadObjectCommand({ Bucket: bucket, Key: key }),
        );
        return out.ETag ? { key, etag: out.ETag } : undefined;
      } catch (error) {
        throw storage(error, key);
      }
    },
    async discard(upload, discardOptions = {}) {
      const key = keyOf(upload.id);
      if (upload.uploadId !== undefined && upload.offset !== upload.length) {
        await client
          .send(
            new (await loadS3Sdk()).AbortMultipartUploadCommand({
              Bucket: bucket,
              Key: key,
              UploadId: upload.uploadId,
            }),
          )
          .catch(() => undefined);
      }
      await Promise.all([
        deleteObject(key),
        deleteObject(`${key}.tail`),
        discardOptions.keepRecord ? undefined : deleteObject(`${key}.info`),
      ]);
    },
  };
}
