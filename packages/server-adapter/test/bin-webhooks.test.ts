/**
 * Webhooks from the bin as an operator sets them up: WEBHOOK_URLS and WEBHOOK_SECRET in the environment, an upload
 * over HTTP, the signed event at a receiver on loopback (allowed with WEBHOOK_ALLOW_PRIVATE); a receiver on loopback
 * without it stops the start naming the setting.
 */

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, exited, type Started, start } from './_support/bin';
import { freePort } from './_support/net';
import { requireBuiltBin } from './_support/require';

const SECRET = `whsec_${Buffer.from('the bin test webhook secret ....').toString('base64')}`;
const KEY = 'bin-webhook-access-key-01';

describe('bytedrop-server webhooks', () => {
  beforeAll(() => void requireBuiltBin());
  let dir: string;
  let receiver: Server;
  let receiverUrl: string;
  const bodies: { headers: Record<string, string>; body: string }[] = [];
  let arrived: (() => void) | undefined;
  let running: Started | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-bin-webhooks-'));
    receiver = createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      bodies.push({ headers: req.headers as Record<string, string>, body });
      res.writeHead(204).end();
      arrived?.();
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/bytedrop`;
  });
  afterEach(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGTERM');
      await exited(running.child);
    }
    running = undefined;
    receiver.closeAllConnections();
    await new Promise((done) => receiver.close(done));
    await rm(dir, { recursive: true, force: true });
  });

  it('posts a signed file.uploaded for an upload over HTTP', async () => {
    running = await start({
      BYTEDROP_DATA_DIR: dir,
      AUTH_KEY: KEY,
      WEBHOOK_URLS: receiverUrl,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_ALLOW_PRIVATE: 'true',
    });
    const delivered = new Promise<void>((done) => {
      arrived = done;
    });
    const response = await fetch(`${running.url}/upload/hello.txt`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${KEY}` },
      body: 'hello from the bin',
    });
    expect(response.status).toBe(200);
    await delivered;
    const [{ headers, body }] = bodies as [{ headers: Record<string, string>; body: string }];
    const payload = new Webhook(SECRET).verify(body, headers) as { type: string; data: { filename: string } };
    expect(payload).toMatchObject({
      type: 'file.uploaded',
      data: { filename: 'hello.txt', owner: 'default' },
    });
  });

  it.each([
    [
      'a receiver on loopback without WEBHOOK_ALLOW_PRIVATE',
      (): string => receiverUrl,
      ['points at the loopback address 127.0.0.1', 'WEBHOOK_ALLOW_PRIVATE=true'],
    ],
    [
      'a WEBHOOK_URLS entry that is not a URL',
      (): string => 'not a url',
      ["webhook URL 'not a url' is not a URL: write it as https://host/path"],
    ],
  ] as const)('%s stops the start, naming the mistake and the fix', async (_case, url, said) => {
    const child = spawn(process.execPath, [BIN], {
      cwd: dir,
      env: {
        ...cleanEnv(),
        XDG_CONFIG_HOME: dir,
        BYTEDROP_DATA_DIR: dir,
        AUTH_KEY: KEY,
        PORT: String(await freePort()),
        WEBHOOK_URLS: url(),
        WEBHOOK_SECRET: SECRET,
      },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    expect(await exited(child)).not.toBe(0);
    for (const words of said) expect(stderr).toContain(words);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
