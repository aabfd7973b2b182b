/**
 * Bytedrop's object metadata as S3 user metadata (`x-amz-meta-bytedrop-*`). Values go through HTTP headers, so they
 * are percent-encoded (an owner may be any name) and read back leniently: metadata written by hand or by another
 * tool must not break a HEAD.
 */
import type { ObjectMeta } from '../types';

const FIELDS = ['hash', 'owner', 'write', 'filename'] as const;
const PREFIX = 'bytedrop-';

/** `ObjectMeta` → the SDK's `Metadata` map. */
export function toS3Metadata(meta: ObjectMeta | undefined): Record<string, string> | undefined {
  if (meta === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const field of FIELDS) {
    const value = meta[field];
    if (value !== undefined) out[`${PREFIX}${field}`] = encodeURIComponent(value);
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** The SDK's `Metadata` map (keys lower-cased by the provider) → `ObjectMeta`, or `undefined` when none is ours. */
export function fromS3Metadata(metadata: Record<string, string> | undefined): ObjectMeta | undefined {
  if (metadata === undefined) return undefined;
  const meta: ObjectMeta = {};
  for (const field of FIELDS) {
    const raw = metadata[`${PREFIX}${field}`];
    if (raw === undefined) continue;
    try {
      meta[field] = decodeURIComponent(raw);
    } catch {
      meta[field] = raw;
    }
  }
  return Object.keys(meta).length === 0 ? undefined : meta;
}
