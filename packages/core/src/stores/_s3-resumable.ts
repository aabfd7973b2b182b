/**
 * The journal side of resumable multipart uploads (`PutOptions.resume`): which earlier upload of a source a put may
 * continue, which it must abort (the source changed, its key changed, or a restart was asked for), what a fresh one
 * writes down, and which failures leave an upload open for the next run. Every earlier upload of the source that is
 * not continued is aborted, so nothing is orphaned.
 */
import { abortedError } from '../_abort';
import { type ErrorContext, toBytedropError } from '../error-mapping';
import { BytedropError, isBytedropError } from '../errors';
import type { JournalEntry, ResumeRecord, UploadJournal } from '../journal';
import type { BodyInput, PutOptions, PutResult } from '../types';
import { continueUpload, UploadGoneError } from './_s3-resume';
import { abortUpload, type SweepTarget } from './_s3-sweep';

type Resume = NonNullable<PutOptions['resume']>;
type Entry = Extract<JournalEntry, { kind: 'multipart' }> & { id: string };

/** An entry as the journal stores it (without the id it was read with). */
function stored(entry: Entry): JournalEntry {
  const { id: _id, ...value } = entry;
  return value;
}

/** An earlier upload a put can continue. */
export interface Earlier {
  entry: Entry;
  record: ResumeRecord;
}

/** Failures after which the upload stays open for a resume: the run was stopped or the network was. */
export function resumableFailure(error: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted) return true;
  return ['ERR_ABORTED', 'ERR_NETWORK', 'ERR_TIMEOUT', 'ERR_THROTTLED', 'ERR_PROVIDER'].some((code) =>
    isBytedropError(error, code as 'ERR_ABORTED'),
  );
}

/** Why an earlier upload of the source cannot be continued by this put, or undefined when it can. */
function mismatch(entry: Entry, key: string, size: number | undefined, resume: Resume): string | undefined {
  const record = entry.resume as ResumeRecord;
  if (resume.restart) return 'starting over as asked';
  if (record.version !== resume.version || record.hash !== resume.hash || record.size !== size) {
    return `${resume.source} changed since (size, modification time or content): starting over, never completing a mix of both`;
  }
  if (entry.key !== key) return `its key is now ${key}, not ${entry.key}: starting over`;
  return undefined;
}

/**
 * Looks up the earlier interrupted uploads of `resume.source` in this store; aborts (and crosses out) each that cannot
 * be continued, with a notice saying why, and returns the one that can.
 */
export async function earlierUpload(
  target: SweepTarget,
  journal: UploadJournal,
  storeId: string,
  key: string,
  options: PutOptions & { resume: Resume },
): Promise<Earlier | undefined> {
  const { resume } = options;
  let found: Earlier | undefined;
  for (const entry of await journal.entries()) {
    if (entry.kind !== 'multipart' || entry.store !== storeId || entry.resume?.source !== resume.source)
      continue;
    const why = found
      ? 'another interrupted upload of the same file is resumed'
      : mismatch(entry, key, options.size, resume);
    if (why === undefined) {
      // Another run that started at the same time may be taking it too: only the one whose claim wins continues it.
      const claimed = journal.claim ? await journal.claim(entry.id) : entry.id;
      if (claimed !== undefined) found = { entry: { ...entry, id: claimed }, record: entry.resume };
      continue;
    }
    const gone = await abortUpload(target, entry.key, entry.uploadId);
    if (gone) await journal.remove(entry.id);
    // Not abortable now: no longer offered for a resume, so the next start's recovery aborts it.
    else await journal.update?.(entry.id, stored({ ...entry, resume: undefined }));
    resume.onNotice?.(
      `the interrupted upload ${entry.uploadId} ${gone ? 'was aborted' : 'could not be aborted yet (the next run retries)'}: ${why}`,
    );
  }
  return found;
}

/**
 * The journal record of one resumable upload, kept up to date as its parts finish. Updates are written one after
 * another, never after the entry was crossed out.
 */
export function partsLog(journal: UploadJournal, record: ResumeRecord) {
  let entry: { id: string; value: JournalEntry } | undefined;
  let writing: Promise<unknown> = Promise.resolve();
  return {
    record,
    /** The entry the upload's id was written down in. */
    opened(id: string, value: JournalEntry) {
      entry = { id, value };
    },
    part(partNumber: number) {
      if (record.parts.includes(partNumber)) return;
      record.parts.push(partNumber);
      const current = entry;
      if (!current || !journal.update) return;
      writing = writing
        .then(() => journal.update?.(current.id, { ...current.value, resume: record } as JournalEntry))
        .catch(() => undefined);
    },
    /** Waits for the updates in flight (before the entry is crossed out, or the run ends). */
    settled: () => writing,
    close() {
      entry = undefined;
    },
  };
}

