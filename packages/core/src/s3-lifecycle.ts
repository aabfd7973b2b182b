/**
 * The bucket's own cleanup: lifecycle rules that abort incomplete multipart uploads and expire temporary objects,
 * so that what an upload leaves when it dies (a killed process, a phone that went offline) goes away even when no
 * Bytedrop ever runs again. `bytedrop gc --lifecycle` installs them; `bytedrop doctor` looks for them.
 */
import type { LifecycleRule, S3Client } from '@aws-sdk/client-s3';
import { TEMP_KEY_PREFIX } from './journal';
import { nameOf } from './stores/_s3-client';
import { s3Sdk } from './stores/_s3-sdk';

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
    const { GetBucketLifecycleConfigurationCommand } = await s3Sdk();
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
