/**
 * The doctor's look at what dead uploads leave in a bucket (open multipart uploads, temporary objects) and at the
 * lifecycle rule that would clean up after them. Findings are warnings, never failures: uploads still work, but
 * parts nobody will complete are billed until something aborts them. Each warning names the `bytedrop gc` command
 * that fixes it.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import ms from 'ms';
import type { DoctorCheck } from './_doctor-report';
import { toBytedropError } from './error-mapping';
import { awaitsResume, TEMP_KEY_PREFIX, type UploadJournal } from './journal';
import { listObjects, listOpenUploads } from './s3-leftovers';
import { readLifecycleRules, wholeBucketAbortRule } from './s3-lifecycle';
import { statusOf } from './stores/_s3-client';

/** The ids of these checks. */
export type LeftoverCheckId = 'uploads' | 'temp-objects' | 'lifecycle';

/** Each check's title, as the doctor prints it. */
export const LEFTOVER_TITLES: Record<LeftoverCheckId, string> = {
  uploads: 'Open multipart uploads',
  'temp-objects': 'Temporary objects',
  lifecycle: 'Lifecycle rule aborts incomplete uploads',
};

/** Where to look, and what tells Bytedrop's uploads apart. */
export interface LeftoverTarget {
  client: S3Client;
  bucket: string;
  /** The store's id (`ObjectStore.id`): journal entries of other stores are not this bucket's. */
  storeId: string;
  /** Bytedrop's temporary prefix; `.bytedrop-tmp/` by default. */
  tempPrefix?: string;
  /** Entries here name uploads that a Bytedrop process started and did not finish. */
  journal?: UploadJournal;
  now?: () => number;
  signal?: AbortSignal;
}

const check = (
  id: LeftoverCheckId,
  status: DoctorCheck['status'],
  message: string,
  fix?: string,
): DoctorCheck => ({ id, title: LEFTOVER_TITLES[id], status, message, ...(fix ? { fix } : {}) });

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** "3 hours", from the oldest of `dates` to now. */
function oldestAge(dates: (Date | undefined)[], now: number): string {
  const times = dates.flatMap((date) => (date ? [date.getTime()] : []));
  return times.length === 0 ? 'an unknown time' : ms(Math.max(0, now - Math.min(...times)), { long: true });
}

/** A read that failed: a warning saying which permission or what trouble, not a failed report. */
function unreadable(id: LeftoverCheckId, what: string, error: unknown, permission: string): DoctorCheck {
  const mapped = toBytedropError(error);
  return {
    ...check(id, 'warn', `could not read ${what}: ${mapped.message}`, `give these credentials ${permission}`),
    code: mapped.code,
  };
}

/**
 * Counts the bucket's open multipart uploads and says which are Bytedrop's: in the journal (left by a run that
 * died, or kept for a resume) or under the temporary prefix. Others are another tool's, or an upload in progress. When
 * every one is an interrupted upload kept for a resume (`PutOptions.resume`), that is no finding.
 *
 * @example
 * ```ts
 * await checkOpenUploads({ client, bucket: 'notes', storeId: store.id, tempPrefix: '.bytedrop-tmp/' });
 * // { status: 'warn', message: '2 open multipart uploads, the oldest started 3 hours ago: 1 in Bytedrop's journal …' }
 * ```
 */
export async function checkOpenUploads(target: LeftoverTarget): Promise<DoctorCheck> {
  const prefix = target.tempPrefix ?? TEMP_KEY_PREFIX;
  let uploads: Awaited<ReturnType<typeof listOpenUploads>>;
  try {
    uploads = await listOpenUploads(target.client, target.bucket, { signal: target.signal });
  } catch (error) {
    return unreadable('uploads', 'open multipart uploads', error, 's3:ListBucketMultipartUploads');
  }
  if (uploads.length === 0) return check('uploads', 'ok', 'no open multipart uploads');
  const entries = (await target.journal?.entries()) ?? [];
  const journaled = new Set(
    entries.flatMap((entry) =>
      entry.kind === 'multipart' && entry.store === target.storeId ? [entry.uploadId] : [],
    ),
  );
  const now = target.now?.() ?? Date.now();
  const resumable = new Set(
    entries.flatMap((entry) =>
      entry.kind === 'multipart' && entry.store === target.storeId && awaitsResume(entry, now)
        ? [entry.uploadId]
        : [],
    ),
  );
  const forResume = uploads.filter((upload) => resumable.has(upload.uploadId)).length;
  const resume =
    "kept for a resume ('bytedrop upload' of the same file continues it, --no-resume starts over)";
  if (forResume === uploads.length) {
    return check(
      'uploads',
      'ok',
      `${count(forResume, 'open multipart upload')}, each an interrupted upload ${resume}`,
    );
  }
  const inJournal = uploads.filter(
    (upload) => journaled.has(upload.uploadId) && !resumable.has(upload.uploadId),
  ).length;
  const underTemp = uploads.filter(
    (upload) => !journaled.has(upload.uploadId) && upload.key.startsWith(prefix),
  ).length;
  const others = uploads.length - inJournal - underTemp - forResume;
  const age = oldestAge(
    uploads.map((upload) => upload.initiated),
    now,
  );
  return check(
    'uploads',
    'warn',
    `${count(uploads.length, 'open multipart upload')}, the oldest started ${age} ago: ${inJournal} in Bytedrop's journal (left by a run that died), ${forResume > 0 ? `${forResume} ${resume}, ` : ''}${underTemp} under ${prefix}, ${others} of other tools or still in progress; their parts are billed until aborted`,
    "run 'bytedrop gc': it aborts the journal's at once and those under the temporary prefix older than a day ('--older-than 0' for all of them, '--all-uploads' for every tool's)",
  );
}

