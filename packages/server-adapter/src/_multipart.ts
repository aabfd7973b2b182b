/**
 * Streams a multipart/form-data body through busboy and hands every file part to `handle` as it arrives, without
 * buffering whole files. Limits are enforced while streaming; on the first failure reading stops, an upload still
 * reading its body is aborted, and the failure is thrown only after every upload has settled (so nothing is left
 * half-written when the response goes out). An upload that had read its whole body is let finish instead: an abort
 * then could land after storage committed the object, whose key the caller would never hear of; finished, it is in
 * the results the caller rolls back.
 *
 * A file's MD5 comes in a `Content-MD5` form field right before its part, not as a part header: RFC 7578 §4.8 tells
 * receivers to ignore part headers other than Content-Type and Content-Disposition (so no browser's FormData and
 * few clients can send one), and busboy, which streams each part, does not expose them.
 */
import { isBytedropError } from '@bytedrop/core';
import type busboy from 'busboy';
import { KEEP_METADATA, keepMetadata } from './_keep-metadata';
import { PRIVATE_FIELD, privateFlag } from './_private';
import { tooLarge } from './_stream';
import { fail } from './response';

/** The form field that carries the MD5 of the file part after it. */
export const MD5_FIELD = 'Content-MD5';

/** A file part, as the route sees it. */
export interface IncomingFile {
  /** The form field it came in (`file`, `files`, `file[]`, …); any name is accepted. */
  field: string;
  filename: string;
  /** The type the client declared; the sniffed type wins in core. */
  mimeType: string;
  /** The MD5 the client declared for these bytes (base64), checked by core while they stream. */
  contentMd5?: string;
  /** A `keep-metadata` form field before this part: keep (true) or strip (false) the image's metadata. */
  keepMetadata?: boolean;
  /** A `private` form field before this part: store it private (true) or public (false). */
  private?: boolean;
  /**
   * The body is this object of the server's own store at this ETag (a direct upload assembled there): core reads
   * and hashes it, then copies it inside the storage instead of writing the bytes again.
   */
  copyFrom?: { key: string; etag: string };
  body: AsyncIterable<Uint8Array>;
}

export interface MultipartLimits {
  maxFileSize: number;
  maxFiles: number;
  /** Non-file fields tolerated (PicGo and ShareX clients send a few). */
  maxFields: number;
}

/**
 * Parses `body` (the body of `request`, whose headers and signal are used) and runs `handle` for each file part, in
 * order. Resolves to their results in order; rejects with the first failure (a limit, a malformed body, a client
 * gone, or what `handle` threw) once every `handle` has settled: the caller hears of each one that succeeded
 * through its own `handle`, and undoes those.
 */
