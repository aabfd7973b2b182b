/**
 * Group commit of the uploads' records. Each upload's record was a transaction of its own: in SQLite that writes
 * about twenty pages to the WAL (the row, its three indexes, the owner's counters, and a new FTS5 segment for the
 * name search) while the event loop waits, since the driver is synchronous; in PostgreSQL it is a round trip and a
 * commit. The records of the requests that finish in the same turn of the event loop (or while the previous batch
 * was being written) are written together instead, in one statement: a quarter of the cost per record at 4 to a
 * batch, less at more. Each request still answers only once its own record is committed, and a batch that fails is
 * tried again request by request, so one request's failure is never another's.
 */
import type { Catalog, FileRecord } from './catalog/types';

/** The rows one statement of `recordMany` takes; a larger batch would be split over a transaction. */
const BATCH = 500;

/** The next turn of the event loop, after the I/O of this one; runtimes without `setImmediate` (edge) use a timer. */
const nextTurn: (run: () => void) => void =
  typeof setImmediate === 'function' ? (run) => setImmediate(run) : (run) => setTimeout(run, 0);

interface Waiting {
  records: readonly FileRecord[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** What records files in `catalog`, batched; resolves once these records are committed. */
export type RecordBatcher = (records: readonly FileRecord[]) => Promise<void>;

/**
 * A batcher over `catalog.recordMany`.
 *
 * @example
 * ```ts
 * const record = batchRecords(catalog);
 * await Promise.all([record([a]), record([b])]); // one recordMany([a, b])
 * ```
 */
export function batchRecords(catalog: Catalog): RecordBatcher {
  const queue: Waiting[] = [];
  let writing = false;

  // A catalog of the app's own may throw rather than reject: either way it is that batch's failure, never the
  // batcher's, which would otherwise stop with `writing` left set and every later upload waiting for good.
  const recordMany = (records: readonly FileRecord[]) =>
    Promise.resolve().then(() => catalog.recordMany(records));

  /** Records each request apart: what the requests of a failed batch get. */
  const oneByOne = (waiting: readonly Waiting[]) =>
    Promise.all(
      waiting.map(({ records, resolve, reject }) => recordMany(records).then(() => resolve(), reject)),
    );

  const write = async () => {
    writing = true;
    while (queue.length > 0) {
      const batch: Waiting[] = [];
      let rows = 0;
      // A request's records stay together; a request over the bound goes alone (recordMany splits it).
      while (queue.length > 0 && (batch.length === 0 || rows + queue[0]!.records.length <= BATCH)) {
        const next = queue.shift()!;
        batch.push(next);
        rows += next.records.length;
      }
      try {
        await recordMany(batch.flatMap((waiting) => waiting.records));
        for (const waiting of batch) waiting.resolve();
      } catch (error) {
        if (batch.length === 1) batch[0]!.reject(error);
        else await oneByOne(batch);
      }
    }
    writing = false;
  };

  return (records) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ records, resolve, reject });
      // The first record of a turn waits for the rest of it; records that come while a batch is written join the
      // next one.
      if (!writing && queue.length === 1) nextTurn(() => void write());
    });
}
