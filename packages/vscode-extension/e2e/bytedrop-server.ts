/**
 * A Bytedrop server for the e2e's server target: @bytedrop/server in the test process, storing into the test's
 * s3rver, with one access key (what a team member holds instead of S3 credentials).
 */
import { type BytedropConfigInput, createUploader } from '@bytedrop/core';
import { type RunningServer, serve } from '@bytedrop/server/node';
import type { S3Harness } from '../../core/test/_setup/s3rver.js';

/** The uploader config of the test's s3rver bucket, public at `${endpoint}/${bucket}/`: the server's and the tests' own. */
export function s3rverUploaderConfig(s3: S3Harness): BytedropConfigInput {
  return {
    provider: 'minio',
    endpoint: s3.endpoint,
    region: 'us-east-1',
    bucket: s3.bucket,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    publicBaseUrl: `${s3.endpoint}/${s3.bucket}/`,
    forcePathStyle: true,
  };
}

/** Starts the server on a free loopback port; `keyTemplate` as core's (its default when left out). */
export function serveBytedrop(
  s3: S3Harness,
  accessKey: string,
  options: { keyTemplate?: string } = {},
): Promise<RunningServer> {
  return serve({
    port: 0,
    hostname: '127.0.0.1',
    uploader: createUploader({ ...s3rverUploaderConfig(s3), ...options }),
    keys: [{ name: 'e2e', key: accessKey }],
    secret: 'e2e-delete-token-secret-0123456789abcdef',
  });
}
