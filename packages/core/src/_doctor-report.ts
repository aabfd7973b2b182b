/**
 * The doctor's report: check ids, results and the options every check shares, and the small builders of results.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { LEFTOVER_TITLES, type LeftoverCheckId } from './doctor-leftovers';
import type { ErrorCode } from './errors';
import type { UploadJournal } from './journal';
import type { S3StoreOptions } from './stores/s3';
import type { ObjectStore } from './types';

/** Which check a result is about. */
export type DoctorCheckId =
  | 'endpoint'
  | 'config'
  | 'credentials'
  | 'bucket'
  | 'clock'
  | 'public-url'
  | 'cors'
  | LeftoverCheckId;

/**
 * One check's outcome. `warn` means uploads work but something wants attention (leftovers of dead uploads, no
 * lifecycle rule); it does not make the report fail. `skip` means an earlier failure made it pointless.
 */
export interface DoctorCheck {
  id: DoctorCheckId;
  /** Short human name, e.g. "Bucket reachable". */
  title: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  /** What was found, with the values involved (URL tried, skew in seconds, provider's error code). */
  message: string;
  /** What to do about a failure or a warning. */
  fix?: string;
  /** The error code behind a failure, for hosts that branch on it. */
  code?: ErrorCode;
}

/** Every check in order; `ok` is false when any failed. */
export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
}

/** Options shared by the doctor's checks. */
export interface DoctorOptions {
  /** A store to probe instead of one built from the config (tests, hosts that already hold one). */
  store?: ObjectStore & { readonly client: S3Client };
  /** A smithy HttpHandler for the S3 client (e.g. Obsidian's requestUrl); passed to `createS3Store`. */
  requestHandler?: S3StoreOptions['requestHandler'];
  /** Fetch used to GET the public URL; defaults to `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Local clock in ms since epoch; defaults to `Date.now`. */
  now?: () => number;
  /** Largest tolerated clock difference in seconds; 300 (S3's own limit is 15 minutes, presigned links are stricter). */
  maxClockSkewSeconds?: number;
  signal?: AbortSignal;
  /**
   * Also report what dead uploads left in the bucket (open multipart uploads, objects under the temporary prefix)
   * and whether a lifecycle rule aborts incomplete uploads, as warnings. `journal` tells which uploads are
   * Bytedrop's; `tempPrefix` defaults to `.bytedrop-tmp/`.
   */
  leftovers?: { journal?: UploadJournal; tempPrefix?: string };
}

export const TITLES: Record<DoctorCheckId, string> = {
  endpoint: 'Endpoint has a scheme',
  config: 'Config is valid',
  credentials: 'Credentials present',
  bucket: 'Bucket reachable',
  clock: 'Clock in sync',
  'public-url': 'Public URL serves uploads',
  cors: 'Bucket CORS exposes ETag',
  ...LEFTOVER_TITLES,
};
export const LEFTOVER_IDS = Object.keys(LEFTOVER_TITLES) as LeftoverCheckId[];

export const ok = (id: DoctorCheckId, message: string): DoctorCheck => ({
  id,
  title: TITLES[id],
  status: 'ok',
  message,
});
export const skip = (id: DoctorCheckId, message: string): DoctorCheck => ({
  id,
  title: TITLES[id],
  status: 'skip',
  message,
});
export const fail = (id: DoctorCheckId, message: string, fix: string, code?: ErrorCode): DoctorCheck => ({
  id,
  title: TITLES[id],
  status: 'fail',
  message,
  fix,
  ...(code ? { code } : {}),
});

export function storeOptions(options: DoctorOptions): S3StoreOptions {
  return options.requestHandler === undefined ? {} : { requestHandler: options.requestHandler };
}

export function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const base = error instanceof Error ? error.message : String(error);
  return cause?.code ? `${base} (${String(cause.code)})` : base;
}