/**
 * Counts objects under the temporary prefix. One exists only while its upload runs, so older ones are leftovers.
 *
 * @example
 * ```ts
 * (await checkTempObjects(target)).status; // 'ok' when nothing is under .bytedrop-tmp/
 * ```
 */
export async function checkTempObjects(target: LeftoverTarget): Promise<DoctorCheck> {
  const prefix = target.tempPrefix ?? TEMP_KEY_PREFIX;
  let objects: Awaited<ReturnType<typeof listObjects>>;
  try {
    objects = await listObjects(target.client, target.bucket, prefix, target.signal);
  } catch (error) {
    return unreadable('temp-objects', `objects under ${prefix}`, error, 's3:ListBucket');
  }
  if (objects.length === 0) return check('temp-objects', 'ok', `nothing under ${prefix}`);
  const age = oldestAge(
    objects.map((object) => object.lastModified),
    target.now?.() ?? Date.now(),
  );
  return check(
    'temp-objects',
    'warn',
    `${count(objects.length, 'object')} under ${prefix}, the oldest ${age} old: left by uploads that died, unless one is in progress`,
    "run 'bytedrop gc' (deletes those older than a day; '--older-than 0' for all)",
  );
}

/**
 * Looks for an enabled rule that aborts incomplete multipart uploads in the whole bucket. None is a warning; a
 * provider without lifecycle rules in its S3 API (501) is a skip.
 *
 * @example
 * ```ts
 * (await checkLifecycle(target)).fix; // "run 'bytedrop gc --lifecycle' …" when there is no such rule
 * ```
 */
export async function checkLifecycle(target: LeftoverTarget): Promise<DoctorCheck> {
  const fix =
    "run 'bytedrop gc --lifecycle': it adds rules that abort incomplete multipart uploads and expire temporary objects after a day, and keeps the bucket's other rules";
  let rules: Awaited<ReturnType<typeof readLifecycleRules>>;
  try {
    rules = await readLifecycleRules(target.client, target.bucket, target.signal);
  } catch (error) {
    if (statusOf(error) === 501) {
      return check(
        'lifecycle',
        'skip',
        "the provider offers no lifecycle rules through its S3 API: set one up in its console if it has one, and run 'bytedrop gc' now and then",
      );
    }
    return unreadable('lifecycle', 'the lifecycle rules', error, 's3:GetLifecycleConfiguration');
  }
  const rule = wholeBucketAbortRule(rules);
  if (rule) {
    const days = rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation ?? 0;
    return check(
      'lifecycle',
      'ok',
      `rule '${rule.ID ?? '(no ID)'}' aborts incomplete multipart uploads ${count(days, 'day')} after they start`,
    );
  }
  const why =
    rules.length === 0
      ? 'the bucket has no lifecycle rules'
      : `none of the bucket's ${count(rules.length, 'lifecycle rule')} aborts incomplete multipart uploads in the whole bucket`;
  return check(
    'lifecycle',
    'warn',
    `${why}: parts of an upload that dies stay, and are billed, until something aborts them`,
    fix,
  );
}

/**
 * The three checks above, in order: open multipart uploads, temporary objects, lifecycle rule.
 *
 * @example
 * ```ts
 * const checks = await checkLeftovers({ client: store.client, bucket: 'notes', storeId: store.id, journal });
 * ```
 */
export async function checkLeftovers(target: LeftoverTarget): Promise<DoctorCheck[]> {
  return [await checkOpenUploads(target), await checkTempObjects(target), await checkLifecycle(target)];
}
