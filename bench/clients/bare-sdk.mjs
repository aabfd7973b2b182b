/**
 * The bench's bare-SDK peers of a paste: what a user who skips Bytedrop would send for the same bytes, with
 * @aws-sdk/client-s3 alone and the client a user would build from the same config (endpoint, region, path style,
 * keys, and checksums only when required, as Bytedrop's client asks for a non-AWS provider; everything else the
 * SDK's defaults). No hash of its own, no sniff, no key template, no metadata, no check: the SDK still signs the
 * body's SHA-256 as SigV4's payload hash (plain http), as it would for the user.
 *   - `put`: one PutObject (the peer of a fresh paste), under sdk/;
 *   - `head`: one HeadObject of a key that exists (the peer of a deduplicated paste), under sdk/;
 *   - `headPut`: HeadObject (404) then PutObject, under sdk-floor/: the requests a fresh paste must send to a
 *     store that ignores `If-None-Match` (s3rver), so the least such a paste can take (the PUT's SigV4 hash is the
 *     content hash a paste takes anyway);
 *   - `hashHead`: the bytes' SHA-256 (node:crypto) then HeadObject of that sdk-floor/ key: the least a deduplicated
 *     paste can take, since its key names the hash of its bytes.
 * Each resolves to its milliseconds, from the command's creation to the answer read.
 */
import { createHash } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** The peers for a Bytedrop config (the bench's JSON: endpoint, region, bucket, keys, forcePathStyle). */
export function createBareSdk(config) {
  const client = new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = config.bucket;
  const put = (Key, Body) =>
    client.send(new PutObjectCommand({ Bucket, Key, Body, ContentType: 'image/png' }));

  /** Resolves to the object's size, or undefined on 404. */
  async function headSize(Key) {
    try {
      return (await client.send(new HeadObjectCommand({ Bucket, Key }))).ContentLength;
    } catch (error) {
      if (error?.$metadata?.httpStatusCode === 404) return undefined;
      throw error;
    }
  }

  async function timed(work) {
    const started = performance.now();
    await work();
    return performance.now() - started;
  }

  return {
    put: (name, bytes) => timed(() => put(`sdk/${name}`, bytes)),
    head: (name, size) =>
      timed(async () => {
        const found = await headSize(`sdk/${name}`);
        if (found !== size) throw new Error(`bare HEAD of sdk/${name}: size ${found}, expected ${size}`);
      }),
    hashHead: (name, bytes) =>
      timed(async () => {
        createHash('sha256').update(bytes).digest('hex');
        const found = await headSize(`sdk-floor/${name}`);
        if (found !== bytes.byteLength) throw new Error(`bare HEAD of sdk-floor/${name}: size ${found}`);
      }),
    headPut: (name, bytes) =>
      timed(async () => {
        const found = await headSize(`sdk-floor/${name}`);
        if (found !== undefined) throw new Error(`bare HEAD of sdk-floor/${name}: exists, expected 404`);
        await put(`sdk-floor/${name}`, bytes);
      }),
  };
}
