/**
 * `bytedrop gc`: removes what uploads that died left behind, and on request installs the bucket's own cleanup.
 *
 * - always: what the journal says runs that are gone left (exact, whatever its age), then multipart uploads and
 *   objects under `.bytedrop-tmp/` older than `--older-than` (default 24h: no upload runs that long, so nothing in
 *   progress is touched; `0` takes everything, in progress too);
 * - `--all-uploads`: every open multipart upload in the bucket older than the threshold, whichever tool started it.
 *   Only a person can know that none of them is wanted, so it is never the default;
 * - `--lifecycle`: rules that make the bucket itself abort incomplete uploads and expire temporary objects after a
 *   day, keeping the bucket's other rules.
 *
 * Local disk (no S3 configured): partial and temporary files older than the threshold.
 */
import ms from 'ms';
import { awaitsResume, TEMP_KEY_PREFIX } from '../../journal';
import { abortOpenUploads } from '../../s3-leftovers';
import { installLifecycleRules } from '../../s3-lifecycle-install';
import type { S3Store } from '../../stores/s3';
import type { SweepReport } from '../../types';
import { summarize } from './_cleanup';
import { type CliIO, printError, userPath } from './_io';
import { openStorage } from './_storage';

/** Options of `bytedrop gc`. */
export interface GcCommandOptions {
  config?: string;
  /** A duration like `24h`, `30m`, `7d`, or `0`; cac hands over a bare `0` as a number. */
  olderThan?: string | number;
  allUploads?: boolean;
  lifecycle?: boolean;
  signal?: AbortSignal;
}

/** The default `--older-than`. */
export const DEFAULT_OLDER_THAN = '24h';

/** `--older-than` in ms, or the message saying what to write instead. */
function parseOlderThan(value: string | number): number | { problem: string } {
  const text = String(value).trim();
  if (text === '0') return 0;
  if (/^[\d.]+$/.test(text)) {
    return { problem: `--older-than ${text} has no unit: write e.g. ${text}h, ${text}m or ${text}d (or 0)` };
  }
  const parsed = ms(text as ms.StringValue) as number | undefined;
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 0) {
    return {
      problem: `--older-than '${text}' is not a duration: write e.g. 24h, 30m, 7d, or 0 for everything`,
    };
  }
  return parsed;
}

const lines = (report: SweepReport, why: string) => [
  ...report.abortedUploads.map((upload) => `aborted unfinished upload ${upload}: ${why}`),
  ...report.deleted.map((key) => `deleted ${key}: ${why}`),
];

/**
 * Runs `bytedrop gc`; resolves to the exit code (0 done, 2 bad usage). Prints each thing removed on stdout, then a
 * summary line.
 *
 * @example
 * ```ts
 * process.exitCode = await gcCommand({ olderThan: '1h', lifecycle: true }, io);
 * // aborted unfinished upload 2024/05/01/big-1a2b3c4d.iso (VXBs…): left by a run that died
 * // lifecycle: installed bytedrop-abort-incomplete-uploads, bytedrop-expire-temp (…); kept 1 other rule(s) (keep-logs)
 * // gc: aborted 1 unfinished upload
 * ```
 */
export async function gcCommand(options: GcCommandOptions, io: CliIO): Promise<number> {
  const olderThan = parseOlderThan(options.olderThan ?? DEFAULT_OLDER_THAN);
  if (typeof olderThan !== 'number') {
    printError(io, olderThan.problem);
    return 2;
  }
  const age = olderThan === 0 ? 'of any age' : `older than ${ms(olderThan, { long: true })}`;
  const signal = options.signal ? { signal: options.signal } : {};
  const { uploader, local, journal } = await openStorage(
    options.config === undefined ? undefined : userPath(io, options.config),
    io,
  );
  const out: string[] = [];
  const total: SweepReport = { abortedUploads: [], deleted: [] };
  const add = (report: SweepReport, why: string) => {
    out.push(...lines(report, why));
    total.abortedUploads.push(...report.abortedUploads);
    total.deleted.push(...report.deleted);
  };

  if (local) {
    if (options.allUploads || options.lifecycle) {
      printError(
        io,
        `${options.lifecycle ? '--lifecycle' : '--all-uploads'} needs an S3 bucket, and none is configured (local disk has neither multipart uploads nor lifecycle rules): set S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY and S3_SECRET_KEY, or pass --config`,
      );
      return 2;
    }
    add(await local.sweep!({ olderThan, ...signal }), `partial or temporary, ${age}`);
    const done = summarize(total, 'partial or temporary file');
    io.stdout.write([...out, `gc: ${done || `no partial or temporary files ${age}`}`, ''].join('\n'));
    return 0;
  }

  // Both stores implement the optional sweep and recover of ObjectStore.
  const store = uploader.store as S3Store;
  try {
    add(await store.recover!(), 'left by a run that died');
    // Interrupted uploads that `bytedrop upload` of the same file continues are not leftovers (yet): said, and kept.
    const resumable = (await journal?.entries())?.filter(
      (entry) => entry.store === store.id && entry.kind === 'multipart' && awaitsResume(entry),
    );
    const keep = new Set<string>();
    for (const entry of resumable ?? []) {
      if (entry.kind !== 'multipart') continue;
      keep.add(entry.uploadId);
      out.push(
        `kept unfinished upload ${entry.key} (${entry.uploadId}): interrupted upload of ${entry.resume?.source}; 'bytedrop upload' of it resumes it, --no-resume starts over`,
      );
    }
    add(await store.sweep!({ olderThan, ...signal }), `under ${TEMP_KEY_PREFIX}, ${age}`);
    if (options.allUploads) {
      const aborted = await abortOpenUploads(store.client, store.bucket, { olderThan, keep, ...signal });
      add({ abortedUploads: aborted, deleted: [] }, `${age} (--all-uploads)`);
    }
    if (options.lifecycle) {
      const { installed, kept } = await installLifecycleRules(store.client, store.bucket);
      out.push(
        `lifecycle: installed ${installed.map((rule) => rule.ID).join(', ')} (abort incomplete multipart uploads, expire temporary objects, after 1 day); kept ${kept.length} other rule(s)${kept.length ? ` (${kept.join(', ')})` : ''}`,
      );
    }
  } finally {
    await journal?.tidy();
    // What was removed before a failure is still reported, above the error.
    io.stdout.write(out.map((line) => `${line}\n`).join(''));
  }
  const nothing = `nothing to clean up (no run that died left any, nothing under ${TEMP_KEY_PREFIX} ${age})`;
  io.stdout.write(`gc: ${summarize(total) || nothing}\n`);
  return 0;
}
