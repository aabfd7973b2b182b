/**
 * Server settings from the environment, with ByteGo's variable names kept as they are (`AUTH_KEY`,
 * `MAX_FILE_SIZE_MB`, `PORT`, `LOG_LEVEL`, `LOG_TO_FILE`, `LOG_DIR`) so a ByteGo deployment moves over unchanged.
 * Storage settings (`S3_*`, `PUBLIC_DOMAIN`, `BYTEDROP_*`) are core's `loadConfig`.
 */
import { BytedropError } from '@bytedrop/core';
import { parseTrustProxy, type TrustProxy } from './client-address';
import { checkSecret } from './delete-token';
import type { JwtOptions } from './jwt';
import { checkRate, type UploadRates } from './rate-limits';

/** Everything the bin needs besides the storage config. */
export interface ServerSettings {
  port: number;
  host?: string;
  /** Local-disk objects live in `<dataDir>/files`; the generated key and secret next to them. */
  dataDir: string;
  authKey?: string;
  keysFile?: string;
  secret?: string;
  maxFileSize: number;
  maxFiles: number;
  allowedTypes?: string[];
  trustProxy?: TrustProxy;
  redisUrl?: string;
  maxFailures: number;
  banSeconds: number;
  /** Count wrong keys from loopback clients too (`BAN_LOOPBACK`; default off). */
  banLoopback: boolean;
  /** Links give a 144 DPI image half its pixels (`BYTEDROP_HIDPI`; default on). */
  hidpi: boolean;
  logLevel: string;
  /** `auto` (pretty on a terminal, JSON otherwise), `pretty` or `json` (`LOG_FORMAT`). */
  logFormat: 'auto' | 'pretty' | 'json';
  logToFile: boolean;
  logDir: string;
  /** The server's public origin, for links and the ShareX config behind a proxy. */
  serverUrl?: string;
  /** Whole-request limit in seconds (Node `requestTimeout`). */
  requestTimeout: number;
  /** Time allowed to send the headers, in seconds (Node `headersTimeout`). */
  headersTimeout: number;
  /** Seconds the client may stay silent while its body is read. */
  idleTimeout: number;
  /** Seconds storage may keep an upload waiting before it is aborted with 504 (`STORAGE_TIMEOUT_S`). */
  storageTimeout: number;
  /** Seconds uploads in flight get to finish on SIGTERM/SIGINT before they are aborted (`SHUTDOWN_GRACE_S`). */
  shutdownGrace: number;
  /** Seconds between sweeps for what dead uploads left in storage (`SWEEP_INTERVAL_S`). */
  sweepInterval: number;
  /**
   * Seconds a multipart upload or temporary object under the server's temporary prefix must be old before a sweep
   * removes it (`SWEEP_AFTER_S`): at least the longest a request can live, so no upload in flight is ever swept.
   */
  sweepAfter: number;
  /** Milliseconds one Redis command may take before keyed requests are refused with 503 (`REDIS_TIMEOUT_MS`). */
  redisTimeoutMs: number;
  /** Where private uploads are stored (`PRIVATE_PREFIX`, default `private/`). */
  privatePrefix?: string;
  /** Web origins besides the server's own page that may send keys (`CORS_ORIGINS`, comma-separated). */
  corsOrigins: string[];
  /** Sign-in by JWT (`JWT_JWKS_URL` or `JWT_PUBLIC_KEY`, with `JWT_ISSUER` and `JWT_AUDIENCE`). */
  jwt?: JwtOptions;
  /** Files an access key may store per hour and per day, unless the keys file says otherwise for it. */
  uploadRates?: UploadRates;
  /** `TUS_CREATIONS_PER_HOUR`: tus uploads one key may create per hour (default 1000). */
  tusCreationsPerHour?: number;
  /** Receivers of signed upload and delete events (`WEBHOOK_URLS`, comma-separated), with `WEBHOOK_SECRET`. */
  webhooks?: { urls: string[]; secret: string; allowPrivate: boolean };
  /** PostgreSQL for the file catalog (`DATABASE_URL`); without it the catalog is SQLite in the data directory. */
  databaseUrl?: string;
}

type Env = Record<string, string | undefined>;

