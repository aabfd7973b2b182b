/**
 * What hosts and library users write: the config schema's input, spelt out so that every field carries its JSDoc
 * into editors. `config.ts` checks at compile time that it matches the schema exactly, so neither can drift.
 */
import type { HashAlgorithm, ProviderName } from './types';

/**
 * Canned ACLs S3 understands.
 *
 * @example
 * ```ts
 * const acl: CannedAcl = 'public-read';
 * ```
 */
export type CannedAcl =
  | 'private'
  | 'public-read'
  | 'public-read-write'
  | 'authenticated-read'
  | 'aws-exec-read'
  | 'bucket-owner-read'
  | 'bucket-owner-full-control';

/**
 * A Bytedrop config as you write it: `createUploader`, `runDoctor` and `createS3Store` take it, check it and fill
 * the defaults (`parseConfig` gives the result, `BytedropConfig`). Only `bucket` is required. A field not listed
 * here is a type error, and at run time an `ERR_CONFIG` naming the nearest field. Hosts may pass `''` for a field
 * they leave unset.
 *
 * @example
 * ```ts
 * const config: BytedropConfigInput = {
 *   endpoint: 'https://<account>.r2.cloudflarestorage.com',
 *   bucket: 'notes',
 *   accessKeyId: process.env.R2_KEY_ID,
 *   secretAccessKey: process.env.R2_SECRET,
 *   publicBaseUrl: 'https://cdn.example.com',
 * };
 * ```
 */
export interface BytedropConfigInput {
  /** The storage provider; inferred from `endpoint` when unset (`aws` without an endpoint, `custom` for unknown hosts). */
  provider?: ProviderName | undefined;
  /** The S3 API endpoint, e.g. `'https://<account>.r2.cloudflarestorage.com'`; unset for AWS. */
  endpoint?: string | undefined;
  /** The bucket's region, e.g. `'us-east-1'`; defaults from the provider (`'auto'` for R2). */
  region?: string | undefined;
  /** The bucket's name (required). */
  bucket: string;
  /** Access key id; with `secretAccessKey`, or neither to use the default AWS credential chain. */
  accessKeyId?: string | undefined;
  /** Secret access key; with `accessKeyId`. */
  secretAccessKey?: string | undefined;
  /** Session token of temporary credentials (AWS STS). */
  sessionToken?: string | undefined;
  /** `true` for path-style URLs (`endpoint/bucket/key`), as MinIO needs; the provider's default when unset. */
  forcePathStyle?: boolean | undefined;
  /** Where the bucket is served from, e.g. `'https://cdn.example.com'`: links are this plus the key. */
  publicBaseUrl?: string | undefined;
  /** A canned ACL for each object; leave unset where the bucket forbids ACLs (most new buckets do). */
  acl?: CannedAcl | undefined;
  /** The key template (default `'{yyyy}/{mm}/{dd}/{name}-{hash:16}.{ext}'`); see `KEY_VARIABLES`. */
  keyTemplate?: string | undefined;
  /** Content hash for keys and deduplication: `'sha256'` (default) or `'md5'`. */
  hashAlgorithm?: HashAlgorithm | undefined;
  /** Multipart part size in bytes: default 8 MiB, at least 5 MiB (the S3 minimum), at most 5 GiB. */
  partSize?: number | undefined;
  /** Parts uploaded in parallel, 1 to 32 (default 4); memory use is at most `partSize` × `queueSize`. */
  queueSize?: number | undefined;
  /** Largest accepted upload in bytes; no limit when unset. */
  maxFileSize?: number | undefined;
  /** Bodies above this many bytes go multipart; defaults to `partSize`. */
  multipartThreshold?: number | undefined;
  /** Time to open a connection to the provider, in ms (default 10 000). */
  connectionTimeout?: number | undefined;
  /** Silence allowed on a connection mid-request, in ms (default 30 000): a stalled provider fails, never hangs. */
  socketTimeout?: number | undefined;
  /** Tries per request, the first included, 1 to 20 (default 6, about 12 s of backoff); 1 fails at the first error. */
  maxAttempts?: number | undefined;
  /**
   * Remove location and camera metadata (EXIF, GPS, XMP, IPTC, comments) from JPEG, PNG, WebP, HEIC and AVIF images before they
   * are hashed and stored, losslessly. Default true; false stores images exactly as given.
   */
  stripMetadata?: boolean | undefined;
}
