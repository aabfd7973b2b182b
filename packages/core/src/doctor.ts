/**
 * `bytedrop doctor` and the hosts' "Test connection" buttons: checks a config against the real provider and says
 * exactly what is wrong and how to fix it. Isomorphic (only the S3 store and `fetch`), so Obsidian and VS Code run it
 * too; they pass their own `requestHandler`/`fetch` when the platform's fetch hides headers or enforces CORS. The
 * result types are in `_doctor-report.ts`, the bucket and clock checks in `doctor-bucket.ts`, the leftovers in
 * `doctor-leftovers.ts`.
 */

import {
  type DoctorCheck,
  type DoctorCheckId,
  type DoctorOptions,
  type DoctorReport,
  describe,
  fail,
  LEFTOVER_IDS,
  ok,
  skip,
  storeOptions,
} from './_doctor-report';
import { randomId } from './_id';
import { type BytedropConfig, parseConfig } from './config';
import type { BytedropConfigInput } from './config-input';
import { checkBucket, checkClockSkew } from './doctor-bucket';
import { checkLeftovers } from './doctor-leftovers';
import { toBytedropError } from './error-mapping';
import { PROVIDERS, resolveProvider, urlProblem } from './providers';
import { createS3Store } from './stores/s3';
import type { ProviderName } from './types';

export type { DoctorCheck, DoctorCheckId, DoctorOptions, DoctorReport } from './_doctor-report';
export type { BucketCheck } from './doctor-bucket';
export { checkBucket, checkClockSkew } from './doctor-bucket';

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
 * Runs every check in order and returns the report. Takes a parsed config or the settings as entered (a host's
 * settings tab; every field optional, even the bucket), so the endpoint and config checks can report input problems
 * instead of throwing. Later checks are skipped when an
 * earlier one makes them meaningless. Never throws for provider failures: they become failed checks.
 *
 * @example
 * ```ts
 * const report = await runDoctor({ endpoint: 'http://127.0.0.1:9000', bucket: 'notes', accessKeyId: 'k', secretAccessKey: 's' });
 * for (const check of report.checks) console.log(check.status, check.title, check.message, check.fix ?? '');
 * process.exitCode = report.ok ? 0 : 1;
 * ```
 */
export async function runDoctor(
  input: Partial<BytedropConfigInput>,
  options: DoctorOptions = {},
): Promise<DoctorReport> {
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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((byte, index) => byte === b[index]);
}
