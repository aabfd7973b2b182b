/** Real-socket helpers: raw HTTP requests whose body the test writes (and breaks) by hand. */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, createServer } from 'node:net';

/** A loopback port that was free a moment ago, for a server that must be started on a known port (a child process). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `check` until it returns a truthy value; fails after `timeout` ms with `what`. */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeout = 20_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout;
  while (true) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  /** Body bytes the client had written when the answer came (streamUpload only). */
  sent?: number;
}

/** Reads a whole response. */
export function readResponse(response: IncomingMessage): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () =>
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        body: Buffer.concat(chunks).toString(),
      }),
    );
    response.on('error', reject);
  });
}

/**
 * Streams `total` bytes of a multipart file part in 64 KiB chunks (chunked encoding unless `contentLength` is
 * given), stopping early when the server answers. Resolves with the response; write errors after the answer are
 * expected (the server closes the connection on a 413).
 */
export function streamUpload(
  url: string,
  options: { key: string; total: number; contentLength?: boolean; filename?: string },
): Promise<RawResponse> {
  const head = Buffer.from(
    `--b\r\nContent-Disposition: form-data; name="file"; filename="${options.filename ?? 'big.bin'}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from('\r\n--b--\r\n');
  const headers: Record<string, string> = {
    authorization: options.key,
    'content-type': 'multipart/form-data; boundary=b',
  };
  if (options.contentLength) headers['content-length'] = String(head.length + options.total + tail.length);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(`${url}/upload`, { method: 'POST', headers });
    req.on('response', (response) => {
      answered = true;
      const sentBeforeAnswer = sent;
      readResponse(response).then((raw) => {
        req.destroy();
        resolve({ ...raw, sent: sentBeforeAnswer });
      }, reject);
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, 7);
    let sent = 0;
    const pump = () => {
      if (!req.write(head)) return req.once('drain', more);
      more();
    };
    const more = () => {
      while (!answered && sent < options.total) {
        const piece = chunk.subarray(0, Math.min(chunk.length, options.total - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', more);
      }
      if (!answered) req.end(tail);
    };
    pump();
  });
}

/**
 * Writes `raw` bytes on a new connection and reads until the server closes it (send `Connection: close`): for
 * requests `fetch` refuses to send, such as a malformed Host header.
 */
export async function rawExchange(port: number, raw: string): Promise<RawResponse> {
  const socket = connect({ port, host: '127.0.0.1' });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.write(raw);
  await new Promise((resolve, reject) => {
    socket.once('close', resolve);
    socket.once('error', reject);
  });
  const text = Buffer.concat(chunks).toString();
  const split = text.indexOf('\r\n\r\n');
  const head = text.slice(0, split).split('\r\n');
  const headers: RawResponse['headers'] = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(split + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    let decoded = '';
    while (body.length > 0) {
      const end = body.indexOf('\r\n');
      const size = Number.parseInt(body.slice(0, end), 16);
      if (!(size > 0)) break;
      decoded += body.slice(end + 2, end + 2 + size);
      body = body.slice(end + 2 + size + 2);
    }
    body = decoded;
  }
  return { status: Number(head[0]?.split(' ')[1] ?? 0), headers, body };
}
