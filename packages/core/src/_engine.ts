/**
 * What both upload paths (replayable bodies and one-shot streams) share: the store and template, the HEAD before a
 * write, the headers and metadata an object is written with, and how a placement becomes an `UploadResult`.
 */
import type { ConversionMemo, ConvertSettings } from './_convert';
import { randomId } from './_id';
import type { Identity, Placement } from './_place';
import type { BytedropConfig } from './config';
import { isBytedropError } from './errors';
import type { SanitizedFilename } from './filename';
import { servedHeaders } from './served';
import type { KeyTemplate } from './template';
import type {
  CopyOptions,
  ImageFacts,
  ObjectStore,
  PreparedUpload,
  StoredObject,
  UploadOptions,
  UploadResult,
} from './types';

/** The sniffed type and the extension that goes with it. */
export interface Sniffed {
  contentType: string;
  ext: string;
}

/** What `prepare` decided: everything of the result except where and how the write went. */
export type Plan = Omit<PreparedUpload, 'upload' | 'contentAddressed'>;

/** The uploader's fixed parts, built once by `createUploader`. */
export interface Engine {
  store: ObjectStore;
  config: BytedropConfig;
  template: KeyTemplate;
  /** Cache-Control of content-addressed keys; none for others. */
  cacheControl: string | undefined;
  /** Where one-shot streams wait for their hash. */
  tempPrefix: string;
  /** Image conversion, when `createUploader` was given `convert`; its memo of recent conversions. */
  convert?: { settings: ConvertSettings; memo: ConversionMemo };
}

/**
 * The HEAD before a write. Write-only credentials may not HEAD: the key then counts as free, and only a conditional
 * write (where the provider honours it) still guards it.
 */
export async function existing(
  engine: Engine,
  key: string,
  signal: AbortSignal | undefined,
): Promise<StoredObject | undefined> {
  try {
    return await engine.store.head(key, signal);
  } catch (error) {
    if (isBytedropError(error, 'ERR_FORBIDDEN')) return undefined;
    throw error;
  }
}

/** The identity recorded with the object and compared on every HEAD. */
export function identityOf(engine: Engine, hash: string, size: number): Identity {
  return { hash: `${engine.config.hashAlgorithm}:${hash}`, size };
}

/** The headers and metadata of a new object: served type and disposition, cache, full hash, owner, write id, name. */
export function writeOptions(
  engine: Engine,
  plan: Pick<Plan, 'contentType' | 'filename' | 'hash' | 'size'>,
  head: Uint8Array,
  owner: string | undefined,
): CopyOptions & { meta: { hash: string; write: string; owner?: string; filename: string } } {
  const served = servedHeaders(plan.contentType, head, plan.filename);
  return {
    ...served,
    ...(engine.cacheControl === undefined ? {} : { cacheControl: engine.cacheControl }),
    meta: {
      hash: identityOf(engine, plan.hash, plan.size).hash,
      write: randomId(),
      ...(owner === undefined ? {} : { owner }),
      filename: plan.filename,
    },
    ifAbsent: true,
  };
}

/** The plan's fields for a file, a sniffed type and a key (same rule as the template's {ext}). */
export function planOf(
  engine: Engine,
  file: SanitizedFilename,
  sniffed: Sniffed,
  fields: { key: string; size: number; hash: string },
  image: ImageFacts = {},
): Plan {
  const ext = file.ext !== '' && !file.clipboard ? file.ext : sniffed.ext || file.ext;
  return {
    ...fields,
    ...image,
    url: engine.store.publicUrl(fields.key),
    contentType: sniffed.contentType,
    filename: ext === '' ? file.name : `${file.name}.${ext}`,
  };
}

/** The result of a plan once placed: the key (and URL) it really went to, and whose object it is. */
export function resultOf(
  engine: Engine,
  plan: Plan,
  placement: Placement,
  options: Pick<UploadOptions, 'owner'>,
): UploadResult {
  const owner = placement.deduplicated ? placement.found.meta?.owner : options.owner;
  const etag = placement.deduplicated ? placement.found.etag : placement.etag;
  return {
    ...plan,
    key: placement.key,
    url: engine.store.publicUrl(placement.key),
    deduplicated: placement.deduplicated,
    // A reused object was compared by HEAD; a new one is known only when no other writer could have raced it.
    verified: placement.deduplicated || placement.exclusive,
    ...(etag === undefined ? {} : { etag }),
    ...(owner === undefined ? {} : { owner }),
  };
}

/** Every candidate key of a plan: the template's, with the random values and date drawn at prepare time. */
export function candidatesOf(
  engine: Engine,
  options: UploadOptions,
  sniffed: Sniffed,
  hash: string,
): (attempt: number) => string {
  return engine.template.candidates({
    filename: options.filename,
    ext: sniffed.ext,
    contentType: sniffed.contentType,
    hash,
    ...(options.vars === undefined ? {} : { vars: options.vars }),
    ...(options.keyPrefix === undefined ? {} : { prefix: options.keyPrefix }),
  });
}
