/**
 * The handler over radosgw, the real S3 (`useRgw`): core's real uploader writing through the harness's fault proxy,
 * links on radosgw itself (its bucket is anonymously readable), and looks at the bucket that bypass the proxy.
 */
import { createUploader } from '@bytedrop/core';
import { type RgwHarness, rgwConfig } from '../../../core/test/_support/rgw';
import { inspector, listKeys, openUploads } from '../../../core/test/_support/s3';
import { type BytedropHandler, createHandler, type HandlerOptions } from '../../src/handler';
import { KEY, KEY2, SECRET } from './fixtures';

/** Two access keys without prefixes, so their uploads share one namespace (and identical bytes one object). */
export const SHARED_KEYS = [
  { name: 'alice', key: KEY },
  { name: 'bob', key: KEY2 },
];

/** A handler storing in the harness's bucket; `config` overrides core's settings (e.g. `keyTemplate`). */
export function rgwHandler(
  rgw: RgwHarness,
  options: Partial<HandlerOptions> = {},
  config: Record<string, unknown> = {},
): BytedropHandler {
  const uploader = createUploader(
    rgwConfig(rgw, { publicBaseUrl: `${rgw.direct.endpoint}/${rgw.bucket}`, ...config }),
  );
  return createHandler({ uploader, keys: SHARED_KEYS, secret: SECRET, ...options });
}

/** Every object key in the bucket, sorted. */
export async function objectsIn(rgw: RgwHarness, prefix?: string): Promise<string[]> {
  return (await listKeys(inspector(rgw.direct), rgw.bucket, prefix)).sort();
}

/** Keys of the multipart uploads still open in the bucket. */
export function uploadsIn(rgw: RgwHarness, prefix?: string): Promise<string[]> {
  return openUploads(inspector(rgw.direct), rgw.bucket, prefix);
}
