/**
 * What s3rver 3.7.1 (the newest on npm) lacks and Bytedrop's tests need from a real provider:
 * - SigV4 verification: s3rver only checks that the access key id exists, so a wrong secret would pass;
 * - ListMultipartUploads and AbortMultipartUpload: s3rver answers NotImplemented / 405, so orphan parts
 *   could be neither cleaned up nor seen.
 * These answer from s3rver's own on-disk store, so both views stay one state.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** Where s3rver's FilesystemStore keeps open multipart uploads: `<dir>/<bucket>/._S3rver_uploads/<uploadId>/key`. */
const uploadsDir = (directory: string, bucket: string) => join(directory, bucket, '._S3rver_uploads');

const xml = (res: ServerResponse, status: number, body: string) => {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
};
const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
const s3Error = (res: ServerResponse, status: number, code: string, message: string) =>
  xml(res, status, `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`);

async function openUploads(directory: string, bucket: string): Promise<{ uploadId: string; key: string }[]> {
  const dir = uploadsDir(directory, bucket);
  const ids = await readdir(dir).catch(() => [] as string[]);
  const uploads = await Promise.all(
    ids.map(async (uploadId) => {
      // An upload aborted between the readdir and this read is gone, as on S3: not listed.
      const key = await readFile(join(dir, uploadId, 'key')).catch(() => undefined);
      return key === undefined ? undefined : { uploadId, key: key.toString() };
    }),
  );
  return uploads.filter((upload) => upload !== undefined);
}

/** Recomputes the request's SigV4 signature with the SDK's own signer; false when it does not match. */
async function signatureMatches(req: IncomingMessage, secrets: Record<string, string>): Promise<boolean> {
  const auth = req.headers.authorization ?? '';
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(
      auth,
    );
  if (!match) return true; // unsigned or presigned requests are s3rver's to judge
  const [, accessKeyId = '', , region = '', service = '', signedHeaders = '', signature] = match;
  const secretAccessKey = secrets[accessKeyId];
  if (secretAccessKey === undefined) return true; // s3rver answers InvalidAccessKeyId itself
  const url = new URL(req.url ?? '/', 'http://localhost');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders.split(';')) headers[name] = String(req.headers[name] ?? '');
  const amzDate = headers['x-amz-date'] ?? '';
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey },
    region,
    service,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false, // S3 signs the path as sent
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: req.method ?? 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      path: (req.url ?? '/').split('?')[0] ?? '/',
      query,
      headers,
    },
    { signingDate, signableHeaders: new Set(signedHeaders.split(';')) },
  );
  const recomputed = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization ?? ''))?.[1];
  return recomputed === signature;
}

/**
 * Handles the request when it is one s3rver cannot; returns false to let s3rver answer.
 */
export async function handleExtension(
  req: IncomingMessage,
  res: ServerResponse,
  directory: string,
  secrets: Record<string, string>,
): Promise<boolean> {
  if (!(await signatureMatches(req, secrets))) {
    s3Error(
      res,
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    );
    return true;
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const [, bucket = '', ...rest] = url.pathname.split('/');
  const key = decodeURIComponent(rest.join('/'));
  if (req.method === 'GET' && url.searchParams.has('uploads') && key === '') {
    const uploads = await openUploads(directory, bucket);
    const items = uploads
      .map((u) => `<Upload><Key>${escapeXml(u.key)}</Key><UploadId>${u.uploadId}</UploadId></Upload>`)
      .join('');
    xml(
      res,
      200,
      `<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${escapeXml(bucket)}</Bucket><IsTruncated>false</IsTruncated>${items}</ListMultipartUploadsResult>`,
    );
    return true;
  }
  const uploadId = url.searchParams.get('uploadId');
  if (req.method === 'DELETE' && uploadId && key !== '') {
    const known = (await openUploads(directory, bucket)).some(
      (u) => u.uploadId === uploadId && u.key === key,
    );
    if (!known) {
      s3Error(res, 404, 'NoSuchUpload', `The specified multipart upload does not exist: ${uploadId}`);
      return true;
    }
    await rm(join(uploadsDir(directory, bucket), uploadId), { recursive: true, force: true });
    res.writeHead(204).end();
    return true;
  }
  return false;
}
