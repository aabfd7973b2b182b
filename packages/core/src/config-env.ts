/**
 * Reading a partial config from environment variables: Bytedrop's own names and ByteGo's, so a ByteGo deployment's
 * environment works unchanged.
 */

import type { BytedropConfigInput, CannedAcl } from './config-input';
import { BytedropError } from './errors';
import type { HashAlgorithm, ProviderName } from './types';

const MiB = 1024 * 1024;

/** Reads one env var, BYTEDROP_* first, then the ByteGo name. */
function pick(env: Record<string, string | undefined>, ...names: string[]): [string, string] | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return [name, value];
  }
  return undefined;
}

function envBoolean(name: string, value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new BytedropError('ERR_CONFIG', `${name}='${value}' is not a boolean: write 'true' or 'false'`);
}

function envMebibytes(name: string, value: string): number {
  const number = Number(value);
  if (value === '' || !Number.isFinite(number) || number <= 0) {
    throw new BytedropError(
      'ERR_CONFIG',
      `${name}='${value}' is not a size: write a positive number of MiB, e.g. '8'`,
    );
  }
  return Math.round(number * MiB);
}

function envSeconds(name: string, value: string): number {
  const number = Number(value);
  if (value === '' || !Number.isFinite(number) || number <= 0) {
    throw new BytedropError(
      'ERR_CONFIG',
      `${name}='${value}' is not a duration: write a positive number of seconds, e.g. '30'`,
    );
  }
  return Math.round(number * 1000);
}

function envWholeNumber(name: string, value: string, example: string): number {
  const number = Number(value);
  if (!Number.isInteger(number)) {
    throw new BytedropError(
      'ERR_CONFIG',
      `${name}='${value}' is not a whole number: write e.g. '${example}'`,
    );
  }
  return number;
}

/**
 * Reads a partial config from environment variables. `BYTEDROP_*` names win over the ByteGo names
 * (`S3_ENDPOINT`, `S3_ACCESS_KEY`, `S3_SECRET_KEY`, `S3_BUCKET`, `S3_ACL`, `S3_REGION`, `PUBLIC_DOMAIN`), so a ByteGo
 * deployment's env works unchanged. A `PUBLIC_DOMAIN` without a scheme gets `https://`, as ByteGo assumed.
 * `BYTEDROP_STRIP_METADATA=false` keeps images' metadata. Sizes (`*_MB`) are MiB, durations (`*_S`) seconds (fractions allowed: `0.5`), `BYTEDROP_MAX_ATTEMPTS` tries per
 * request. Pass the result through `parseConfig` (usually merged with a file and overrides).
 *
 * @example
 * ```ts
 * configFromEnv({ S3_ENDPOINT: 'https://abc.r2.cloudflarestorage.com', S3_BUCKET: 'notes', PUBLIC_DOMAIN: 'cdn.example.com' });
 * // { endpoint: 'https://abc.r2.cloudflarestorage.com', bucket: 'notes', publicBaseUrl: 'https://cdn.example.com' }
 * ```
 */
export function configFromEnv(env: Record<string, string | undefined>): Partial<BytedropConfigInput> {
  const config: Partial<BytedropConfigInput> = {};
  const strings = {
    endpoint: ['BYTEDROP_ENDPOINT', 'S3_ENDPOINT'],
    bucket: ['BYTEDROP_BUCKET', 'S3_BUCKET'],
    accessKeyId: ['BYTEDROP_ACCESS_KEY_ID', 'S3_ACCESS_KEY'],
    secretAccessKey: ['BYTEDROP_SECRET_ACCESS_KEY', 'S3_SECRET_KEY'],
    sessionToken: ['BYTEDROP_SESSION_TOKEN'],
    region: ['BYTEDROP_REGION', 'S3_REGION'],
    keyTemplate: ['BYTEDROP_KEY_TEMPLATE'],
  } as const;
  for (const [field, names] of Object.entries(strings) as [keyof typeof strings, readonly string[]][]) {
    const found = pick(env, ...names);
    if (found) config[field] = found[1];
  }
  // Cast like the provider below: parseConfig names a value that is not a canned ACL.
  const acl = pick(env, 'BYTEDROP_ACL', 'S3_ACL');
  if (acl) config.acl = acl[1] as CannedAcl;
  const provider = pick(env, 'BYTEDROP_PROVIDER');
  if (provider) config.provider = provider[1].toLowerCase() as ProviderName;
  const hash = pick(env, 'BYTEDROP_HASH', 'BYTEDROP_HASH_ALGORITHM');
  if (hash) config.hashAlgorithm = hash[1].toLowerCase() as HashAlgorithm;

  const base = pick(env, 'BYTEDROP_PUBLIC_BASE_URL', 'PUBLIC_DOMAIN');
  if (base) {
    const [name, value] = base;
    // ByteGo's PUBLIC_DOMAIN is often a bare host; ByteGo served it over https.
    config.publicBaseUrl =
      name === 'PUBLIC_DOMAIN' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? `https://${value}` : value;
  }
  const pathStyle = pick(env, 'BYTEDROP_FORCE_PATH_STYLE');
  if (pathStyle) config.forcePathStyle = envBoolean(...pathStyle);
  const strip = pick(env, 'BYTEDROP_STRIP_METADATA');
  if (strip) config.stripMetadata = envBoolean(...strip);

  const sizes = {
    partSize: 'BYTEDROP_PART_SIZE_MB',
    maxFileSize: 'BYTEDROP_MAX_FILE_SIZE_MB',
    multipartThreshold: 'BYTEDROP_MULTIPART_THRESHOLD_MB',
  } as const;
  for (const [field, name] of Object.entries(sizes) as [keyof typeof sizes, string][]) {
    const found = pick(env, name);
    if (found) config[field] = envMebibytes(...found);
  }
  const timeouts = {
    connectionTimeout: 'BYTEDROP_CONNECTION_TIMEOUT_S',
    socketTimeout: 'BYTEDROP_SOCKET_TIMEOUT_S',
  } as const;
  for (const [field, name] of Object.entries(timeouts) as [keyof typeof timeouts, string][]) {
    const found = pick(env, name);
    if (found) config[field] = envSeconds(...found);
  }
  const counts = {
    queueSize: ['BYTEDROP_QUEUE_SIZE', '4'],
    maxAttempts: ['BYTEDROP_MAX_ATTEMPTS', '3'],
  } as const;
  for (const [field, [name, example]] of Object.entries(counts)) {
    const found = pick(env, name);
    if (found) config[field as keyof typeof counts] = envWholeNumber(...found, example);
  }
  return config;
}
