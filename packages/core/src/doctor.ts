/**
 * `bytedrop doctor` and the hosts' "Test connection" buttons: checks a config against the real provider and says
 * exactly what is wrong and how to fix it. Isomorphic (only the S3 store and `fetch`), so Obsidian and VS Code run it
 * too; they pass their own `requestHandler`/`fetch` when the platform's fetch hides headers or enforces CORS.
 */
import { GetObjectCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomId } from './_id';
import { type BytedropConfig, parseConfig } from './config';
import { checkLeftovers, LEFTOVER_TITLES, type LeftoverCheckId } from './doctor-leftovers';
import { type BytedropError, type ErrorCode, isBytedropError, toBytedropError } from './errors';
import type { UploadJournal } from './journal';
import { PROVIDERS, resolveProvider, urlProblem } from './providers';
import { createS3Store, type S3StoreOptions } from './stores/s3';
import type { ObjectStore, ProviderName } from './types';

/** Which check a result is about. */
export type DoctorCheckId =
  | 'endpoint'
  | 'config'
  | 'credentials'
  | 'bucket'
  | 'clock'
  | 'public-url'
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

const TITLES: Record<DoctorCheckId, string> = {
  endpoint: 'Endpoint has a scheme',
  config: 'Config is valid',
  credentials: 'Credentials present',
  bucket: 'Bucket reachable',
  clock: 'Clock in sync',
  'public-url': 'Public URL serves uploads',
  ...LEFTOVER_TITLES,
};
const LEFTOVER_IDS = Object.keys(LEFTOVER_TITLES) as LeftoverCheckId[];

const ok = (id: DoctorCheckId, message: string): DoctorCheck => ({
  id,
  title: TITLES[id],
  status: 'ok',
  message,
});
const skip = (id: DoctorCheckId, message: string): DoctorCheck => ({
  id,
  title: TITLES[id],
  status: 'skip',
  message,
});
const fail = (id: DoctorCheckId, message: string, fix: string, code?: ErrorCode): DoctorCheck => ({
  id,
  title: TITLES[id],
  status: 'fail',
  message,
  fix,
  ...(code ? { code } : {}),
});

function field(input: unknown, name: string): unknown {
  return typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[name] : undefined;
}

/**
 * Checks the endpoint of raw settings (before validation): present when the provider needs one, and an absolute
 * http(s) URL — `127.0.0.1:9000` without `http://` is the classic mistake.
 *
 * @example
 * ```ts
 * checkEndpoint({ endpoint: '127.0.0.1:9000', bucket: 'notes' });
 * // { id: 'endpoint', status: 'fail', message: "endpoint '127.0.0.1:9000' has no scheme: …", fix: "write 'http://127.0.0.1:9000' …" }
 * ```
 */
export function checkEndpoint(input: unknown): DoctorCheck {
  const endpoint = field(input, 'endpoint');
  const provider = (field(input, 'provider') as ProviderName | undefined) ?? 'aws';
  if (endpoint === undefined || endpoint === null || endpoint === '') {
    if (PROVIDERS[provider]?.requiresEndpoint === false || field(input, 'provider') === undefined) {
      return ok('endpoint', "no endpoint set: using AWS S3's regional endpoint");
    }
    return fail(
      'endpoint',
      `endpoint is missing for provider '${provider}'`,
      `set 'endpoint' (S3_ENDPOINT / BYTEDROP_ENDPOINT) to e.g. '${PROVIDERS[provider]?.endpointExample ?? 'https://s3.example.com'}'`,
      'ERR_CONFIG',
    );
  }
  if (typeof endpoint !== 'string') {
    return fail(
      'endpoint',
      `endpoint is a ${typeof endpoint}, not a URL`,
      "write it like 'https://s3.example.com'",
      'ERR_CONFIG',
    );
  }
  const problem = urlProblem('endpoint', endpoint);
  if (problem !== undefined) {
    const trimmed = endpoint.trim();
    const fix = problem.includes('has no scheme')
      ? `add the scheme: 'http://${trimmed}' (local servers) or 'https://${trimmed}'`
      : problem.split(': ').slice(1).join(': ') || "write it like 'https://s3.example.com'";
    return fail('endpoint', problem, fix, 'ERR_CONFIG');
  }
  return ok('endpoint', `endpoint ${endpoint.trim()}`);
}

/**
 * Checks that credentials are configured (both halves). Without them only AWS can work, through the SDK's default
 * credential chain.
 *
 * @example
 * ```ts
 * checkCredentials(config).status; // 'ok' | 'fail'
 * ```
 */