/** The parts log of a fresh multipart upload that a later run may continue, or undefined when it is not one. */
export function freshLog(journal: UploadJournal, options: PutOptions, partSize: number) {
  const { resume, size } = options;
  if (resume === undefined || size === undefined || size <= partSize) return undefined;
  const { source, version, hash } = resume;
  return partsLog(journal, { source, version, hash, size, partSize, parts: [] });
}

/** What a resumed put needs of its store. */
export interface ResumeDeps {
  target: SweepTarget;
  journal: UploadJournal;
  storeId: string;
  /** Multipart uploads in progress in this process: never strays. */
  active: Set<string>;
  /** Whether the provider honours `If-None-Match: *` on a completion, and enforces it. */
  conditional: { complete: boolean; enforced: boolean };
  context: (key?: string, error?: unknown) => ErrorContext;
  /** Parts sent at once. */
  queueSize: number;
}

/** The failure of a resumable upload that stays open, saying so. */
export function keptOpen(error: BytedropError, uploadId: string): BytedropError {
  return new BytedropError(
    error.code,
    `${error.message}. The multipart upload ${uploadId} stays open with the parts that finished: upload the same file again to continue it`,
    {
      cause: error,
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(error.s3Code === undefined ? {} : { s3Code: error.s3Code }),
    },
  );
}

/**
 * A failure as the store reports it: an abort (or a stop, `ResumeOptions.stop`) says so, the rest as the provider's
 * error mapped.
 */
export function mapFailure(
  deps: ResumeDeps,
  key: string,
  error: unknown,
  signal: AbortSignal | undefined,
  stop?: AbortSignal,
): BytedropError {
  return (signal?.aborted || stop?.aborted) && !isBytedropError(error)
    ? abortedError(`upload of '${key}'`, error)
    : toBytedropError(error, deps.context(key, error));
}

/**
 * Continues the earlier interrupted upload of `options.resume.source` when there is one to continue (see
 * `earlierUpload`). Resolves to undefined when the put must start afresh (nothing to continue, or the provider no
 * longer has the upload), before anything of the body was read.
 */
export async function resumeEarlier(
  deps: ResumeDeps,
  key: string,
  body: BodyInput,
  options: PutOptions & { resume: Resume },
): Promise<PutResult | undefined> {
  const { target, journal, storeId, active, conditional } = deps;
  const { resume, signal } = options;
  const earlier = await earlierUpload(target, journal, storeId, key, options);
  if (!earlier) return undefined;
  const { entry, record } = earlier;
  const log = partsLog(journal, record);
  log.opened(entry.id, stored(entry));
  const ifNoneMatch = options.ifAbsent === true && conditional.complete;
  active.add(entry.uploadId);
  try {
    const etag = await continueUpload({
      ...target,
      key,
      uploadId: entry.uploadId,
      record,
      body,
      ifNoneMatch,
      queueSize: deps.queueSize,
      signal,
      stop: resume.stop,
      onProgress: options.onProgress,
      onListed: (listed, total) =>
        resume.onNotice?.(
          `resuming the interrupted upload ${entry.uploadId}: the bucket holds ${listed} of its ${total} parts (each is kept only if it matches the file)`,
        ),
      onPart: log.part,
    });
    await log.settled();
    log.close();
    await journal.remove(entry.id);
    const exclusive = ifNoneMatch && conditional.enforced;
    return etag ? { etag, exclusive } : { exclusive };
  } catch (error) {
    await log.settled();
    log.close();
    if (error instanceof UploadGoneError) {
      await journal.remove(entry.id);
      resume.onNotice?.(
        `the interrupted upload ${entry.uploadId} is gone from the bucket (expired or aborted): starting over`,
      );
      return undefined;
    }
    const mapped = mapFailure(deps, key, error, signal, resume.stop);
    if (resumableFailure(mapped, signal)) throw keptOpen(mapped, entry.uploadId);
    // Anything else (the file changed, a part refused, a failed check) ends this upload for good.
    if (await abortUpload(target, key, entry.uploadId)) await journal.remove(entry.id);
    throw mapped;
  } finally {
    active.delete(entry.uploadId);
  }
}
