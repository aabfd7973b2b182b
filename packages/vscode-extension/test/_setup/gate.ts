/**
 * A pass-through HTTP proxy in front of s3rver that can hold PUT requests: tests open it to prove what the editor
 * shows while an upload is still in flight (ordering without timing). Not an S3 server: every request goes to the
 * real s3rver, signatures included (the Host header is forwarded unchanged).
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Gate {
  endpoint: string;
  /** PUTs that wait at the gate right now. */
  readonly held: number;
  /** From now on, PUT requests wait until `release()`. */
  hold(): void;
  /** Lets waiting PUTs through and stops holding. */
  release(): void;
  close(): Promise<void>;
}

export async function startGate(target: string): Promise<Gate> {
  const upstream = new URL(target);
  let holding = false;
  const waiting: { req: IncomingMessage; forward: () => void }[] = [];

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };

  const server = createServer((req, res) => {
    if (!holding || req.method !== 'PUT') return forward(req, res);
    const entry = { req, forward: () => forward(req, res) };
    waiting.push(entry);
    // An aborted upload closes its socket while held: forget it.
    res.on('close', () => {
      const index = waiting.indexOf(entry);
      if (index !== -1) waiting.splice(index, 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    get held() {
      return waiting.length;
    },
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const entry of waiting.splice(0)) entry.forward();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
