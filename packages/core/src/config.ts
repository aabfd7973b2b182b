/**
 * The one config schema every host shares (CLI, server, Obsidian, VS Code), and the environment-variable reader.
 * Messages name the field, the value and the fix, because users meet them in settings tabs and server logs.
 */
import * as v from 'valibot';
import { attemptsMessage, bytes, httpUrl, milliseconds, text } from './_config-checks';
import { unknownFieldMessage, unknownFieldMessages } from './_unknown-field';
import type { CannedAcl } from './config-input';
import { BytedropError } from './errors';
import { defaultRegion, inferProvider, PROVIDER_NAMES, PROVIDERS } from './providers';
import { CALLER_VARIABLES, compileKeyTemplate, DEFAULT_KEY_TEMPLATE } from './template';
import type { HashAlgorithm, ProviderName } from './types';

/**
 * The parsed, defaulted config. Produce it with `parseConfig`.
 *
 * @example
 * ```ts
 * const config: BytedropConfig = parseConfig({ bucket: 'notes', endpoint: 'http://127.0.0.1:9000' });
 * ```
 */
export interface BytedropConfig {
  provider: ProviderName;
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  forcePathStyle?: boolean;
  publicBaseUrl?: string;
  acl?: CannedAcl;
  keyTemplate: string;
  hashAlgorithm: HashAlgorithm;
  /** Multipart part size in bytes: default 8 MiB, at least 5 MiB (the S3 minimum). */
  partSize: number;
  /** Parts uploaded in parallel; memory use is at most partSize × queueSize. */
  queueSize: number;
  /** Largest accepted upload in bytes; no limit when unset. */
  maxFileSize?: number;
  /**
   * Bodies above this many bytes go multipart; defaults to `partSize`. A body that fits in one part is always one PUT
   * (a multipart upload of one part gains nothing), so a threshold below `partSize` only changes how long a one-shot
   * stream is buffered before it is streamed.
   */
  multipartThreshold: number;
  /** Time to open a connection to the provider, in ms (default 10 000). */
  connectionTimeout?: number;
  /** Silence allowed on a connection mid-request, in ms (default 30 000): a stalled provider fails, never hangs. */
  socketTimeout?: number;
  /**
   * Tries per request, the first included (default 6, about 12 s of backoff, enough to ride out a provider restart);
   * 1 fails at the first error, for scripts that would rather fail fast.
   */
  maxAttempts?: number;
  /**
   * Remove location and camera metadata (EXIF, GPS, XMP, IPTC, comments) from JPEG, PNG, WebP, HEIC and AVIF images before they
   * are hashed and stored, losslessly (see `stripMetadata`). Default true; false stores images exactly as given.
   */
  stripMetadata: boolean;
}

const MiB = 1024 * 1024;
/**
 * S3's smallest allowed non-final part.
 *
 * @example
 * ```ts
 * parseConfig({ bucket: 'b', partSize: MIN_PART_SIZE }); // the smallest accepted
 * ```
 */
export const MIN_PART_SIZE = 5 * MiB;
/** S3's largest part and largest single PUT. */
const MAX_PART_SIZE = 5 * 1024 * MiB;
/**
 * Default multipart part size (8 MiB, like the AWS CLI).
 *
 * @example
 * ```ts
 * parseConfig({ bucket: 'b' }).partSize === DEFAULT_PART_SIZE; // true
 * ```
 */
export const DEFAULT_PART_SIZE = 8 * MiB;

/**
 * Canned ACLs S3 understands.
 *
 * @example
 * ```ts
 * CANNED_ACLS.includes('public-read'); // true
 * ```
 */
export const CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
] as const satisfies readonly CannedAcl[];

const HASH_ALGORITHMS = ['sha256', 'md5'] as const;

