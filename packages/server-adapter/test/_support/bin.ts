/** Running the built `bytedrop-server` bin as a child process, and uploads held open against it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { freePort, type RawResponse, readResponse, waitFor } from './net';

export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

export interface Started {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  stdout: () => string;
}

/** The test's environment without any storage, key or Redis setting of the developer's own. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const clean = { ...process.env };
  for (const name of Object.keys(clean))
    if (/^(S3_|BYTEDROP_|AUTH_KEY|PUBLIC_DOMAIN|REDIS_URL|DATABASE_URL)/.test(name)) delete clean[name];
  delete clean.AWS_CA_BUNDLE;
  return clean;
}

/** Starts the bin on a free port and resolves once it says it is running. */
export async function start(env: Record<string, string>, args: string[] = []): Promise<Started> {
  const port = await freePort();
  const clean = cleanEnv();
  // A config of the developer's own (~/.config/bytedrop, ./bytedrop.config.json) must not leak into the test.
  const home = env.BYTEDROP_DATA_DIR ?? tmpdir();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: home,
    env: { ...clean, XDG_CONFIG_HOME: home, PORT: String(port), HOST: '127.0.0.1', ...env },
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  await waitFor('the server to start', () => {
    if (child.exitCode !== null) throw new Error(`bin exited: ${stderr}`);
    return stderr.includes('Bytedrop is running');
  });
  return { child, url: `http://127.0.0.1:${port}`, stderr: () => stderr, stdout: () => stdout };
}

/** Resolves with the exit code once the child has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/** A multipart POST of `total` bytes whose first `first` bytes are sent now; `finish()` sends the rest. */
export async function heldUpload(url: string, key: string, total: number, first: number) {
  const head = Buffer.from(
    '--b\r\nContent-Disposition: form-data; name="file"; filename="held.bin"\r\nContent-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from('\r\n--b--\r\n');
  const req = httpRequest(`${url}/upload`, {
    method: 'POST',
    headers: {
      authorization: key,
      'content-type': 'multipart/form-data; boundary=b',
      'content-length': String(head.length + total + tail.length),
    },
  });
  const answer = new Promise<RawResponse | Error>((resolve) => {
    req.on('response', (response) => readResponse(response).then(resolve, resolve));
    req.on('error', resolve);
  });
  const chunk = Buffer.alloc(64 * 1024, 3);
  const send = async (bytes: number) => {
    for (let sent = 0; sent < bytes; sent += chunk.length) {
      if (!req.write(chunk)) await new Promise((resolve) => req.once('drain', resolve));
    }
  };
  req.write(head);
  await send(first);
  return {
    answer,
    finish: async () => {
      await send(total - first);
      req.end(tail);
    },
    /** Drops the connection (the client is gone). */
    destroy: () => req.destroy(),
  };
}