function pick(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

function number(env: Env, fallback: number, ...names: string[]): number {
  const raw = pick(env, ...names);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new BytedropError(
      'ERR_CONFIG',
      `${names[0]}='${raw}' is not a positive number: set e.g. ${names[0]}=${fallback}`,
    );
  }
  return value;
}

/** A yes/no variable: `true`/`1`/`yes` or `false`/`0`/`no`; anything else is a mistake worth stopping for. */
function flag(env: Env, ...names: string[]): boolean {
  const raw = pick(env, ...names);
  if (raw === undefined || /^(0|false|no|off)$/i.test(raw)) return false;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  throw new BytedropError(
    'ERR_CONFIG',
    `${names[0]}='${raw}' is not a yes/no value: set ${names[0]}=true or false`,
  );
}

function logFormat(raw: string | undefined): ServerSettings['logFormat'] {
  const value = (raw ?? 'auto').toLowerCase();
  if (value === 'auto' || value === 'pretty' || value === 'json') return value;
  throw new BytedropError(
    'ERR_CONFIG',
    `LOG_FORMAT='${raw}' is not auto, pretty or json: set e.g. LOG_FORMAT=json`,
  );
}

/** A comma-separated list, without blanks. */
function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** `JWT_*`: sign-in by JWT when a JWKS URL or a public key is set. */
function jwt(env: Env): Pick<ServerSettings, 'jwt'> {
  const jwksUrl = pick(env, 'JWT_JWKS_URL');
  const publicKey = pick(env, 'JWT_PUBLIC_KEY');
  if (jwksUrl === undefined && publicKey === undefined) return {};
  const prefixClaim = pick(env, 'JWT_PREFIX_CLAIM');
  return {
    jwt: {
      ...(jwksUrl === undefined ? {} : { jwksUrl }),
      // A PEM in one environment variable often arrives with literal \n for its line breaks.
      ...(publicKey === undefined ? {} : { publicKey: publicKey.replace(/\\n/g, '\n') }),
      issuer: pick(env, 'JWT_ISSUER') ?? '',
      audience: pick(env, 'JWT_AUDIENCE') ?? '',
      ...(prefixClaim === undefined ? {} : { prefixClaim }),
    },
  };
}

/** `UPLOADS_PER_HOUR`, `UPLOADS_PER_DAY` and `TUS_CREATIONS_PER_HOUR`: whole numbers above 0, or unset. */
function uploadRates(env: Env): Pick<ServerSettings, 'uploadRates' | 'tusCreationsPerHour'> {
  const rate = (name: string) => {
    const raw = pick(env, name);
    return raw === undefined ? undefined : checkRate(Number(raw), `${name}='${raw}'`);
  };
  const perHour = rate('UPLOADS_PER_HOUR');
  const perDay = rate('UPLOADS_PER_DAY');
  const creations = rate('TUS_CREATIONS_PER_HOUR');
  return {
    ...(creations === undefined ? {} : { tusCreationsPerHour: creations }),
    ...(perHour === undefined && perDay === undefined
      ? {}
      : {
          uploadRates: {
            ...(perHour === undefined ? {} : { perHour }),
            ...(perDay === undefined ? {} : { perDay }),
          },
        }),
  };
}

/** `WEBHOOK_URLS` with its secret; a secret is required as soon as there is a receiver. */
function webhooks(env: Env): Pick<ServerSettings, 'webhooks'> {
  const urls = list(pick(env, 'WEBHOOK_URLS'));
  if (urls.length === 0) return {};
  const secret = pick(env, 'WEBHOOK_SECRET');
  if (secret === undefined) {
    throw new BytedropError(
      'ERR_CONFIG',
      "WEBHOOK_URLS is set but WEBHOOK_SECRET is not: set WEBHOOK_SECRET to 'whsec_' and base64, e.g. the output of `node -e \"console.log('whsec_' + require('crypto').randomBytes(32).toString('base64'))\"`",
    );
  }
  return { webhooks: { urls, secret, allowPrivate: flag(env, 'WEBHOOK_ALLOW_PRIVATE') } };
}