/** Each field's schema: the one list of what a config may hold (an unknown field is an error naming the nearest). */
const FIELDS = {
  provider: v.optional(
    v.picklist(
      PROVIDER_NAMES,
      (issue) => `provider '${String(issue.input)}' is unknown: use one of ${PROVIDER_NAMES.join(', ')}`,
    ),
  ),
  endpoint: v.optional(httpUrl('endpoint')),
  region: v.optional(text('region', "write the provider's region, e.g. 'us-east-1' or 'auto' for R2")),
  bucket: text('bucket', "set 'bucket' (or BYTEDROP_BUCKET) to your bucket's name"),
  accessKeyId: v.optional(text('accessKeyId', 'paste the access key id from your provider')),
  secretAccessKey: v.optional(text('secretAccessKey', 'paste the secret access key from your provider')),
  sessionToken: v.optional(v.string("'sessionToken' must be a string")),
  forcePathStyle: v.optional(v.boolean("'forcePathStyle' must be true or false")),
  publicBaseUrl: v.optional(httpUrl('publicBaseUrl')),
  acl: v.optional(
    v.picklist(
      CANNED_ACLS,
      (issue) =>
        `acl '${String(issue.input)}' is not a canned ACL: use one of ${CANNED_ACLS.join(', ')}, or leave it unset (many buckets forbid ACLs)`,
    ),
  ),
  keyTemplate: v.optional(
    v.pipe(
      v.string(`'keyTemplate' must be a string like '${DEFAULT_KEY_TEMPLATE}'`),
      v.rawCheck(({ dataset, addIssue }) => {
        if (!dataset.typed) return;
        try {
          compileKeyTemplate(dataset.value, { variables: CALLER_VARIABLES });
        } catch (error) {
          addIssue({ message: `keyTemplate: ${(error as Error).message}` });
        }
      }),
    ),
    DEFAULT_KEY_TEMPLATE,
  ),
  hashAlgorithm: v.optional(
    v.picklist(
      HASH_ALGORITHMS,
      (issue) => `hashAlgorithm '${String(issue.input)}' is not supported: use 'sha256' (default) or 'md5'`,
    ),
    'sha256',
  ),
  partSize: v.optional(bytes('partSize', MIN_PART_SIZE, MAX_PART_SIZE), DEFAULT_PART_SIZE),
  queueSize: v.optional(
    v.pipe(
      v.number("'queueSize' must be a number"),
      v.integer((issue) => `'queueSize' ${String(issue.input)} must be a whole number from 1 to 32`),
      v.minValue(1, (issue) => `'queueSize' ${String(issue.input)} must be at least 1`),
      v.maxValue(32, (issue) => `'queueSize' ${String(issue.input)} is too high: use at most 32`),
    ),
    4,
  ),
  maxFileSize: v.optional(bytes('maxFileSize', 1, Number.MAX_SAFE_INTEGER)),
  multipartThreshold: v.optional(bytes('multipartThreshold', 1, MAX_PART_SIZE)),
  connectionTimeout: v.optional(milliseconds('connectionTimeout')),
  socketTimeout: v.optional(milliseconds('socketTimeout')),
  maxAttempts: v.optional(
    v.pipe(
      v.number("'maxAttempts' must be a number"),
      v.integer(attemptsMessage),
      v.minValue(1, attemptsMessage),
      v.maxValue(20, attemptsMessage),
    ),
  ),
  stripMetadata: v.optional(
    v.boolean(
      "'stripMetadata' must be true (default: remove GPS and camera metadata from images) or false (keep it)",
    ),
    true,
  ),
};

/**
 * The names of every config field, in the schema's order.
 *
 * @example
 * ```ts
 * CONFIG_FIELDS.includes('publicBaseUrl'); // true
 * ```
 */
export const CONFIG_FIELDS = Object.keys(FIELDS) as (keyof typeof FIELDS)[];

/**
 * The valibot schema of a Bytedrop config. Accepts user input, fills defaults, infers the provider from the endpoint
 * and the region from the provider. `parseConfig` wraps it and throws one `ERR_CONFIG` listing every problem.
 *
 * @example
 * ```ts
 * import * as v from 'valibot';
 * const result = v.safeParse(configSchema, { endpoint: 'http://127.0.0.1:9000', bucket: 'notes' });
 * if (result.success) result.output.provider; // 'custom'
 * ```
 */