export function checkCredentials(config: BytedropConfig): DoctorCheck {
  if (config.accessKeyId && config.secretAccessKey) {
    return ok('credentials', `access key id ${maskKey(config.accessKeyId)} and a secret are set`);
  }
  if (config.provider === 'aws') {
    return ok(
      'credentials',
      "no keys in the config: the AWS SDK's default credential chain (env, ~/.aws) applies",
    );
  }
  return fail(
    'credentials',
    'no access key id / secret access key configured',
    'set accessKeyId and secretAccessKey (S3_ACCESS_KEY and S3_SECRET_KEY, or BYTEDROP_ACCESS_KEY_ID and BYTEDROP_SECRET_ACCESS_KEY)',
    'ERR_CONFIG',
  );
}

/** Shows enough of a key id to recognise it, never the whole of it. */
function maskKey(id: string): string {
  return id.length <= 8 ? `${id.slice(0, 2)}…` : `${id.slice(0, 4)}…${id.slice(-4)}`;
}

/** The result of `checkBucket`: the check, plus the server's `Date` header for `checkClockSkew`. */
export type BucketCheck = DoctorCheck & { serverDate?: Date };

/**
 * Sends HeadBucket and says whether the bucket is reachable, telling apart wrong keys (`ERR_AUTH`), a missing bucket
 * (`ERR_BUCKET_NOT_FOUND`), missing permissions (`ERR_FORBIDDEN`), clock skew and network failures (`ERR_NETWORK`).
 * A HEAD response has no body, so a 403 is followed by a GET of a missing key, whose XML error names the cause.
 * Also returns the server's `Date` header.
 *
 * @example
 * ```ts
 * const bucket = await checkBucket(config);
 * const clock = checkClockSkew(bucket.serverDate);
 * ```
 */
export async function checkBucket(config: BytedropConfig, options: DoctorOptions = {}): Promise<BucketCheck> {
  const store = options.store ?? createS3Store(config, storeOptions(options));
  const context = { bucket: config.bucket, ...(config.endpoint ? { endpoint: config.endpoint } : {}) };
  let serverDate: Date | undefined;
  const withDate = (check: DoctorCheck): BucketCheck => (serverDate ? { ...check, serverDate } : check);
  const recordDate = (response: unknown) => {
    serverDate ??= dateHeader(response);
  };

  const head = new HeadBucketCommand({ Bucket: config.bucket });
  // Innermost middleware: it sees the raw HTTP response, success or error, before the SDK deserialises it.
  head.middlewareStack.add(
    (next) => async (args) => {
      try {
        const result = await next(args);
        recordDate(result.response);
        return result;
      } catch (error) {
        recordDate((error as { $response?: unknown }).$response);
        throw error;
      }
    },
    { step: 'deserialize', priority: 'low', name: 'bytedropDoctorDate' },
  );
  let error: BytedropError;
  try {
    await store.client.send(head, options.signal ? { abortSignal: options.signal } : {});
    return withDate(ok('bucket', `bucket '${config.bucket}' is reachable with these credentials`));
  } catch (caught) {
    recordDate((caught as { $response?: unknown }).$response);
    error = toBytedropError(caught, context);
  }

  if (error.status === 403 && !isBytedropError(error, 'ERR_CLOCK_SKEW')) {
    // HEAD errors carry no body, so "wrong secret" and "no permission" both look like a bare 403: ask with a GET.
    try {
      await store.client.send(
        new GetObjectCommand({ Bucket: config.bucket, Key: `.bytedrop-doctor/missing-${randomId()}` }),
        options.signal ? { abortSignal: options.signal } : {},
      );
    } catch (caught) {
      const precise = toBytedropError(caught, context);
      if (isBytedropError(precise, 'ERR_NOT_FOUND')) {
        return withDate(
          ok(
            'bucket',
            `bucket '${config.bucket}' is reachable (HeadBucket is not allowed for these credentials, object requests are)`,
          ),
        );
      }
      error = precise;
    }
  }
  return withDate(bucketFailure(error, config));
}

