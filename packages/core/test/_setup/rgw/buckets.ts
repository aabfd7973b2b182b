/**
 * Buckets on radosgw. Each test file makes its own, so listing open multipart uploads or objects in it sees only
 * that file's work, although every file shares one cluster.
 *
 * Two SigV4-signed requests over node:http, not the AWS SDK: the global setup runs this too, and loading
 * @aws-sdk/client-s3 there (through vitest's module runner) costs about 8 s before any test can start.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { RadosgwError } from './processes.js';

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

/** Sends one signed path-style request; resolves to the status and body. */
async function send(
  target: BucketTarget,
  method: string,
  path: string,
  query: Record<string, string>,
  body = '',
): Promise<{ status: number; body: string }> {
  const url = new URL(target.endpoint);
  const signer = new SignatureV4({
    service: 's3',
    region: 'us-east-1',
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false, // S3 signs the path as sent
    applyChecksum: false,
  });
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path,
    query,
    // radosgw refuses a SigV4 request without the payload hash header.
    headers: { host: url.host, 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') },
    body,
  });
  const search = new URLSearchParams(query).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: search ? `${path}?${search}` : path,
        headers: signed.headers,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Creates `name` (one already ours is fine) and resolves to it. */
export async function createBucket(
  target: BucketTarget,
  name: string,
  options: CreateBucketOptions = {},
): Promise<string> {
  const created = await send(target, 'PUT', `/${name}`, {});
  if (created.status !== 200 && !created.body.includes('BucketAlreadyOwnedByYou'))
    throw new RadosgwError('ERR_RGW_BUCKET', `CreateBucket ${name}: ${created.status} ${created.body}`);
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
    const put = await send(target, 'PUT', `/${name}`, { policy: '' }, JSON.stringify(policy));
    if (put.status !== 204 && put.status !== 200)
      throw new RadosgwError('ERR_RGW_BUCKET', `PutBucketPolicy ${name}: ${put.status} ${put.body}`);
  }
  return name;
}
