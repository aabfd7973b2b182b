/**
 * The provider presets: what Bytedrop knows of each S3-compatible service (addressing, regions, conditional writes,
 * public URLs), as data. providers.ts turns them into S3Client settings.
 */
import type { ProviderName } from './types';

/**
 * What Bytedrop knows about one provider.
 *
 * @example
 * ```ts
 * const { label, endpointExample } = PROVIDERS.b2; // 'Backblaze B2', 'https://s3.<region>.backblazeb2.com'
 * ```
 */
export interface ProviderPreset {
  readonly name: ProviderName;
  /** Human name for settings UIs. */
  readonly label: string;
  /** Matches endpoint hosts of this provider; used to infer the provider from an endpoint. */
  readonly hostPattern?: RegExp;
  /** Whether S3Client needs an explicit endpoint (every provider but AWS). */
  readonly requiresEndpoint: boolean;
  /** A template of the endpoint, shown in error messages and settings placeholders. */
  readonly endpointExample?: string;
  /** Region used when none is configured. */
  readonly defaultRegion: string;
  /** Reads the region out of an endpoint host, for providers that put it there (`s3.us-west-004.backblazeb2.com`). */
  readonly regionFromHost?: (host: string) => string | undefined;
  /** Path-style (`endpoint/bucket/key`) unless the config says otherwise. */
  readonly forcePathStyle: boolean;
  /** Multipart parts must all have the same size except the last. */
  readonly equalParts: boolean;
  /**
   * Which writes honour `If-None-Match: *` (refuse with 412 instead of replacing an object). Where one does not, the
   * HEAD the uploader sends just before the write is the only guard, and a concurrent writer could still slip in
   * between. Proven here on radosgw (put); from the providers' documentation elsewhere. No provider makes CopyObject
   * conditional this way. `enforced`: the provider is documented to refuse such a write rather than replace the
   * object, so a create-only write that succeeded proves the key holds what it wrote (no HEAD needed to confirm it).
   * Not for `custom`: an unknown server may ignore the header silently (s3rver does).
   */
  readonly conditionalWrites: {
    readonly put: boolean;
    readonly complete: boolean;
    readonly enforced: boolean;
  };
}

const regionAt =
  (pattern: RegExp) =>
  (host: string): string | undefined =>
    pattern.exec(host)?.[1];

/**
 * Every provider preset.
 *
 * Addressing style: AWS, R2, B2, Spaces and Wasabi serve both styles; we default to virtual-hosted because it is what
 * each provider's own SDK examples use and AWS is retiring path-style. COS and OSS accept only virtual-hosted
 * (OSS answers path-style with SecondLevelDomainForbidden). MinIO and unknown self-hosted servers default to path-style
 * because they rarely have wildcard DNS for bucket subdomains. `forcePathStyle` in the config overrides all of this.
 *
 * @example
 * ```ts
 * PROVIDERS.r2.defaultRegion; // 'auto'
 * PROVIDERS.minio.forcePathStyle; // true
 * ```
 */
