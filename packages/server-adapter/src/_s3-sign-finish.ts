/**
 * Finishing a direct upload, which is where the trust gap closes. The client wrote bytes to a temporary key only;
 * the server assembles them there, checks the size against the limit, then reads the object back through core's
 * uploader exactly like a `PUT /upload/<name>` body (`storeFile`): core sniffs the type (allowed types), hashes the
 * bytes itself, and writes the content-addressed key from its template (dedupe, metadata, owner). Nothing the client
 * claimed about the bytes is believed. The file is recorded in the catalog, the temporary object removed, and the
 * answer is Companion's `{ location, key }` on top of the JSON `POST /upload` gives.
 *
 * Reading the object back costs one transfer from storage to the server; the bytes are not sent back: core copies
 * the version it read (by its ETag) to the final key inside the storage (`copyFrom`), where it would otherwise have
 * written them again. Images small enough to strip are the exception: their stored bytes are not the ones sent.
 */
import { BytedropError } from '@bytedrop/core';
import { recordUploads, untrackUpload } from './_catalog-write';
import { quotaGate } from './_quota';
import { S3_SIGN_PREFIX, type SignRecord, type SignStore } from './_s3-sign-store';
import { limitBytes, tooLarge } from './_stream';
import type { Uploads } from './_tus-finish';
import type { AccessKey } from './auth';
import { json } from './response';
import type { App, RouteContext } from './types';

/** Checks the `parts` list of a complete request: `[{ PartNumber, ETag }]`, numbers 1..10000, ascending. */
export function partsOf(body: unknown): { PartNumber: number; ETag: string }[] {
  const parts = (body as { parts?: unknown } | null)?.parts;
  if (!Array.isArray(parts) || parts.length === 0) {
    throw new BytedropError(
      'ERR_INPUT',
      'the complete request needs a JSON body `{ "parts": [{ "PartNumber": 1, "ETag": "…" }, …] }` with at least one part',
    );
  }
  const checked = parts.map((part: { PartNumber?: unknown; ETag?: unknown }, index) => {
    const number = Number(part?.PartNumber);
    if (!Number.isInteger(number) || number < 1 || number > 10_000 || typeof part?.ETag !== 'string') {
      throw new BytedropError(
        'ERR_INPUT',
        `part ${index + 1} of the list is not { PartNumber: 1..10000, ETag: string }: send the numbers and ETags the part uploads answered`,
      );
    }
    return { PartNumber: number, ETag: part.ETag };
  });
  return checked.sort((a, b) => a.PartNumber - b.PartNumber);
}

/**
 * The client's claim about the whole file, if it makes one: `contentMd5`, the base64 MD5 of the file (as the
 * `Content-MD5` of `PUT /upload`). Core checks it against the bytes the server reads back, and a mismatch is refused
 * (`ERR_CHECKSUM`) before anything is placed. Checked before the parts are assembled, so a malformed claim leaves the
 * upload open for a retry.
 */
export function claimOf(body: unknown): string | undefined {
  const claim = (body as { contentMd5?: unknown } | null)?.contentMd5;
  if (claim === undefined) return undefined;
  if (typeof claim !== 'string' || !/^[A-Za-z0-9+/]{22}==$/.test(claim)) {
    throw new BytedropError(
      'ERR_INPUT',
      '`contentMd5` of the complete request is not the base64 of a 16-byte MD5 digest: send base64(md5(file)), e.g. `openssl md5 -binary shot.png | base64`, or leave it out',
    );
  }
  return claim;
}

/** Assembles, verifies and places the upload at `key`; on any refusal nothing is left at the temporary key. */
export async function finishDirect(
  app: App,
  uploads: Uploads,
  store: SignStore,
  key: string,
  record: SignRecord,
  parts: { PartNumber: number; ETag: string }[],
  contentMd5: string | undefined,
  who: AccessKey,
  context: RouteContext,
): Promise<Response> {
  // A part list naming parts that never arrived is the client's to fix: the upload stays open for a retry.
  await store.complete(key, record.uploadId, parts);
  // Placed or refused, the temporary object and its record go; the sweep covers a failure here.
  const cleanUp = async () => {
    await untrackUpload(app, key.slice(S3_SIGN_PREFIX.length));
    await store
      .discard(key, undefined)
      .catch((error: unknown) =>
        app.logger.error({ err: error, key }, 'could not remove a direct upload: the sweep will'),
      );
  };
  let result: Awaited<ReturnType<Uploads['storeFile']>>;
  try {
    const { size, etag } = await store.stat(key);
    if (size > app.maxFileSize) throw tooLarge(record.filename, app.maxFileSize);
    // The size is known before a byte is read: a file the key's quota cannot take is refused (and removed) at once.
    // The gate then still cuts the read-back, should the object not be the size it said.
    const quota = quotaGate(app, who, context.log);
    await quota?.fits(record.filename, size);
    result = await uploads.storeFile(
      {
        field: 's3',
        filename: record.filename,
        mimeType: record.type,
        ...(contentMd5 === undefined ? {} : { contentMd5 }),
        // Read back whole and hashed by core: the only bytes that are trusted are the ones the server read. Core
        // then copies that very version (by its ETag) to the final key, rather than writing the bytes again.
        body: limitBytes(store.read(key, etag || undefined), app.maxFileSize, record.filename),
        // A storage that names no ETag gets the bytes written again: there is no version to copy safely.
        ...(etag ? { copyFrom: { key, etag } } : {}),
      },
      who,
      // The bytes are all in storage: a client that leaves now does not undo the file.
      { signal: new AbortController().signal, quota },
    );
  } catch (error) {
    await cleanUp();
    throw error;
  }
  // The file is placed: its temporary copy goes while it is recorded and described, and both end before the answer,
  // so a client that sees the link finds nothing left behind.
  const [described, cleaned] = await Promise.allSettled([
    recordUploads(app, [result], who, context.requestId, context.log).then(() =>
      uploads.describe(result, who, context.origin),
    ),
    cleanUp(),
  ]);
  if (described.status === 'rejected') throw described.reason;
  if (cleaned.status === 'rejected') throw cleaned.reason;
  const files = [described.value];
  uploads.announce(files, who, context.requestId);
  const body = (await uploads.answer(files).json()) as Record<string, unknown>;
  // `location` and `key` are what @uppy/aws-s3 reads; the rest is the usual Bytedrop answer.
  return json({ location: files[0]!.url, key: files[0]!.key, ...body }, 200, undefined, app.ResponseClass);
}