function bucketFailure(error: BytedropError, config: BytedropConfig): DoctorCheck {
  const where = config.endpoint ?? `AWS (${config.region})`;
  const provider = error.s3Code ? ` (${error.s3Code})` : '';
  switch (error.code) {
    case 'ERR_AUTH':
      return fail(
        'bucket',
        `the provider rejected the credentials${provider}: wrong access key id or secret for ${where}`,
        'copy the access key id and secret access key again from the provider (S3_ACCESS_KEY / S3_SECRET_KEY); check for spaces',
        error.code,
      );
    case 'ERR_BUCKET_NOT_FOUND':
      return fail(
        'bucket',
        `bucket '${config.bucket}' does not exist at ${where}`,
        'create the bucket, or fix its name (S3_BUCKET / BYTEDROP_BUCKET); names are case-sensitive',
        error.code,
      );
    case 'ERR_FORBIDDEN':
      return fail(
        'bucket',
        `access to bucket '${config.bucket}' is denied${provider}`,
        'give these credentials read and write access (s3:ListBucket, s3:GetObject, s3:PutObject, s3:DeleteObject) on the bucket',
        error.code,
      );
    case 'ERR_CLOCK_SKEW':
      return fail(
        'bucket',
        "the provider rejected the request time: this machine's clock is off",
        "sync the clock (enable NTP: 'timedatectl set-ntp true', or the OS's automatic time setting)",
        error.code,
      );
    case 'ERR_NETWORK':
      return fail(
        'bucket',
        `cannot reach ${where}: ${error.message}`,
        'check the endpoint host and port, that the server is running, and any proxy or firewall in between',
        error.code,
      );
    default:
      return fail(
        'bucket',
        error.message,
        'check the endpoint, region and bucket against the provider console',
        error.code,
      );
  }
}

/**
 * Compares the server's `Date` header with the local clock. More than `maxClockSkewSeconds` (300) apart fails,
 * because SigV4 signatures and presigned URLs stop working; the message gives the skew in seconds.
 *
 * @example
 * ```ts
 * checkClockSkew(new Date(Date.now() - 600_000)).message;
 * // "this machine's clock is 600 s ahead of the storage server's"
 * ```
 */
export function checkClockSkew(
  serverDate: Date | undefined,
  options: Pick<DoctorOptions, 'now' | 'maxClockSkewSeconds'> = {},
): DoctorCheck {
  if (serverDate === undefined)
    return skip('clock', 'skipped: the server sent no Date header to compare with');
  const now = options.now?.() ?? Date.now();
  const limit = options.maxClockSkewSeconds ?? 300;
  const skew = Math.round((now - serverDate.getTime()) / 1000);
  const direction = skew > 0 ? 'ahead of' : 'behind';
  if (Math.abs(skew) > limit) {
    return fail(
      'clock',
      `this machine's clock is ${Math.abs(skew)} s ${direction} the storage server's (server Date: ${serverDate.toUTCString()})`,
      "sync the clock (enable NTP: 'timedatectl set-ntp true', or the OS's automatic time setting)",
      'ERR_CLOCK_SKEW',
    );
  }
  return ok('clock', `within ${Math.abs(skew)} s of the storage server's clock`);
}

/**
 * Uploads a tiny probe object, GETs it through its public URL, compares the bytes, and deletes it — always, even when
 * a step fails. Fails naming the URL tried when it does not answer 200 or serves other bytes.
 *
 * @example
 * ```ts
 * const check = await checkPublicUrl(config);
 * if (check.status === 'fail') console.error(check.message, check.fix);
 * ```
 */
