/**
 * Helpers for tests on radosgw, the real S3 the global setup starts once per run (`inject('rgw')`): a core config
 * for it, and `useRgw()`, a bucket of the test file's own behind a fault proxy that records every request.
 */

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, inject } from 'vitest';
import type { BytedropConfigInput } from '../../src/config-input';
import { createBucket } from '../_setup/rgw/buckets';
import { type FaultProxy, type ProxiedRequest, startFaultProxy } from './fault-proxy';
import { type S3Target, s3Config } from './s3';

/**
 * A raw core config for radosgw (path style, objects served at endpoint/bucket). The 'custom' preset already has
 * what radosgw needs: no SDK default checksums, whose aws-chunked stream bodies radosgw answers with 411.
 * Other radosgw differences a test must allow for: CompleteMultipartUpload answers an empty ETag, and
 * `x-amz-checksum-crc32` is not verified (Content-MD5 is).
 */
export function rgwConfig(rgw: S3Target, overrides: Partial<BytedropConfigInput> = {}): BytedropConfigInput {
  return s3Config(rgw, overrides);
}

export interface RgwHarness extends S3Target {
  /** The proxy in front of radosgw; `endpoint` is its address. */
  proxy: FaultProxy;
  /** Every request through the proxy in the current test (cleared before each). */
  requests: ProxiedRequest[];
  /** The same bucket on radosgw itself, bypassing the proxy: for looking without being recorded or faulted. */
  direct: S3Target;
}

/**
 * Registers the file's hooks: a bucket `<name>-<random>` of its own (anonymously readable) and a fault proxy in
 * front of radosgw, started once; before each test the proxy forgets its requests and faults. Read the harness in
 * tests and hooks, not at import time.
 *
 * @example
 * ```ts
 * const rgw = useRgw('abort');
 * it('aborts', async () => {
 *   rgw.proxy.failWith({ operation: 'UploadPart', partNumber: 2 }, { status: 500, code: 'InternalError' });
 *   await expect(createUploader(rgwConfig(rgw)).upload(big, { filename: 'a.bin' })).rejects.toThrow();
 *   expect(await openUploads(inspector(rgw), rgw.bucket)).toEqual([]);
 * });
 * ```
 */
export function useRgw(name: string): RgwHarness {
  const harness = {} as RgwHarness;
  beforeAll(async () => {
    const rgw = inject('rgw');
    const bucket = await createBucket(rgw, `${name}-${randomBytes(4).toString('hex')}`);
    const proxy = await startFaultProxy(rgw.endpoint);
    const credentials = { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey };
    Object.assign(harness, {
      endpoint: proxy.endpoint,
      bucket,
      ...credentials,
      proxy,
      requests: proxy.requests,
      direct: { endpoint: rgw.endpoint, bucket, ...credentials },
    } satisfies RgwHarness);
  });
  afterAll(() => harness.proxy?.close());
  beforeEach(() => harness.proxy.reset());
  return harness;
}
