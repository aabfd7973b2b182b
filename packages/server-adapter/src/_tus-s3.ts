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
import {
  BytedropError,
  createPartBuffer,
  createS3Parts,
  isBytedropError,
  MIN_PART_SIZE,
} from '@bytedrop/core';
import { readAll } from './_stream';
import { fromStorage, StorageFailure } from './response';
import type { Appended, ChunkCheck, TusBackend, TusUpload } from './tus-store';

/** Options of `createTusS3Backend`. */
export interface TusS3Options {
  client: S3Client;
  bucket: string;
  /** Where uploads wait (the server's temporary prefix plus `tus/`). */
  prefix: string;
  /** Every part but the last (at least 5 MiB, S3's smallest part). */
  partSize: number;
}

/**
 * The part size of a record stored before records kept it: its parts so far are whole parts of one size (the short
 * last part is sent only when the upload finishes), and every byte past them waits in the tail. An upload with no
 * part yet can take any size.
 */
function partSizeOf(upload: TusUpload): number | undefined {
  if (upload.parts.length === 0) return undefined;
  return (upload.offset - upload.tailSize) / upload.parts.length;
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
  const { prefix } = options;
  const s3 = createS3Parts(options.client, options.bucket);
  const partSize = Math.max(MIN_PART_SIZE, options.partSize);
  const keyOf = (id: string) => `${prefix}${id}`;
  const save = (upload: TusUpload) =>
    fromStorage(s3.put(`${keyOf(upload.id)}.info`, JSON.stringify(upload), 'application/json'));

  const uploadPart = async (upload: TusUpload, number: number, body: Uint8Array): Promise<string> => {
    const key = keyOf(upload.id);
    if (upload.uploadId === undefined) {
      upload.uploadId = await fromStorage(s3.create(key));
      // Recorded at once: a later failure must still find (and abort) this multipart upload.
      await save(upload);
    }
    return fromStorage(s3.uploadPart(key, upload.uploadId, number, body));
  };

  async function append(
    upload: TusUpload,
    body: AsyncIterable<Uint8Array>,
    check?: ChunkCheck,
  ): Promise<Appended> {
    upload.partSize ??= partSizeOf(upload) ?? partSize;
    const buffer = createPartBuffer(upload.partSize);
    const parts = [...upload.parts];
    const send = async (full: Uint8Array[]) => {
      for (const part of full) {
        const number = parts.length + 1;
        parts.push({ number, etag: await uploadPart(upload, number, part) });
      }
    };
    if (upload.tailSize > 0) {
      const tail = await fromStorage(s3.get(`${keyOf(upload.id)}.tail`));
      if (!tail) throw new BytedropError('ERR_NOT_FOUND', `the bytes of tus upload ${upload.id} are gone`);
      await send(buffer.push(await readAll(tail)));
    }
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
      received += next.value.byteLength;
      await send(buffer.push(next.value));
    }
    if (check && (cut !== undefined || !(await check.matches()))) {
      return cut === undefined ? { offset: upload.offset, mismatch: true } : { offset: upload.offset, cut };
    }
    const offset = upload.offset + received;
    const tailKey = `${keyOf(upload.id)}.tail`;
    const rest = buffer.flush();
    if (offset === upload.length && upload.uploadId !== undefined) {
      // The last part may be short (or, when the file is a whole number of parts, there is none left).
      if (rest.byteLength > 0 || parts.length === 0) {
        const number = parts.length + 1;
        parts.push({ number, etag: await uploadPart(upload, number, rest) });
      }
      await fromStorage(
        s3.complete(
          keyOf(upload.id),
          upload.uploadId,
          parts.map((part) => ({ partNumber: part.number, etag: part.etag })),
        ),
      );
      upload.tailSize = 0;
      await fromStorage(s3.remove(tailKey));
    } else if (rest.byteLength > 0 || upload.tailSize > 0) {
      // A file smaller than a part never needs a multipart upload: its bytes stay in the tail until finished.
      await fromStorage(s3.put(tailKey, rest, 'application/octet-stream'));
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
      const body = await fromStorage(s3.get(`${keyOf(id)}.info`));
      if (!body) return undefined;
      return JSON.parse(Buffer.from(await readAll(body)).toString('utf8')) as TusUpload;
    },
    append,
    async *read(upload, signal, etag) {
      const key = upload.uploadId === undefined ? `${keyOf(upload.id)}.tail` : keyOf(upload.id);
      if (upload.offset === 0) return;
      const body = await fromStorage(
        s3.get(key, { ...(signal ? { signal } : {}), ...(etag === undefined ? {} : { etag }) }),
      );
      if (!body) throw new BytedropError('ERR_NOT_FOUND', `the bytes of tus upload ${upload.id} are gone`);
      yield* body;
    },
    async stored(upload) {
      // One object only once the multipart upload is complete; a tail (less than a part) is cheaper to write again.
      if (upload.uploadId === undefined || upload.offset !== upload.length) return undefined;
      const key = keyOf(upload.id);
      const found = await fromStorage(s3.stat(key));
      if (!found) {
        throw new StorageFailure(
          new BytedropError('ERR_NOT_FOUND', `the bytes of tus upload ${upload.id} are gone`, {
            status: 404,
          }),
        );
      }
      return found.etag ? { key, etag: found.etag } : undefined;
    },
    async discard(upload, discardOptions = {}) {
      const key = keyOf(upload.id);
      if (upload.uploadId !== undefined && upload.offset !== upload.length) {
        // Best effort: the sweep aborts what is left of an upload that could not be aborted now.
        await s3.abort(key, upload.uploadId).catch(() => undefined);
      }
      await Promise.all([
        fromStorage(s3.remove(key)),
        fromStorage(s3.remove(`${key}.tail`)),
        discardOptions.keepRecord ? undefined : fromStorage(s3.remove(`${key}.info`)),
      ]);
    },
  };
}