/**
 * Reads the server settings from `env`. `storage` is the storage config (file and env): its `maxFileSize` is the
 * limit when no `MAX_FILE_SIZE_MB` is set, so the handler, the store and the uploader all enforce one limit.
 *
 * @example
 * ```ts
 * const settings = serverSettingsFromEnv({ PORT: '8080', AUTH_KEY: 'a-long-key', MAX_FILE_SIZE_MB: '20' });
 * settings.maxFileSize; // 20971520
 * ```
 */
export function serverSettingsFromEnv(env: Env, storage: { maxFileSize?: unknown } = {}): ServerSettings {
  const allowed = pick(env, 'ALLOWED_TYPES', 'BYTEDROP_ALLOWED_TYPES');
  const sizeNames = ['MAX_FILE_SIZE_MB', 'BYTEDROP_MAX_FILE_SIZE_MB'];
  // Checked here because this value replaces the uploader's, so core's config check never sees it.
  if (
    storage.maxFileSize !== undefined &&
    !(Number.isSafeInteger(storage.maxFileSize) && (storage.maxFileSize as number) > 0)
  ) {
    throw new BytedropError(
      'ERR_CONFIG',
      `maxFileSize '${String(storage.maxFileSize)}' is not a positive whole number of bytes: write e.g. 104857600 (100 MiB), or set MAX_FILE_SIZE_MB`,
    );
  }
  const settings: ServerSettings = {
    port: number(env, 8000, 'PORT'),
    dataDir: pick(env, 'BYTEDROP_DATA_DIR', 'DATA_DIR') ?? './data',
    maxFileSize:
      pick(env, ...sizeNames) === undefined && storage.maxFileSize !== undefined
        ? (storage.maxFileSize as number)
        : Math.round(number(env, 100, ...sizeNames) * 1024 * 1024),
    maxFiles: Math.floor(number(env, 10, 'MAX_FILES', 'BYTEDROP_MAX_FILES')),
    maxFailures: Math.floor(number(env, 3, 'BAN_MAX_FAILURES', 'BYTEDROP_BAN_MAX_FAILURES')),
    banSeconds: number(env, 3600, 'BAN_SECONDS', 'BYTEDROP_BAN_SECONDS'),
    banLoopback: flag(env, 'BAN_LOOPBACK', 'BYTEDROP_BAN_LOOPBACK'),
    // On unless turned off: a Retina screenshot shows in a note at the size it had on screen.
    hidpi: pick(env, 'BYTEDROP_HIDPI') === undefined || flag(env, 'BYTEDROP_HIDPI'),
    logLevel: pick(env, 'LOG_LEVEL') ?? 'info',
    logFormat: logFormat(pick(env, 'LOG_FORMAT')),
    logToFile: /^(1|true|yes)$/i.test(pick(env, 'LOG_TO_FILE') ?? ''),
    logDir: pick(env, 'LOG_DIR') ?? './logs',
    requestTimeout: number(env, 900, 'REQUEST_TIMEOUT_S', 'BYTEDROP_REQUEST_TIMEOUT_S'),
    headersTimeout: number(env, 30, 'HEADERS_TIMEOUT_S', 'BYTEDROP_HEADERS_TIMEOUT_S'),
    idleTimeout: number(env, 60, 'IDLE_TIMEOUT_S', 'BYTEDROP_IDLE_TIMEOUT_S'),
    storageTimeout: number(env, 120, 'STORAGE_TIMEOUT_S', 'BYTEDROP_STORAGE_TIMEOUT_S'),
    shutdownGrace: number(env, 8, 'SHUTDOWN_GRACE_S', 'BYTEDROP_SHUTDOWN_GRACE_S'),
    sweepInterval: number(env, 3600, 'SWEEP_INTERVAL_S', 'BYTEDROP_SWEEP_INTERVAL_S'),
    sweepAfter: number(env, 3600, 'SWEEP_AFTER_S', 'BYTEDROP_SWEEP_AFTER_S'),
    redisTimeoutMs: number(env, 1000, 'REDIS_TIMEOUT_MS', 'BYTEDROP_REDIS_TIMEOUT_MS'),
    corsOrigins: list(pick(env, 'CORS_ORIGINS', 'BYTEDROP_CORS_ORIGINS')),
    ...webhooks(env),
    ...uploadRates(env),
    ...jwt(env),
  };
  const optional: [keyof ServerSettings, string | undefined][] = [
    ['host', pick(env, 'HOST', 'BYTEDROP_HOST')],
    ['authKey', pick(env, 'AUTH_KEY', 'BYTEDROP_AUTH_KEY')],
    ['keysFile', pick(env, 'KEYS_FILE', 'BYTEDROP_KEYS_FILE')],
    ['secret', pick(env, 'BYTEDROP_SECRET', 'DELETE_SECRET')],
    ['redisUrl', pick(env, 'REDIS_URL', 'BYTEDROP_REDIS_URL')],
    ['serverUrl', pick(env, 'BYTEDROP_SERVER_URL', 'SERVER_URL')],
    ['databaseUrl', pick(env, 'DATABASE_URL', 'BYTEDROP_DATABASE_URL')],
    ['privatePrefix', pick(env, 'PRIVATE_PREFIX', 'BYTEDROP_PRIVATE_PREFIX')],
  ];
  for (const [name, value] of optional) if (value !== undefined) Object.assign(settings, { [name]: value });
  if (settings.secret !== undefined) checkSecret(settings.secret, 'BYTEDROP_SECRET');
  // Node refuses this pair with a bare range error at start; say which variables and what to do.
  if (settings.headersTimeout > settings.requestTimeout) {
    throw new BytedropError(
      'ERR_CONFIG',
      `HEADERS_TIMEOUT_S=${settings.headersTimeout} is longer than REQUEST_TIMEOUT_S=${settings.requestTimeout}, which includes the headers: lower HEADERS_TIMEOUT_S or raise REQUEST_TIMEOUT_S`,
    );
  }
  // A request lives at most this long (the body, then storage's silence after it): a younger leftover may be live.
  const longestRequest = settings.requestTimeout + settings.storageTimeout;
  if (settings.sweepAfter < longestRequest) {
    throw new BytedropError(
      'ERR_CONFIG',
      `SWEEP_AFTER_S=${settings.sweepAfter} is shorter than the longest a request can live (REQUEST_TIMEOUT_S + STORAGE_TIMEOUT_S = ${longestRequest}), so a sweep could remove an upload still in flight: raise SWEEP_AFTER_S to at least ${longestRequest}, or lower those timeouts`,
    );
  }
  // Node's timers hold at most 2^31 - 1 ms; a longer interval would fire at once, and again, without pause.
  if (settings.sweepInterval * 1000 > 2 ** 31 - 1) {
    throw new BytedropError(
      'ERR_CONFIG',
      `SWEEP_INTERVAL_S=${settings.sweepInterval} is longer than 24 days, the longest timer Node keeps: set e.g. SWEEP_INTERVAL_S=86400 (a day)`,
    );
  }
  if (allowed) settings.allowedTypes = list(allowed);
  const trust = parseTrustProxy(pick(env, 'TRUST_PROXY', 'BYTEDROP_TRUST_PROXY'));
  if (trust) settings.trustProxy = trust;
  return settings;
}

/**
 * The `server` section of a config file, as environment variables (same names: `PORT`, `AUTH_KEY`,
 * `MAX_FILE_SIZE_MB`, …), so one file can hold storage and server settings. The real environment wins over it.
 *
 * @example
 * ```ts
 * serverEnvFromConfig({ bucket: 'shots', server: { PORT: 9000, TRUST_PROXY: '1' } }, 'bytedrop.config.json');
 * // { PORT: '9000', TRUST_PROXY: '1' }
 * ```
 */
export function serverEnvFromConfig(config: unknown, source: string): Record<string, string> {
  const section = (config as { server?: unknown } | null)?.server;
  if (section === undefined) return {};
  if (typeof section !== 'object' || section === null || Array.isArray(section)) {
    throw new BytedropError(
      'ERR_CONFIG',
      `"server" in ${source} must be an object of settings like {"PORT": 8000, "AUTH_KEY": "…"}`,
    );
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(section)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new BytedropError(
        'ERR_CONFIG',
        `"server.${name}" in ${source} must be a string, number or boolean, like the environment variable it stands for`,
      );
    }
    env[name] = String(value);
  }
  return env;
}
