/**
 * Buckets on radosgw. Each test file makes its own, so listing open multipart uploads or objects in it sees only
 * that file's work, although every file shares one cluster.
 */
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';

export interface BucketTarget {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface CreateBucketOptions {
  /**
   * Objects readable without credentials, like a bucket behind a public domain (default true), so a test can fetch
   * `publicBaseUrl` links. A bucket policy, not object ACLs: Bytedrop sends no `x-amz-acl` unless configured.
   */
  publicRead?: boolean;
}

export function rgwClient(target: BucketTarget): S3Client {
  // The SDK applies AWS_CA_BUNDLE even to plain-http loopback and then fails.
  delete process.env.AWS_CA_BUNDLE;
  return new S3Client({
    endpoint: target.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Creates `name` (an existing bucket of ours is fine) and resolves to it. */
export async function createBucket(
  target: BucketTarget,
  name: string,
  options: CreateBucketOptions = {},
): Promise<string> {
  const client = rgwClient(target);
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
    if (options.publicRead ?? true) {
      const policy = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: ['*'] },
            Action: ['s3:GetObject'],
            Resource: [`arn:aws:s3:::${name}/*`],
          },
        ],
      };
      await client.send(new PutBucketPolicyCommand({ Bucket: name, Policy: JSON.stringify(policy) }));
    }
    return name;
  } finally {
    client.destroy();
  }
}
