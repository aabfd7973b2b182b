/**
 * Provider presets: the quirks of each S3-compatible service, in one table, turned into plain S3Client settings.
 * No SDK import here, so hosts and the doctor can inspect settings without loading the AWS SDK.
 */

import { checkHttpUrl, hostOf } from './_urls';
import type { BytedropConfig } from './config';
import { BytedropError } from './errors';
import { PROVIDER_NAMES, PROVIDERS } from './provider-presets';
import type { ProviderName } from './types';

export { checkHttpUrl, urlProblem } from './_urls';
export { PROVIDER_NAMES, PROVIDERS, type ProviderPreset } from './provider-presets';

/**
 * Settings ready to spread into `new S3Client({...})`, plus what the uploader needs besides.
 *
 * @example
 * ```ts
 * const settings: ProviderSettings = resolveProvider(config);
 * const client = new S3Client(settings);
 * ```
 */
export interface ProviderSettings {
  provider: ProviderName;
  /** Validated http(s) URL; `undefined` only for AWS without a custom endpoint (the SDK picks it). */
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  /** `WHEN_REQUIRED` for every non-AWS endpoint: third parties reject the SDK's default CRC32 trailers (aws-sdk-js-v3#6810). */
  requestChecksumCalculation: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
  responseChecksumValidation: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
  /** Static credentials when configured; otherwise the SDK's default chain applies. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  bucket: string;
  /** Canned ACL, only when the config asks for one (many buckets forbid ACLs). */
  acl?: string;
  equalParts: boolean;
  /**
   * Base of public object URLs: the configured `publicBaseUrl`, else the bucket's URL on the endpoint
   * (which is only public when the bucket is; R2 buckets never are without r2.dev or a custom domain).
   */
  publicBaseUrl: string;
}

/**
 * Guesses the provider from an endpoint URL: a known host wins, any other endpoint is `custom`, no endpoint is `aws`.
 *
 * @example
 * ```ts
 * inferProvider('https://abc123.r2.cloudflarestorage.com'); // 'r2'
 * inferProvider('http://127.0.0.1:9000'); // 'custom'
 * inferProvider(undefined); // 'aws'
 * ```
 */
export function inferProvider(endpoint: string | undefined): ProviderName {
  if (endpoint === undefined || endpoint === '') return 'aws';
  const host = hostOf(endpoint);
  if (host !== undefined) {
    for (const preset of Object.values(PROVIDERS)) {
      if (preset.hostPattern?.test(host)) return preset.name;
    }
  }
  return 'custom';
}

/**
 * The region a provider's endpoint implies, if it encodes one (B2, Wasabi, COS, OSS, AWS); else the preset default.
 *
 * @example
 * ```ts
 * defaultRegion('b2', 'https://s3.eu-central-003.backblazeb2.com'); // 'eu-central-003'
 * defaultRegion('r2'); // 'auto'
 * ```
 */
export function defaultRegion(provider: ProviderName, endpoint?: string): string {
  const preset = PROVIDERS[provider];
  const host = endpoint === undefined ? undefined : hostOf(endpoint);
  return (host !== undefined ? preset.regionFromHost?.(host) : undefined) ?? preset.defaultRegion;
}

/**
 * Turns a parsed config into S3Client-ready settings, applying the provider's quirks.
 * Returns a plain object; `createS3Store` spreads it into `new S3Client(...)`.
 *
 * @example
 * ```ts
 * const settings = resolveProvider(parseConfig({ endpoint: 'http://127.0.0.1:9000', bucket: 'notes' }));
 * // { provider: 'custom', endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', forcePathStyle: true,
 * //   requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED', … }
 * ```
 */
export function resolveProvider(config: BytedropConfig): ProviderSettings {
  const preset = PROVIDERS[config.provider];
  if (preset === undefined) {
    throw new BytedropError(
      'ERR_CONFIG',
      `provider '${String(config.provider)}' is unknown: use one of ${PROVIDER_NAMES.join(', ')}`,
    );
  }
  let endpoint: string | undefined;
  if (config.endpoint !== undefined && config.endpoint !== '') {
    endpoint = checkHttpUrl('endpoint', config.endpoint);
  } else if (preset.requiresEndpoint) {
    throw new BytedropError(
      'ERR_CONFIG',
      `endpoint is missing for provider '${preset.name}' (${preset.label}): set 'endpoint' (or BYTEDROP_ENDPOINT) to e.g. '${preset.endpointExample}'`,
    );
  }
  if (!config.bucket) {
    throw new BytedropError(
      'ERR_CONFIG',
      "bucket is missing: set 'bucket' (or BYTEDROP_BUCKET) to your bucket's name",
    );
  }
  const region = config.region || defaultRegion(preset.name, endpoint);
  const forcePathStyle = config.forcePathStyle ?? preset.forcePathStyle;
  // AWS itself verifies the new default CRC32 checksums; everyone else gets the pre-2025 behaviour (aws-sdk-js-v3#6810).
  const checksum = preset.name === 'aws' ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED';

  const settings: ProviderSettings = {
    provider: preset.name,
    region,
    forcePathStyle,
    requestChecksumCalculation: checksum,
    responseChecksumValidation: checksum,
    bucket: config.bucket,
    equalParts: preset.equalParts,
    publicBaseUrl: config.publicBaseUrl
      ? checkHttpUrl('publicBaseUrl', config.publicBaseUrl)
      : bucketUrl(endpoint, region, config.bucket, forcePathStyle),
  };
  if (endpoint !== undefined) settings.endpoint = endpoint;
  if (config.accessKeyId && config.secretAccessKey) {
    settings.credentials = {
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
      ...(config.sessionToken ? { sessionToken: config.sessionToken } : {}),
    };
  }
  if (config.acl) settings.acl = config.acl;
  return settings;
}

function bucketUrl(endpoint: string | undefined, region: string, bucket: string, pathStyle: boolean): string {
  const base = endpoint ?? `https://s3.${region}.amazonaws.com`;
  if (pathStyle) return `${base}/${encodeURIComponent(bucket)}`;
  const url = new URL(base);
  return `${url.protocol}//${bucket}.${url.host}${url.pathname.replace(/\/+$/, '')}`;
}
