/**
 * Installing Bytedrop's lifecycle rules (`bytedrop gc --lifecycle`). Apart from `s3-lifecycle.ts`, which the doctor
 * reads rules with, because only this sends PutBucketLifecycleConfiguration: the SDK loads with it (the CLI loads
 * this file on `gc` only), and apps that never install rules do not bundle the command's schema.
 */
import {
  type LifecycleRule,
  PutBucketLifecycleConfigurationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { TEMP_KEY_PREFIX } from './journal';
import { bytedropLifecycleRules, LIFECYCLE_RULE_IDS, readLifecycleRules } from './s3-lifecycle';

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
