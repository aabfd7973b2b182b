/**
 * The bench-only S3 sink: speaks enough of the S3 REST protocol (path style) for the SDK, rclone and
 * @bytedrop/server to upload to it, and throws every byte away. It checks no signature and computes no MD5,
 * so what a run costs is the client's own work, not the server's.
 *
 * It keeps each object's size, type and user metadata (not its bytes), so HEAD answers like a real store:
 * clients that verify the stored size (rclone does) or dedupe by HEAD (Bytedrop does) behave as against S3. A PutObject
 * with `If-None-Match: *` to a taken key gets 412, as on AWS, R2, MinIO and radosgw.
 *
 * Run by the bench as a forked child: it sends `{ port }` over IPC once listening, and answers 'usage' with its
 * RSS and CPU time and 'requests' with the methods it received since the last ask (`unchecked <METHOD>` for keys
 * under unchecked/, and so on for each peer's prefix: `_peers.mjs`).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { countedAs } from './_peers.mjs';

/** key (`bucket/key`) → what HEAD reports. */
const objects = new Map();
/** uploadId → { key, size, parts, headers } of open multipart uploads. */
const uploads = new Map();
const buckets = new Set(['bytedrop-bench']);
/** method → count since the parent last asked. */
let requests = {};

const etag = (parts) => `"${randomBytes(16).toString('hex')}${parts ? `-${parts}` : ''}"`;
const escapeXml = (s) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function xml(res, status, body) {
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(text),
    'x-amz-request-id': 'bench',
  });
  res.end(text);
}

function s3Error(res, status, code, message) {
  // HEAD answers carry no body, as on S3. The explicit length keeps the connection open: without it Node closes
  // the socket to end the response, and every HEAD miss would cost the client a new connection.
  if (res.req.method === 'HEAD') {
    return void res.writeHead(status, { 'x-amz-request-id': 'bench', 'content-length': 0 }).end();
  }
  xml(res, status, `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`);
}

/** Reads the request body, keeping it only when asked (XML bodies), and resolves to its byte count. */
function drain(req, keep = false) {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks = [];
    req.on('data', (chunk) => {
      size += chunk.length;
      if (keep) chunks.push(chunk);
    });
    req.on('end', () => resolve({ size, text: keep ? Buffer.concat(chunks).toString() : '' }));
    req.on('error', reject);
  });
}

/** The payload length, also when the client sends aws-chunked framing. */
const payloadSize = (req, received) => Number(req.headers['x-amz-decoded-content-length'] ?? received);

/** Headers a later HEAD echoes: content type, cache control and user metadata. */
function storedHeaders(req) {
  const kept = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-meta-') || name === 'content-type' || name === 'cache-control')
      kept[name] = value;
  }
  return kept;
}

function store(id, size, headers, tag) {
  objects.set(id, { size, headers, etag: tag, lastModified: new Date().toUTCString() });
}

