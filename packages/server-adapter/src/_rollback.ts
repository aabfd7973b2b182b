/**
 * A request is answered whole: when a multi-file POST fails part-way, the files it had already stored are removed
 * before the error goes out, so a client never holds an error for files that are stored anyway. Only objects the
 * request created go; an object it found already stored (a dedupe hit, someone else's or an earlier upload's) stays.
 */
import type { ObjectStore, UploadResult } from '@bytedrop/core';
import type { Logger } from './types';

/**
 * Deletes the objects among `stored` that their upload created (`deduplicated: false`: the write was this request's;
 * a dedupe hit, even on an object this request created a moment before, names a key already in the list). A delete
 * that fails is logged and the object stays: the request's own failure is what the client hears.
 */
export async function rollBack(
  stored: readonly UploadResult[],
  store: ObjectStore | undefined,
  logger: Logger,
): Promise<void> {
  const created = stored.filter((result) => !result.deduplicated).map((result) => result.key);
  if (created.length === 0) return;
  if (!store) {
    logger.warn(
      { keys: created },
      'a refused request left files stored: pass `store` to createHandler to remove them',
    );
    return;
  }
  const outcomes = await Promise.allSettled(created.map((key) => store.delete(key)));
  outcomes.forEach((outcome, index) => {
    if (outcome.status === 'rejected') {
      logger.error(
        { err: outcome.reason, key: created[index] },
        'could not remove a file of a refused request: it stays stored, unreported to the client',
      );
    }
  });
  logger.info({ keys: created }, 'refused request: removed the files it had stored');
}