export async function checkPublicUrl(
  config: BytedropConfig,
  options: DoctorOptions = {},
): Promise<DoctorCheck> {
  const store = options.store ?? createS3Store(config, storeOptions(options));
  const doFetch = options.fetch ?? globalThis.fetch;
  const id = randomId();
  const key = `.bytedrop-doctor/probe-${id}.txt`;
  const bytes = new TextEncoder().encode(`bytedrop doctor probe ${id}\n`);
  const base = config.publicBaseUrl
    ? 'publicBaseUrl (PUBLIC_DOMAIN)'
    : 'the bucket URL (no publicBaseUrl set)';
  let url = '';
  try {
    await store.put(key, bytes, {
      contentType: 'text/plain; charset=utf-8',
      size: bytes.byteLength,
      cacheControl: 'no-store',
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (caught) {
    const error = toBytedropError(caught, { bucket: config.bucket, key });
    return fail(
      'public-url',
      `could not upload the probe object '${key}': ${error.message}`,
      'give these credentials s3:PutObject on the bucket',
      error.code,
    );
  }
  try {
    url = store.publicUrl(key);
    let response: Response;
    try {
      response = await doFetch(url, {
        cache: 'no-store',
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (caught) {
      return fail(
        'public-url',
        `GET ${url} failed: ${describe(caught)}`,
        `set publicBaseUrl (PUBLIC_DOMAIN) to a URL that serves bucket '${config.bucket}' and is reachable from here`,
        'ERR_NETWORK',
      );
    }
    const served = new Uint8Array(await response.arrayBuffer());
    if (!response.ok) {
      return fail(
        'public-url',
        `GET ${url} answered HTTP ${response.status} for a just-uploaded object (URL built from ${base})`,
        `set publicBaseUrl (PUBLIC_DOMAIN) to the URL that serves bucket '${config.bucket}' (its custom domain, r2.dev or CDN URL), and make the bucket publicly readable`,
        response.status === 404 ? 'ERR_NOT_FOUND' : 'ERR_FORBIDDEN',
      );
    }
    if (!sameBytes(served, bytes)) {
      return fail(
        'public-url',
        `GET ${url} answered 200 but with ${served.byteLength} bytes that differ from the probe's ${bytes.byteLength} (URL built from ${base})`,
        `point publicBaseUrl (PUBLIC_DOMAIN) at bucket '${config.bucket}' itself, not another bucket, a website or a stale cache`,
        'ERR_PROVIDER',
      );
    }
    return ok('public-url', `uploaded, fetched and deleted a probe at ${url}`);
  } finally {
    // Always clean up; a failed delete is not worth failing the report over, the probe is a few bytes.
    await store.delete(key).catch(() => undefined);
  }
}

/**
 * Runs every check in order and returns the report. Takes a parsed config or raw settings (a host's settings tab),
 * so the endpoint and config checks can report input problems instead of throwing. Later checks are skipped when an
 * earlier one makes them meaningless. Never throws for provider failures: they become failed checks.
 *
 * @example
 * ```ts
 * const report = await runDoctor({ endpoint: 'http://127.0.0.1:9000', bucket: 'notes', accessKeyId: 'k', secretAccessKey: 's' });
 * for (const check of report.checks) console.log(check.status, check.title, check.message, check.fix ?? '');
 * process.exitCode = report.ok ? 0 : 1;
 * ```
 */
export async function runDoctor(input: unknown, options: DoctorOptions = {}): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const finish = (): DoctorReport => ({ ok: checks.every((check) => check.status !== 'fail'), checks });
  const skipRest = (reason: string, ids: DoctorCheckId[]) => {
    for (const id of options.leftovers ? [...ids, ...LEFTOVER_IDS] : ids) {
      checks.push(skip(id, `skipped: ${reason}`));
    }
  };

  const endpoint = checkEndpoint(input);
  checks.push(endpoint);
  if (endpoint.status === 'fail') {
    skipRest('fix the endpoint first', ['config', 'credentials', 'bucket', 'clock', 'public-url']);
    return finish();
  }
  let config: BytedropConfig;
  try {
    config = parseConfig(input);
    resolveProvider(config);
    checks.push(
      ok('config', `provider '${config.provider}', region '${config.region}', bucket '${config.bucket}'`),
    );
  } catch (caught) {
    const error = toBytedropError(caught);
    checks.push(
      fail(
        'config',
        error.message,
        'fix the fields named above in the config file or environment',
        error.code,
      ),
    );
    skipRest('fix the config first', ['credentials', 'bucket', 'clock', 'public-url']);
    return finish();
  }
  const credentials = checkCredentials(config);
  checks.push(credentials);
  if (credentials.status === 'fail') {
    skipRest('no credentials', ['bucket', 'clock', 'public-url']);
    return finish();
  }
  const store = options.store ?? createS3Store(config, storeOptions(options));
  const shared: DoctorOptions = { ...options, store };
  const { serverDate, ...bucket } = await checkBucket(config, shared);
  checks.push(bucket);
  checks.push(checkClockSkew(serverDate, options));
  if (bucket.status === 'fail') {
    skipRest('the bucket is not reachable', ['public-url']);
    return finish();
  }
  checks.push(await checkPublicUrl(config, shared));
  if (options.leftovers) {
    const { now, signal } = options;
    const where = { client: store.client, bucket: config.bucket, storeId: store.id, now, signal };
    checks.push(...(await checkLeftovers({ ...options.leftovers, ...where })));
  }
  return finish();
}

function storeOptions(options: DoctorOptions): S3StoreOptions {
  return options.requestHandler === undefined ? {} : { requestHandler: options.requestHandler };
}

function dateHeader(response: unknown): Date | undefined {
  const headers = (response as { headers?: Record<string, string | undefined> } | undefined)?.headers;
  if (!headers) return undefined;
  const name = Object.keys(headers).find((header) => header.toLowerCase() === 'date');
  const value = name === undefined ? undefined : headers[name];
  const date = value ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((byte, index) => byte === b[index]);
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const base = error instanceof Error ? error.message : String(error);
  return cause?.code ? `${base} (${String(cause.code)})` : base;
}