async function handle(req, res) {
  const url = new URL(req.url ?? '/', 'http://sink');
  const [, bucket = '', ...rest] = url.pathname.split('/');
  const key = decodeURIComponent(rest.join('/'));
  // The bench's peers write under prefixes of their own: counted apart from Bytedrop's.
  const counted = countedAs(req.method, key);
  requests[counted] = (requests[counted] ?? 0) + 1;
  const id = `${bucket}/${key}`;
  const q = url.searchParams;
  const method = req.method ?? 'GET';

  if (!buckets.has(bucket)) {
    await drain(req);
    return s3Error(res, 404, 'NoSuchBucket', `The specified bucket does not exist: ${bucket}`);
  }
  if (key === '') {
    if (method === 'HEAD' || method === 'PUT') return void res.writeHead(200, { 'content-length': 0 }).end(); // HeadBucket, CreateBucket
    if (method === 'GET' && q.has('uploads')) {
      return xml(
        res,
        200,
        `<ListMultipartUploadsResult><Bucket>${bucket}</Bucket><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>`,
      );
    }
    if (method === 'GET' && q.has('location')) return xml(res, 200, '<LocationConstraint/>');
    if (method === 'GET') {
      return xml(
        res,
        200,
        `<ListBucketResult><Name>${bucket}</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>`,
      );
    }
  }
  const uploadId = q.get('uploadId');
  if (method === 'POST' && q.has('uploads')) {
    const newId = randomBytes(12).toString('hex');
    uploads.set(newId, { id, size: 0, parts: 0, headers: storedHeaders(req) });
    await drain(req);
    return xml(
      res,
      200,
      `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${newId}</UploadId></InitiateMultipartUploadResult>`,
    );
  }
  if (uploadId !== null) {
    const upload = uploads.get(uploadId);
    if (!upload || upload.id !== id) {
      await drain(req);
      return s3Error(res, 404, 'NoSuchUpload', `The specified multipart upload does not exist: ${uploadId}`);
    }
    if (method === 'PUT') {
      const { size } = await drain(req);
      upload.size += payloadSize(req, size);
      upload.parts++;
      return void res.writeHead(200, { etag: etag(0), 'content-length': 0 }).end();
    }
    if (method === 'POST') {
      const { text } = await drain(req, true);
      const parts = (text.match(/<Part>/g) ?? []).length;
      uploads.delete(uploadId);
      const tag = etag(parts);
      store(id, upload.size, upload.headers, tag);
      return xml(
        res,
        200,
        `<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${escapeXml(key)}</Key><ETag>${escapeXml(tag)}</ETag></CompleteMultipartUploadResult>`,
      );
    }
    if (method === 'DELETE') {
      uploads.delete(uploadId);
      return void res.writeHead(204, { 'content-length': 0 }).end();
    }
  }
  if (method === 'PUT' && req.headers['x-amz-copy-source']) {
    await drain(req);
    const source = decodeURIComponent(String(req.headers['x-amz-copy-source']).replace(/^\//, ''));
    const from = objects.get(source);
    if (!from) return s3Error(res, 404, 'NoSuchKey', `The specified key does not exist: ${source}`);
    const tag = etag(0);
    store(id, from.size, { ...from.headers, ...storedHeaders(req) }, tag);
    return xml(
      res,
      200,
      `<CopyObjectResult><ETag>${escapeXml(tag)}</ETag><LastModified>${new Date().toISOString()}</LastModified></CopyObjectResult>`,
    );
  }
  if (method === 'PUT') {
    const { size } = await drain(req);
    // Create-only writes are refused on a taken key, as AWS, R2, MinIO and radosgw do.
    if (req.headers['if-none-match'] === '*' && objects.has(id)) {
      return s3Error(
        res,
        412,
        'PreconditionFailed',
        'At least one of the pre-conditions you specified did not hold',
      );
    }
    const tag = etag(0);
    store(id, payloadSize(req, size), storedHeaders(req), tag);
    return void res.writeHead(200, { etag: tag, 'content-length': 0 }).end();
  }
  if (method === 'HEAD' || method === 'GET') {
    const object = objects.get(id);
    if (!object) return s3Error(res, 404, 'NoSuchKey', `The specified key does not exist: ${key}`);
    // GET answers with zeros of the stored size: the bytes were never kept.
    res.writeHead(200, {
      'content-length': object.size,
      etag: object.etag,
      'last-modified': object.lastModified,
      'content-type': 'application/octet-stream',
      ...object.headers,
    });
    if (method === 'HEAD') return void res.end();
    return void res.end(Buffer.alloc(object.size));
  }
  if (method === 'DELETE') {
    objects.delete(id);
    return void res.writeHead(204, { 'content-length': 0 }).end();
  }
  await drain(req);
  s3Error(res, 501, 'NotImplemented', `the bench sink does not implement ${method} ${req.url}`);
}

/** This process's RSS (bytes) and CPU time (user + system, ms) so far. */
function usage() {
  const cpu = process.cpuUsage();
  return { rss: process.memoryUsage().rss, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const server = createServer((req, res) => {
  handle(req, res).catch((error) => {
    if (!res.headersSent) s3Error(res, 500, 'InternalError', String(error));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: server.address().port });
});
process.on('message', (message) => {
  if (message === 'requests') {
    process.send?.({ requests });
    requests = {};
  }
  if (message === 'usage') process.send?.({ usage: usage() });
});
// Dies with the bench: a disconnected IPC channel means the parent is gone.
process.on('disconnect', () => process.exit(0));
