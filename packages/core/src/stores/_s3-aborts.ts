/**
 * Multipart uploads whose abort failed: a failed put aborts its upload (lib-storage tried already; asking again is
 * cheap and covers its abort having failed), and one that cannot be aborted now waits here and in the journal until
 * the next put, `retryAborts()` or `recover()`.
 */
import { abortedError } from '../_abort';
import type { ErrorContext } from '../error-mapping';
import { toBytedropError } from '../error-mapping';
import { BytedropError, isBytedropError } from '../errors';
import type { UploadJournal } from '../journal';
import { abortUpload, type SweepTarget } from './_s3-sweep';

/**
 * A multipart upload whose abort failed; its parts cost storage until it is aborted.
 *
 * @example
 * ```ts
 * store.pendingAborts; // [{ key: '2024/05/01/big-1a2b3c4d.bin', uploadId: 'VXBsb2FkSWQ…' }]
 * ```
 */
export interface PendingAbort {
  key: string;
  uploadId: string;
}

/** The store's unfinished aborts, and the failure path of its puts. */
export function createAbortKeeper(
  target: SweepTarget,
  journal: UploadJournal,
  context: (key?: string, error?: unknown) => ErrorContext,
) {
  const pending: PendingAbort[] = [];
  let flushing: Promise<number> | undefined;

  /** Retries the pending aborts; resolves to how many are still pending. */
  function retryAborts(): Promise<number> {
    // One flush at a time: concurrent puts share it instead of aborting the same upload twice.
    flushing ??= (async () => {
      const batch = pending.splice(0);
      const gone = await Promise.all(batch.map((item) => abortUpload(target, item.key, item.uploadId)));
      pending.push(...batch.filter((_, index) => !gone[index]));
      return pending.length;
    })().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  /** Makes sure a failed upload left no parts, then says what failed (and what is left, when something is). */
  async function failed(
    key: string,
    uploadId: string | undefined,
    error: unknown,
    signal: AbortSignal | undefined,
    entry: string | undefined,
  ): Promise<BytedropError> {
    // lib-storage already tried to abort; asking again is cheap (NoSuchUpload) and covers its abort having failed.
    const mapped =
      signal?.aborted && !isBytedropError(error)
        ? abortedError(`upload of '${key}'`, error)
        : toBytedropError(error, context(key, error));
    if (uploadId === undefined || (await abortUpload(target, key, uploadId))) {
      if (entry !== undefined) await journal.remove(entry).catch(() => undefined);
      return mapped;
    }
    pending.push({ key, uploadId });
    return new BytedropError(
      mapped.code,
      `${mapped.message}. The unfinished multipart upload ${uploadId} could not be aborted either; Bytedrop aborts it before the next upload through this store, and at the next start (recover()). An AbortIncompleteMultipartUpload lifecycle rule on the bucket covers the rest (bytedrop gc --lifecycle)`,
      {
        cause: error,
        ...(mapped.status === undefined ? {} : { status: mapped.status }),
        ...(mapped.s3Code === undefined ? {} : { s3Code: mapped.s3Code }),
      },
    );
  }

  return { pending, retryAborts, failed };
}
