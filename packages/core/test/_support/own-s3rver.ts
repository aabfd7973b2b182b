/**
 * An s3rver of the test file's own, for tests that count requests at the server: the shared one (globalSetup) runs
 * in another process, whose requests a test file cannot see.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type S3Harness, type StartS3rverOptions, startS3rver } from '../_setup/s3rver';

/**
 * Registers the file's hooks: start once, clear `requests` before each test (so a test sees only its own), dispose
 * after the last. The returned harness is filled in by `beforeAll`; read it in tests and hooks, not at import time.
 *
 * @example
 * ```ts
 * const s3 = useOwnS3rver();
 * it('sends nothing', async () => {
 *   await createUploader(s3Config(s3)).prepare(bytes, { filename: 'a.png' });
 *   expect(s3.requests).toEqual([]);
 * });
 * ```
 */
export function useOwnS3rver(options?: StartS3rverOptions): S3Harness {
  const harness = {} as S3Harness;
  beforeAll(async () => {
    Object.assign(harness, await startS3rver(options));
  });
  afterAll(() => harness.dispose());
  beforeEach(() => {
    harness.requests.length = 0;
  });
  return harness;
}
