/**
 * Vitest global setup of core and server: an s3rver and a radosgw (real S3) for the whole run, started side by side
 * and shared by test files through `inject('s3')` and `inject('rgw')`.
 * Tests that must count requests start their own s3rver with `startS3rver()` (recordings live in this process), or
 * put a fault proxy in front of radosgw (`useRgw()` in test/_support/rgw.ts).
 */
import type { TestProject } from 'vitest/node';
import { type RadosgwHarness, startRadosgw } from './radosgw.js';
import { startS3rver } from './s3rver.js';

export interface ProvidedS3 {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3: ProvidedS3;
    rgw: ProvidedS3;
  }
}

/**
 * Each vitest project runs its global setup, all in this one process: the first starts radosgw, the others reuse
 * it, the last teardown stops it. A cluster takes seconds and ~140 MiB, so one per run, not one per project.
 */
interface SharedRadosgw {
  users: number;
  started: Promise<RadosgwHarness>;
}
const SHARED = Symbol.for('bytedrop.test.radosgw');
const registry = globalThis as { [SHARED]?: SharedRadosgw };

function acquireRadosgw(): Promise<RadosgwHarness> {
  let shared = registry[SHARED];
  if (!shared) {
    shared = { users: 0, started: startRadosgw() };
    registry[SHARED] = shared;
  }
  shared.users += 1;
  return shared.started;
}

async function releaseRadosgw(): Promise<void> {
  const shared = registry[SHARED];
  if (!shared) return;
  shared.users -= 1;
  if (shared.users > 0) return;
  delete registry[SHARED];
  await shared.started.then(
    (rgw) => rgw.dispose(),
    () => undefined,
  );
}

const provided = (s3: ProvidedS3): ProvidedS3 => ({
  endpoint: s3.endpoint,
  bucket: s3.bucket,
  accessKeyId: s3.accessKeyId,
  secretAccessKey: s3.secretAccessKey,
});

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [s3, rgw] = await Promise.allSettled([
    startS3rver({ buckets: ['bytedrop-test', 'bytedrop-other'] }),
    acquireRadosgw(),
  ]);
  // Either failing fails the run (radosgw missing is an install to do, never a skip); stop what did start.
  if (s3.status === 'rejected' || rgw.status === 'rejected') {
    if (s3.status === 'fulfilled') await s3.value.dispose();
    await releaseRadosgw();
    throw s3.status === 'rejected' ? s3.reason : (rgw as PromiseRejectedResult).reason;
  }
  project.provide('s3', provided(s3.value));
  project.provide('rgw', provided(rgw.value));
  return async () => {
    await Promise.all([s3.value.dispose(), releaseRadosgw()]);
  };
}
