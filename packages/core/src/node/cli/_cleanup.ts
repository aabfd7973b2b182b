/**
 * Internal: the CLI's cleanup after uploads that died: what `bytedrop upload` does first (the journal of runs that
 * are gone) and how a `SweepReport` reads in a sentence.
 */
import { isBytedropError } from '../../errors';
import type { SweepReport } from '../../types';
import { type CliIO, printError } from './_io';
import type { CliStorage } from './_storage';

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * "aborted 1 unfinished upload and deleted 2 temporary objects", or '' for an empty report; `deleted` names what
 * the deleted things are (local disk: partial or temporary files).
 *
 * @example
 * ```ts
 * summarize({ abortedUploads: ['a.bin (VXBs…)'], deleted: [] }); // 'aborted 1 unfinished upload'
 * ```
 */
export function summarize(report: SweepReport, deleted = 'temporary object'): string {
  const done = [
    report.abortedUploads.length > 0
      ? `aborted ${count(report.abortedUploads.length, 'unfinished upload')}`
      : '',
    report.deleted.length > 0 ? `deleted ${count(report.deleted.length, deleted)}` : '',
  ];
  return done.filter(Boolean).join(' and ');
}

/**
 * Before `bytedrop upload` sends anything: aborts the multipart uploads and deletes the temporary objects that the
 * journal says runs that died (killed, crashed, the machine off) left in this bucket, and says so on stderr. A
 * failure here never stops the upload; `bytedrop gc` tries again.
 */
export async function recoverEarlierRuns(storage: CliStorage, io: CliIO): Promise<void> {
  const { store } = storage.uploader;
  if (!storage.journal || !store.recover) return;
  try {
    const report = await store.recover();
    const done = summarize(report);
    if (done) {
      const what = [...report.abortedUploads, ...report.deleted].join(', ');
      io.stderr.write(`bytedrop: ${done} left by an earlier run (${what})\n`);
    }
  } catch (error) {
    const why = isBytedropError(error) ? `${error.message} [${error.code}]` : String(error);
    printError(io, `could not clean up after an earlier run (${why}); 'bytedrop gc' tries again`);
  }
}
