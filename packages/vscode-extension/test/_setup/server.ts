/**
 * A stand-in Bytedrop server for the `server` target: `POST /upload` with the file in the multipart field `file`
 * and `Authorization: Bearer <key>`, answered with `files[0]` as @bytedrop/server answers. It stores through core's
 * own uploader into s3rver, so the links it returns serve the bytes, and a gate in front of s3rver holds its PUTs
 * (and so the extension's POST). The extension only sees this HTTP contract, which is what is being exercised.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createUploader } from '@bytedrop/core';

export interface StandInServer {
  url: string;
  /** Upload requests received, accepted or not. */
  readonly posts: number;
  close(): Promise<void>;
}

export async function startStandInServer(options: {
  /** The S3 endpoint the server writes to (a gate, to hold its uploads). */
  endpoint: string;
  publicBaseUrl: string;
  bucket: string;
  accessKey: string;
}): Promise<StandInServer> {
  // The server decides the keys; a content-addressed one, as @bytedrop/server's default is.
  const uploader = createUploader({
    provider: 'minio',
    endpoint: options.endpoint,
    region: 'us-east-1',
    bucket: options.bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    publicBaseUrl: options.publicBaseUrl,
    forcePathStyle: true,
  });
  let posts = 0;
  let port = 0;
  // The delete URL of each upload: DELETE it to remove that file, as @bytedrop/server's deleteUrl.
  const tokens = new Map<string, string>();
  const server = createServer(async (req, res) => {
    const reply = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'DELETE' && req.url?.startsWith('/delete/')) {
      const token = req.url.slice('/delete/'.length);
      const key = tokens.get(token);
      if (key === undefined) return reply(404, { success: false, msg: 'no such file' });
      await uploader.store.delete(key);
      tokens.delete(token);
      return reply(200, { success: true, msg: 'deleted', key });
    }
    if (req.method !== 'POST' || req.url !== '/upload')
      return reply(404, { success: false, msg: 'not found' });
    posts++;
    if (req.headers.authorization !== `Bearer ${options.accessKey}`) {
      req.resume();
      return reply(401, { success: false, code: 'ERR_AUTH', msg: 'wrong access key' });
    }
    try {
      const form = await new Request('http://stand-in/upload', {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? '' },
        body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
        duplex: 'half',
      } as RequestInit).formData();
      const file = form.get('file') as File;
      const result = await uploader.upload(file, { filename: file.name });
      const token = `t${tokens.size + 1}-${Math.random().toString(16).slice(2)}`;
      tokens.set(token, result.key);
      reply(200, {
        success: true,
        files: [{ ...result, deleteUrl: `http://127.0.0.1:${port}/delete/${token}` }],
      });
    } catch (error) {
      reply(500, { success: false, code: 'ERR_PROVIDER', msg: (error as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get posts() {
      return posts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