export const PROVIDERS: Readonly<Record<ProviderName, ProviderPreset>> = Object.freeze({
  aws: {
    name: 'aws',
    label: 'Amazon S3',
    hostPattern: /(^|\.)amazonaws\.com(\.cn)?$/,
    requiresEndpoint: false,
    defaultRegion: 'us-east-1',
    regionFromHost: regionAt(/(?:^|\.)s3[.-]([a-z0-9-]+)\.amazonaws\.com/),
    forcePathStyle: false,
    equalParts: false,
    conditionalWrites: { put: true, complete: true, enforced: true },
  },
  r2: {
    name: 'r2',
    label: 'Cloudflare R2',
    hostPattern: /(^|\.)r2\.cloudflarestorage\.com$/,
    requiresEndpoint: true,
    endpointExample: 'https://<account-id>.r2.cloudflarestorage.com',
    // R2 has no regions; 'auto' is what Cloudflare documents for SigV4.
    defaultRegion: 'auto',
    forcePathStyle: false,
    // R2 rejects multipart uploads whose non-final parts differ in size.
    equalParts: true,
    conditionalWrites: { put: true, complete: true, enforced: true },
  },
  b2: {
    name: 'b2',
    label: 'Backblaze B2',
    hostPattern: /(^|\.)backblazeb2\.com$/,
    requiresEndpoint: true,
    endpointExample: 'https://s3.<region>.backblazeb2.com',
    defaultRegion: 'us-west-004',
    regionFromHost: regionAt(/^s3\.([a-z0-9-]+)\.backblazeb2\.com$/),
    forcePathStyle: false,
    equalParts: false,
    conditionalWrites: { put: false, complete: false, enforced: false },
  },
  minio: {
    name: 'minio',
    label: 'MinIO',
    requiresEndpoint: true,
    endpointExample: 'http://127.0.0.1:9000',
    defaultRegion: 'us-east-1',
    forcePathStyle: true,
    equalParts: false,
    // Sent (a recent MinIO refuses with 412), but not `enforced`: older MinIO releases ignore `If-None-Match` and
    // replace the object, and the version cannot be told from here. So the HEAD before each write stays, and a write
    // is confirmed by HEAD after it; `S3StoreOptions.conditionalWrites` opts a known-recent MinIO in.
    conditionalWrites: { put: true, complete: true, enforced: false },
  },
  spaces: {
    name: 'spaces',
    label: 'DigitalOcean Spaces',
    hostPattern: /(^|\.)digitaloceanspaces\.com$/,
    requiresEndpoint: true,
    endpointExample: 'https://<region>.digitaloceanspaces.com',
    // Spaces signs with us-east-1 whatever the datacenter; the datacenter lives in the endpoint.
    defaultRegion: 'us-east-1',
    forcePathStyle: false,
    equalParts: false,
    conditionalWrites: { put: false, complete: false, enforced: false },
  },
  wasabi: {
    name: 'wasabi',
    label: 'Wasabi',
    hostPattern: /(^|\.)wasabisys\.com$/,
    requiresEndpoint: true,
    endpointExample: 'https://s3.<region>.wasabisys.com',
    defaultRegion: 'us-east-1',
    regionFromHost: regionAt(/^s3\.([a-z0-9-]+)\.wasabisys\.com$/),
    forcePathStyle: false,
    equalParts: false,
    conditionalWrites: { put: false, complete: false, enforced: false },
  },
  cos: {
    name: 'cos',
    label: 'Tencent Cloud COS',
    hostPattern: /(^|\.)myqcloud\.com$/,
    requiresEndpoint: true,
    endpointExample: 'https://cos.<region>.myqcloud.com',
    defaultRegion: 'ap-guangzhou',
    regionFromHost: regionAt(/(?:^|\.)cos\.([a-z0-9-]+)\.myqcloud\.com$/),
    forcePathStyle: false,
    equalParts: false,
    conditionalWrites: { put: false, complete: false, enforced: false },
  },
  oss: {
    name: 'oss',
    label: 'Alibaba Cloud OSS',
    hostPattern: /(^|\.)aliyuncs\.com$/,
    requiresEndpoint: true,
    endpointExample: 'https://oss-<region>.aliyuncs.com',
    defaultRegion: 'oss-cn-hangzhou',
    // OSS's S3 compatibility signs with the 'oss-…' name of the region, as it appears in the host.
    regionFromHost: regionAt(/(?:^|\.)(oss-[a-z0-9-]+?)(?:-internal)?\.aliyuncs\.com$/),
    forcePathStyle: false,
    equalParts: false,
    conditionalWrites: { put: false, complete: false, enforced: false },
  },
  custom: {
    name: 'custom',
    label: 'Other S3-compatible',
    requiresEndpoint: true,
    endpointExample: 'https://s3.example.com',
    defaultRegion: 'us-east-1',
    forcePathStyle: true,
    equalParts: false,
    // Sent on single PUTs (radosgw honours it, s3rver ignores it); a provider that answers 501 gets the PUT again
    // without it.
    conditionalWrites: { put: true, complete: false, enforced: false },
  },
} satisfies Record<ProviderName, ProviderPreset>);

/**
 * Provider names in preset order, for pick lists and error messages.
 *
 * @example
 * ```ts
 * PROVIDER_NAMES.map((name) => PROVIDERS[name].label); // for a settings drop-down
 * ```
 */
export const PROVIDER_NAMES = Object.keys(PROVIDERS) as ProviderName[];
