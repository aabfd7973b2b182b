/**
 * Debian's nginx, started on a loopback port with a temporary prefix, serving deploy/nginx/bytedrop.conf pointed at a
 * test's server (with changes a test asks for, e.g. a smaller `client_max_body_size`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from './net';
import { requireCommand } from './require';

const NGINX = '/usr/sbin/nginx';
export const SITE = fileURLToPath(new URL('../../../../deploy/nginx/bytedrop.conf', import.meta.url));

/** A running nginx; `stop` ends it and removes its prefix. */
export interface Nginx {
  port: number;
  /** nginx's temp directory for request bodies (empty when it streamed them). */
  bodyTemp: string;
  stop(): Promise<void>;
}

/** Replaces each pattern (each must be found once in the site file). */
function edit(site: string, swaps: [RegExp, string][]): string {
  let text = site;
  for (const [pattern, replacement] of swaps) {
    if (!pattern.test(text))
      throw new Error(`deploy/nginx/bytedrop.conf no longer has ${pattern}: update this test`);
    text = text.replace(pattern, replacement);
  }
  return text;
}

/** Starts nginx with the site file in front of `serverPort`, after `swaps` of the test's own. */
export async function startNginx(serverPort: number, swaps: [RegExp, string][] = []): Promise<Nginx> {
  requireCommand(NGINX, 'apt-get install nginx');
  const prefix = await mkdtemp(join(tmpdir(), 'bytedrop-nginx-'));
  const port = await freePort();
  await mkdir(join(prefix, 'logs'));
  const site = edit(await readFile(SITE, 'utf8'), [
    [/^\s*server 127\.0\.0\.1:8000;$/m, `    server 127.0.0.1:${serverPort};`],
    [/^\s*listen 80;$/m, `    listen 127.0.0.1:${port};`],
    [/^\s*listen \[::\]:80;$/m, ''],
    ...swaps,
  ]);
  await writeFile(join(prefix, 'site.conf'), site);
  await writeFile(
    join(prefix, 'nginx.conf'),
    `worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log info;
events { worker_connections 64; }
http {
  access_log ${prefix}/logs/access.log;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  include ${prefix}/site.conf;
}
`,
  );
  // As root, nginx's workers drop to `nobody`, who must reach the prefix.
  await chmod(prefix, 0o755);
  const child: ChildProcess = spawn(
    NGINX,
    ['-p', prefix, '-e', `${prefix}/logs/error.log`, '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  await waitFor('nginx to accept connections', async () => {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${stderr}`);
    return new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => resolve(socket.destroy() === socket));
      socket.once('error', () => resolve(false));
    });
  });
  return {
    port,
    bodyTemp: join(prefix, 'client_body'),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGQUIT');
        await exited;
      }
      await rm(prefix, { recursive: true, force: true });
    },
  };
}