export async function forEachFile<T>(
  request: Request,
  body: AsyncIterable<Uint8Array> | undefined,
  limits: MultipartLimits,
  handle: (file: IncomingFile, signal: AbortSignal) => Promise<T>,
): Promise<T[]> {
  // busboy (and the Node streams under it) loads with the first multipart upload, not with the handler.
  const { default: busboy } = await import('busboy');
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': request.headers.get('content-type') ?? '' },
      limits: {
        // busboy flags a file as truncated when it *reaches* `fileSize`; one more byte lets exactly-max files through.
        fileSize: limits.maxFileSize + 1,
        files: limits.maxFiles,
        fields: limits.maxFields,
        parts: limits.maxFiles + limits.maxFields,
        headerPairs: 64,
        fieldSize: 64 * 1024,
      },
      defParamCharset: 'utf8',
    });
  } catch (error) {
    throw fail(
      'ERR_INPUT',
      `malformed multipart request (${(error as Error).message}): send multipart/form-data with a boundary, as \`curl -F file=@shot.png\` does`,
    );
  }

  const controller = new AbortController();
  let failure: unknown;
  let wake!: () => void;
  const failed = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const stop = (error: unknown): void => {
    if (failure !== undefined) return;
    failure = error;
    controller.abort(error);
    wake();
  };
  const clientGone = () =>
    stop(fail('ERR_ABORTED', 'the client disconnected before the upload finished; nothing was stored'));
  request.signal.addEventListener('abort', clientGone, { once: true });
  // The client may have gone while busboy loaded: its 'abort' event is then past.
  if (request.signal.aborted) clientGone();

  const strayMd5 = () =>
    fail(
      'ERR_INPUT',
      `a ${MD5_FIELD} form field must come right before the file part it is for, once per file: send \`curl -F "${MD5_FIELD}=$(openssl md5 -binary shot.png | base64)" -F file=@shot.png\``,
    );
  /** A `Content-MD5` field's value, waiting for the file part it describes. */
  let md5: string | undefined;
  /** A `keep-metadata` field's value: it holds for every file part after it. */
  let keep: boolean | undefined;
  /** A `private` field's value: it holds for every file part after it. */
  let hidden: boolean | undefined;
  parser.on('field', (name, value) => {
    if (name.toLowerCase() === PRIVATE_FIELD) {
      try {
        hidden = privateFlag(value, 'form field');
      } catch (error) {
        stop(error);
      }
      return;
    }
    if (name.toLowerCase() === KEEP_METADATA) {
      try {
        keep = keepMetadata(value, 'form field');
      } catch (error) {
        stop(error);
      }
      return;
    }
    if (name.toLowerCase() !== MD5_FIELD.toLowerCase()) return;
    if (md5 !== undefined) stop(strayMd5());
    md5 = value.trim();
  });

  const tasks: Promise<T>[] = [];
  parser.on('file', (field, stream, info) => {
    if (failure !== undefined) {
      stream.resume();
      return;
    }
    const contentMd5 = md5;
    const keepThis = keep;
    const hiddenThis = hidden;
    md5 = undefined;
    const filename = info.filename ?? '';
    stream.once('limit', () => stop(tooLarge(filename, limits.maxFileSize)));
    // This file's own signal: the request's failure aborts it only while its body is still being read.
    const upload = new AbortController();
    let received = false;
    const cut = () => {
      if (!received) upload.abort(controller.signal.reason);
    };
    controller.signal.addEventListener('abort', cut, { once: true });
    async function* body(): AsyncGenerator<Uint8Array> {
      for await (const chunk of stream as AsyncIterable<Uint8Array>) {
        // busboy truncates silently after 'limit'; never let a truncated file pass as complete.
        if (stream.truncated) throw tooLarge(filename, limits.maxFileSize);
        yield chunk;
      }
      if (stream.truncated) throw tooLarge(filename, limits.maxFileSize);
      received = true;
    }
    // One file after another: memory stays bounded, and a file repeated in one request is deduplicated.
    const previous = tasks.at(-1) ?? Promise.resolve();
    const task = previous
      .catch(() => undefined)
      .then(() =>
        failure === undefined
          ? handle(
              {
                field,
                filename,
                mimeType: info.mimeType,
                ...(contentMd5 === undefined ? {} : { contentMd5 }),
                ...(keepThis === undefined ? {} : { keepMetadata: keepThis }),
                ...(hiddenThis === undefined ? {} : { private: hiddenThis }),
                body: body(),
              },
              upload.signal,
            )
          : Promise.reject(failure),
      );
    task.then(
      () => controller.signal.removeEventListener('abort', cut),
      (error: unknown) => {
        controller.signal.removeEventListener('abort', cut);
        stop(error);
      },
    );
    tasks.push(task);
  });
  parser.on('filesLimit', () =>
    stop(
      fail(
        'ERR_INPUT',
        `more than ${limits.maxFiles} files in one request: send at most ${limits.maxFiles} per request`,
      ),
    ),
  );
  parser.on('fieldsLimit', () =>
    stop(fail('ERR_INPUT', `more than ${limits.maxFields} form fields: send only the file fields`)),
  );
  parser.on('partsLimit', () =>
    stop(fail('ERR_INPUT', `too many parts in one request: send at most ${limits.maxFiles} files`)),
  );
  parser.on('error', (error: Error) =>
    stop(fail('ERR_INPUT', `malformed multipart body (${error.message})`)),
  );
  const closed = new Promise<void>((resolve) => parser.once('close', () => resolve()));
  const drained = () => new Promise<void>((resolve) => parser.once('drain', () => resolve()));

  try {
    if (!body) throw fail('ERR_INPUT', 'the request has no body: attach a file');
    for await (const chunk of body) {
      if (failure !== undefined) break;
      if (!parser.write(chunk)) await Promise.race([drained(), failed]);
      if (failure !== undefined) break;
    }
    if (failure === undefined) {
      parser.end();
      await Promise.race([closed, failed]);
    }
    if (md5 !== undefined) stop(strayMd5());
  } catch (error) {
    stop(
      isBytedropError(error)
        ? error
        : fail('ERR_ABORTED', `the request body broke off (${(error as Error).message}); nothing was stored`),
    );
  } finally {
    request.signal.removeEventListener('abort', clientGone);
  }

  await Promise.allSettled(tasks);
  if (failure !== undefined) throw failure;
  if (tasks.length === 0) {
    throw fail(
      'ERR_INPUT',
      'no file in the request: send the file as a multipart file field (any field name)',
    );
  }
  return Promise.all(tasks);
}
