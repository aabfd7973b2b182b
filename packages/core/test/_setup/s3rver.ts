/**
 * A real S3-protocol server (s3rver) on a random loopback port, for tests in every package.
 * It records each request's method, URL and headers at the server, so a test can prove what went over the wire.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { handleExtension } from './s3rver-extensions.js';

/** s3rver's fixed credentials; any other pair fails SigV4 like a real provider. */
export const S3RVER_ACCESS_KEY = 'S3RVER';
export const S3RVER_SECRET_KEY = 'S3RVER';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export interface S3Harness {
  endpoint: string;
  port: number;
  bucket: string;
  directory: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Every request the server received since start (or since `requests.length = 0`). */
  requests: RecordedRequest[];
  /** Stops listening; the stored objects stay in `directory`, so `restart()` brings them back. */
  stop(): Promise<void>;
  /** Starts again on the same port and directory, as a provider coming back after an outage. */
  restart(): Promise<void>;
  /** Stops and deletes the directory. */
  dispose(): Promise<void>;
}

export interface StartS3rverOptions {
  port?: number;
  buckets?: string[];
  directory?: string;
  /** Runs before the server answers a request; a test can hold a request here to act while it is in flight. */
  beforeHandle?: (req: IncomingMessage) => Promise<void> | void;
}

export async function startS3rver(options: StartS3rverOptions = {}): Promise<S3Harness> {
  // The SDK honours AWS_CA_BUNDLE even for plain http and then fails on loopback.
  delete process.env.AWS_CA_BUNDLE;
  const buckets = options.buckets ?? ['bytedrop-test'];
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'bytedrop-s3rver-')));
  const requests: RecordedRequest[] = [];
  let server: Server | undefined;

  const listen = async (port: number): Promise<number> => {
    const instance = new S3rver({
      port,
      address: '127.0.0.1',
      silent: true,
      directory,
      configureBuckets: buckets.map((name) => ({ name })),
    });
    const address = (await instance.run()) as AddressInfo;
    server = instance.httpServer as Server;
    // Record every request at the server, then let the extensions answer what s3rver cannot, else s3rver.
    const s3rverHandler = server.listeners('request')[0] as (
      req: IncomingMessage,
      res: ServerResponse,
    ) => void;
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      // The body waits unread until someone listens. No req.pause(): an explicitly paused request stays paused when
      // s3rver adds its 'data' listener, so CompleteMultipartUpload's XML body was never read and the request hung.
      Promise.resolve(options.beforeHandle?.(req))
        .then(() => handleExtension(req, res, directory, { [S3RVER_ACCESS_KEY]: S3RVER_SECRET_KEY }))
        .then(
          (handled) => {
            if (handled) req.resume();
            else s3rverHandler(req, res);
          },
          (error: unknown) => {
            res.writeHead(500).end(String(error));
          },
        );
    });
    return address.port;
  };

  const stop = async (): Promise<void> => {
    const current = server;
    server = undefined;
    if (!current) return;
    current.closeAllConnections();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  const port = await listen(options.port ?? 0);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    bucket: buckets[0] ?? 'bytedrop-test',
    directory,
    accessKeyId: S3RVER_ACCESS_KEY,
    secretAccessKey: S3RVER_SECRET_KEY,
    requests,
    stop,
    restart: async () => {
      await stop();
      await listen(port);
    },
    dispose: async () => {
      await stop();
      if (!options.directory) await rm(directory, { recursive: true, force: true });
    },
  };
}
