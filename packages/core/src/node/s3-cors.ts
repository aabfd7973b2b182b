/**
 * The bucket CORS that browser uploads straight to S3 need (Uppy's `@uppy/aws-s3` through the server's signing
 * routes): the page's origin may PUT, and the answer exposes `ETag`, without which the browser cannot read a part's
 * ETag and the upload can never be completed. `bytedrop doctor` checks it; `bytedrop doctor --fix-cors <origin>` sets
 * it. Node-only (the CLI's doctor): the editors never upload from a web page straight to S3.
 */
import { type CORSRule, GetBucketCorsCommand, PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DoctorCheck } from '../_doctor-report';
import { toBytedropError } from '../error-mapping';
import { nameOf } from '../stores/_s3-client';

/** The ID of Bytedrop's rule: setting again replaces the rule with this ID and keeps every other one. */
const CORS_RULE_ID = 'bytedrop-direct-uploads';

const TITLE = 'Bucket CORS exposes ETag';

const check = (status: DoctorCheck['status'], message: string, fix?: string): DoctorCheck => ({
  id: 'cors',
  title: TITLE,
  status,
  message,
  ...(fix ? { fix } : {}),
});

/**
 * Bytedrop's rule for `origins`: PUT (parts), POST and GET from those pages, any request header, `ETag` exposed.
 *
 * @example
 * ```ts
 * bytedropCorsRule(['https://drop.example.com']).ExposeHeaders; // ['ETag']
 * ```
 */
function bytedropCorsRule(origins: readonly string[]): CORSRule {
  return {
    ID: CORS_RULE_ID,
    AllowedOrigins: [...origins],
    AllowedMethods: ['GET', 'HEAD', 'PUT', 'POST'],
    AllowedHeaders: ['*'],
    ExposeHeaders: ['ETag'],
    MaxAgeSeconds: 3600,
  };
}

/** The bucket's CORS rules; none (not an error) when it has no CORS configuration. Other failures throw. */
async function readCorsRules(client: S3Client, bucket: string): Promise<CORSRule[]> {
  try {
    return (await client.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules ?? [];
  } catch (error) {
    if (nameOf(error) === 'NoSuchCORSConfiguration') return [];
    throw error;
  }
}

/** Sets Bytedrop's rule for `origins`, keeping the bucket's other rules. */
export async function setBytedropCors(client: S3Client, bucket: string, origins: readonly string[]) {
  const others = (await readCorsRules(client, bucket)).filter((rule) => rule.ID !== CORS_RULE_ID);
  await client.send(
    new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: { CORSRules: [...others, bytedropCorsRule(origins)] },
    }),
  );
}

const exposesEtag = (rule: CORSRule) =>
  (rule.ExposeHeaders ?? []).some((name) => name.toLowerCase() === 'etag') &&
  (rule.AllowedMethods ?? []).some((method) => method.toUpperCase() === 'PUT');

/**
 * The doctor's CORS check: `ok` naming the origins when a rule lets pages PUT and read `ETag`, a warning with the
 * command that fixes it otherwise (uploads through the server or the CLI need no CORS; only browsers uploading
 * straight to the bucket do). With `fix`, sets Bytedrop's rule for those origins first.
 *
 * @example
 * ```ts
 * const result = await checkBucketCors(store.client, 'notes', { fix: ['https://drop.example.com'] });
 * result.status; // 'ok'
 * ```
 */
export async function checkBucketCors(
  client: S3Client,
  bucket: string,
  options: { fix?: readonly string[] } = {},
): Promise<DoctorCheck> {
  const fixCommand = 'run `bytedrop doctor --fix-cors <origin of the page that uploads>`';
  try {
    if (options.fix?.length) await setBytedropCors(client, bucket, options.fix);
    const rules = await readCorsRules(client, bucket);
    const good = rules.filter(exposesEtag);
    if (good.length > 0) {
      const origins = [...new Set(good.flatMap((rule) => rule.AllowedOrigins ?? []))].join(', ');
      return check(
        'ok',
        `${options.fix?.length ? 'set: ' : ''}pages at ${origins} may PUT parts and read their ETag`,
      );
    }
    return check(
      'warn',
      rules.length === 0
        ? `bucket '${bucket}' has no CORS configuration: browsers cannot upload to it directly (Uppy's @uppy/aws-s3 through the server's /s3/multipart routes); other uploads are not affected`
        : `bucket '${bucket}' has CORS rules, but none lets a page PUT and read the ETag header, which a browser needs to complete a multipart upload`,
      fixCommand,
    );
  } catch (error) {
    const mapped = toBytedropError(error, { bucket });
    return {
      ...check(
        'warn',
        `could not ${options.fix?.length ? 'set' : 'read'} the bucket's CORS: ${mapped.message}`,
        `give these credentials s3:${options.fix?.length ? 'PutBucketCORS' : 'GetBucketCORS'}, or set the CORS rule in the provider's console (expose ETag, allow PUT)`,
      ),
      code: mapped.code,
    };
  }
}