export const configSchema = v.pipe(
  v.strictObject(
    FIELDS,
    // The object's message covers three cases: an unknown field, a missing required one (only the bucket is), and
    // input that is no object at all.
    (issue) => {
      const field = issue.path?.[0]?.key;
      if (field === undefined) {
        return `config must be an object, got ${issue.received}: pass e.g. { bucket: 'notes', endpoint: 'https://…' }`;
      }
      if (issue.expected === 'never') return unknownFieldMessage(String(field), CONFIG_FIELDS);
      return `${String(field)} is missing: set 'bucket' (or BYTEDROP_BUCKET) to your bucket's name`;
    },
  ),
  v.check(
    (input) => (input.accessKeyId === undefined) === (input.secretAccessKey === undefined),
    (issue) =>
      `${issue.input.accessKeyId === undefined ? 'secretAccessKey is set but accessKeyId is missing' : 'accessKeyId is set but secretAccessKey is missing'}: set both (BYTEDROP_ACCESS_KEY_ID and BYTEDROP_SECRET_ACCESS_KEY), or neither to use the default AWS credential chain`,
  ),
  v.check(
    (input) => input.endpoint !== undefined || !PROVIDERS[input.provider ?? 'aws'].requiresEndpoint,
    (issue) => {
      const preset = PROVIDERS[issue.input.provider ?? 'aws'];
      return `endpoint is missing for provider '${preset.name}' (${preset.label}): set 'endpoint' (or BYTEDROP_ENDPOINT) to e.g. '${preset.endpointExample}'`;
    },
  ),
  v.transform((input): BytedropConfig => {
    const provider = input.provider ?? inferProvider(input.endpoint);
    const { provider: _p, region: _r, multipartThreshold: _m, ...rest } = input;
    return {
      ...rest,
      provider,
      region: input.region ?? defaultRegion(provider, input.endpoint),
      multipartThreshold: input.multipartThreshold ?? input.partSize,
    };
  }),
);

/** Hosts keep empty text fields as '' and JSON files may hold null: both mean "not set". */
function dropEmpty(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  return Object.fromEntries(
    Object.entries(input).filter(([, value]) => value !== '' && value !== null && value !== undefined),
  );
}

/**
 * Validates and defaults a config. Throws one `BytedropError('ERR_CONFIG')` whose message lists every problem,
 * each naming the field and the fix; an unknown field names the nearest known one. Empty strings and nulls count as
 * unset. Takes `unknown`, for settings read from JSON or a host's storage; `createUploader` and `runDoctor` take the
 * typed `BytedropConfigInput`.
 *
 * @example
 * ```ts
 * const config = parseConfig({ endpoint: 'http://127.0.0.1:9000', bucket: 'notes', accessKeyId: 'k', secretAccessKey: 's' });
 * config.provider; // 'custom'
 * config.keyTemplate; // '{yyyy}/{mm}/{dd}/{name}-{hash:16}.{ext}'
 * parseConfig({ endpoint: '127.0.0.1:9000', bucket: 'notes' });
 * // throws ERR_CONFIG: endpoint '127.0.0.1:9000' has no scheme: write 'http://127.0.0.1:9000' or 'https://127.0.0.1:9000'
 * parseConfig({ bucket: 'notes', publicUrl: 'https://cdn.example.com' });
 * // throws ERR_CONFIG: unknown field 'publicUrl': did you mean 'publicBaseUrl'?
 * ```
 */
export function parseConfig(input: unknown): BytedropConfig {
  const cleaned = dropEmpty(input);
  const result = v.safeParse(configSchema, cleaned);
  if (result.success) return result.output;
  // The schema stops at the first unknown field; name them all, so one fix covers every typo.
  const unknown = unknownFieldMessages(cleaned, CONFIG_FIELDS);
  const messages = [...new Set([...unknown, ...result.issues.map((issue) => issue.message)])];
  // A bad key template is its own failure (ERR_TEMPLATE, as from compileKeyTemplate), so hosts can point at that field.
  const onlyTemplate = result.issues.every((issue) => issue.path?.[0]?.key === 'keyTemplate');
  throw new BytedropError(onlyTemplate ? 'ERR_TEMPLATE' : 'ERR_CONFIG', messages.join('; '));
}
