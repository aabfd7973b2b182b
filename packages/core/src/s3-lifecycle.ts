/**
 * The bucket's own cleanup: lifecycle rules that abort incomplete multipart uploads and expire temporary objects,
 * so that what an upload leaves when it dies (a killed process, a phone that went offline) goes away even when no
 * Bytedrop ever runs again. `bytedrop gc --lifecycle` installs them; `bytedrop doctor` looks for them.
 */
import {
  GetBucketLifecycleConfigurationCommand,
  type LifecycleRule,
  PutBucketLifecycleConfigurationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { TEMP_KEY_PREFIX } from './journal';
import { nameOf } from './stores/_s3-client';

/**
 * The IDs of Bytedrop's rules. Installing again replaces rules with these IDs and keeps every other rule.
 *
 * @example
 * ```ts
 * rules.some((rule) => rule.ID === LIFECYCLE_RULE_IDS.abortIncomplete);
 * ```
 */
export const LIFECYCLE_RULE_IDS = {
  abortIncomplete: 'bytedrop-abort-incomplete-uploads',
  expireTemp: 'bytedrop-expire-temp',
} as const;

/**
 * Bytedrop's rules: abort every multipart upload of the bucket one day after it started (no upload takes a day; one
 * that is still open then was left by a process that died, whichever tool started it), and delete objects under the
 * temporary prefix one day after they were written.
 *
 * @example
 * ```ts
 * bytedropLifecycleRules()[0]; // { ID: 'bytedrop-abort-incomplete-uploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, … }
 * ```
 */
export function bytedropLifecycleRules(tempPrefix: string = TEMP_KEY_PREFIX): LifecycleRule[] {
  return [
    {
      ID: LIFECYCLE_RULE_IDS.abortIncomplete,
      Status: 'Enabled',
      Filter: { Prefix: '' },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    },
    {
      ID: LIFECYCLE_RULE_IDS.expireTemp,
      Status: 'Enabled',
      Filter: { Prefix: tempPrefix },
      Expiration: { Days: 1 },
    },
  ];
}

/** The bucket's lifecycle rules; none (not an error) when it has no lifecycle configuration. Other failures throw. */
export async function readLifecycleRules(
  client: S3Client,
  bucket: string,
  signal?: AbortSignal,
): Promise<LifecycleRule[]> {
  try {
    const out = await client.send(
      new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }),
      signal ? { abortSignal: signal } : {},
    );
    return out.Rules ?? [];
  } catch (error) {
    if (nameOf(error) === 'NoSuchLifecycleConfiguration') return [];
    throw error;
  }
}

/**
 * The first enabled rule that aborts incomplete multipart uploads anywhere in the bucket (no prefix, tag or size
 * filter), or `undefined`.
 *
 * @example
 * ```ts
 * wholeBucketAbortRule(await readLifecycleRules(client, 'notes'))?.AbortIncompleteMultipartUpload?.DaysAfterInitiation; // 1
 * ```
 */
export function wholeBucketAbortRule(rules: LifecycleRule[]): LifecycleRule | undefined {
  return rules.find((rule) => {
    if (rule.Status !== 'Enabled' || rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation === undefined) {
      return false;
    }
    // Providers answer the whole bucket as no filter, an empty Filter, or the older top-level Prefix ''.
    const filter = rule.Filter ?? {};
    const onlyPrefix = Object.keys(filter).every((name) => name === 'Prefix');
    return onlyPrefix && !filter.Prefix && !rule.Prefix;
  });
}

/** What `installLifecycleRules` did. */
export interface LifecycleInstall {
  /** Bytedrop's rules, as installed. */
  installed: LifecycleRule[];
  /** IDs of the bucket's other rules, kept as they were. */
  kept: string[];
}

/**
 * Installs Bytedrop's rules, keeping every other rule of the bucket: S3 replaces the whole lifecycle configuration
 * on each write, so the current rules are read first and written back with Bytedrop's (an older version of
 * Bytedrop's own rules is replaced). Needs `s3:GetLifecycleConfiguration` and `s3:PutLifecycleConfiguration`.
 *
 * @example
 * ```ts
 * const { kept } = await installLifecycleRules(store.client, store.bucket);
 * ```
 */
export async function installLifecycleRules(
  client: S3Client,
  bucket: string,
  tempPrefix: string = TEMP_KEY_PREFIX,
): Promise<LifecycleInstall> {
  const ours = new Set<string>(Object.values(LIFECYCLE_RULE_IDS));
  const others = (await readLifecycleRules(client, bucket)).filter((rule) => !ours.has(rule.ID ?? ''));
  const installed = bytedropLifecycleRules(tempPrefix);
  await client.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: { Rules: [...others, ...installed] },
    }),
  );
  return { installed, kept: others.map((rule) => rule.ID ?? '(no ID)') };
}
