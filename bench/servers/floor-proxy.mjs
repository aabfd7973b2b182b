/**
 * The endpoint section's floor: the least any proxying upload server must do for one upload. It receives the
 * request body, takes its SHA-256 and PUTs the same bytes to the S3 server with one plain `http.request` (keep-alive)
 * — no SDK, no HEAD, no multipart parsing, no key template. Its throughput against "direct" is the ceiling a real
 * server's ratio can approach on this machine.
 *
 * s3rver and the sink accept anonymous writes, so there the PUT goes unsigned. radosgw, a real S3, refuses them: given
 * credentials, the floor signs each PUT with SigV4, the body's SHA-256 (computed anyway) as its payload hash — the one
 * thing more that any server writing to a real S3 must do.
 *
 * Same IPC protocol as endpoint.mjs: sends `{ port }` once listening, answers 'usage'. Usage (forked):
 * node floor-proxy.mjs '<{ endpoint, bucket, accessKeyId?, secretAccessKey? } json>'.
 */
import { createHash, createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { serveFloor } from './_floor.mjs';

const [targetJson] = process.argv.slice(2);
const { endpoint, bucket, accessKeyId, secretAccessKey } = JSON.parse(targetJson);
const agent = new Agent({ keepAlive: true });
let uploads = 0;

const hmac = (key, text) => createHmac('sha256', key).update(text).digest();
/** The day's SigV4 signing key, derived once per day as SDKs cache it. */
const signingKeys = new Map();
function signingKey(day) {
  let key = signingKeys.get(day);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), 'us-east-1'), 's3'), 'aws4_request');
    signingKeys.set(day, key);
  }
  return key;
}

/** SigV4 headers for a PUT of `path` whose body hashes to `payloadHash` (host, date and payload hash signed). */
function signedHeaders(path, payloadHash) {
  const host = new URL(endpoint).host;
  const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/us-east-1/s3/aws4_request`;
  const names = 'host;x-amz-content-sha256;x-amz-date';
  const canonical = [
    'PUT',
    path,
    '',
    `host:${host}\nx-amz-content-sha256:${payloadHash}\nx-amz-date:${amzDate}\n`,
    names,
    payloadHash,
  ].join('\n');
  const digest = createHash('sha256').update(canonical).digest('hex');
  const signature = createHmac('sha256', signingKey(day))
    .update(`AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${digest}`)
    .digest('hex');
  return {
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': amzDate,
    authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${names}, Signature=${signature}`,
  };
}

serveFloor(
  ({ chunks, size, digest }) =>
    new Promise((stored, refused) => {
      const key = `floor/${uploads++}-${digest.slice(0, 16)}.png`;
      const path = `/${bucket}/${key}`;
      const headers = {
        'content-length': size,
        'content-type': 'image/png',
        ...(accessKeyId ? signedHeaders(path, digest) : {}),
      };
      const forward = request(`${endpoint}${path}`, { method: 'PUT', agent, headers }, (upstream) => {
        upstream.resume();
        upstream.on('end', () =>
          upstream.statusCode === 200
            ? stored(key)
            : refused(new Error(`S3 answered ${upstream.statusCode}`)),
        );
      });
      forward.on('error', refused);
      for (const chunk of chunks) forward.write(chunk);
      forward.end();
    }),
);
