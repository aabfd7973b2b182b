/**
 * Vitest global setup: one s3rver for the whole run, shared by test files through `inject('s3')`.
 * Tests that must count requests start their own with `startS3rver()`, since recordings live in this process.
 */
import type { TestProject } from 'vitest/node';
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
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const s3 = await startS3rver({ buckets: ['bytedrop-test', 'bytedrop-other'] });
  project.provide('s3', {
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
  });
  return () => s3.dispose();
}
