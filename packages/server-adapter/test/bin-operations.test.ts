/**
 * The bin as an operator meets it: a busy port is one line naming PORT, a generated key is printed at every start
 * until it is used, `keys show` prints it again, and `unban` lifts an in-memory ban of the running server.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, type Started, start } from './_support/bin';
import { waitFor } from './_support/net';
import { requireBuiltBin } from './_support/require';

/** Runs a bin command to its end. */
function run(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: env.BYTEDROP_DATA_DIR ?? tmpdir(),
      env: { ...cleanEnv(), XDG_CONFIG_HOME: env.BYTEDROP_DATA_DIR ?? tmpdir(), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const stop = async (running: Started | undefined) => {
  if (!running || running.child.exitCode !== null) return;
  const exited = new Promise((resolve) => running.child.once('exit', resolve));
  running.child.kill('SIGTERM');
  await exited;
};

describe('bytedrop-server for operators', () => {
  beforeAll(() => void requireBuiltBin());
  let running: Started | undefined;
  let dir: string;
  let blocker: Server | undefined;
  afterEach(async () => {
    await stop(running);
    running = undefined;
    await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
    blocker = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says a busy port is in use and to set PORT, exits 1, and shows no stack trace', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-bin-ops-'));
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const result = await run([], { BYTEDROP_DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`port ${port} is in use: set PORT`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('prints a generated key at each start until it is used; `keys show` prints it any time', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-bin-ops-'));
    const env = { BYTEDROP_DATA_DIR: dir };
    const printed = (text: string) => /Access key \(generated, saved to (\S+);.*\): (\S+)/.exec(text);

    expect(await run(['keys', 'show'], env)).toMatchObject({ code: 1, stderr: /no access key yet.*start/ });
    running = await start(env);
    const first = printed(running.stderr());
    expect(first?.[1]).toBe(join(dir, 'keys.json'));
    const key = first![2]!;
    expect(running.stderr()).toContain('bytedrop-server keys show');
    await stop(running);

    // Not used yet: printed again.
    running = await start(env);
    expect(printed(running.stderr())?.[2]).toBe(key);
    expect((await fetch(`${running.url}/auth`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(
      200,
    );
    // Recorded on disk before the stop (the log says so once it is).
    await waitFor('the key to be recorded as used', () =>
      running!.stdout().includes('generated access key was used'),
    );
    await stop(running);

    // Used once: the next start names the file and the command instead.
    running = await start(env);
    expect(running.stderr()).not.toContain(key);
    expect(running.stderr()).toMatch(/Access keys: 1 from .*keys\.json/);
    expect(running.stderr()).toContain('Show the keys again: bytedrop-server keys show');
    const shown = await run(['keys', 'show'], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe(`default\t${key}\n`);
  });

  it('`unban <address>` lifts an in-memory ban of the running server; a wrong command says what exists', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-bin-ops-'));
    const env = {
      BYTEDROP_DATA_DIR: dir,
      AUTH_KEY: 'operator-key-123',
      BAN_MAX_FAILURES: '1',
      BAN_LOOPBACK: 'true',
    };
    running = await start(env);
    const port = new URL(running.url).port;
    const auth = (key: string) =>
      fetch(`${running!.url}/auth`, { headers: { authorization: `Bearer ${key}` } });
    expect((await auth('a-wrong-key')).status).toBe(401);
    const banned = await auth('operator-key-123');
    expect(banned.status).toBe(403);
    expect(Number(banned.headers.get('retry-after'))).toBeGreaterThan(0);

    const lifted = await run(['unban', '127.0.0.1'], { ...env, PORT: port, HOST: '127.0.0.1' });
    expect(lifted).toMatchObject({ code: 0, stdout: '127.0.0.1 may send keys again\n' });
    expect((await auth('operator-key-123')).status).toBe(200);
    expect(running.stdout()).toContain('"msg":"ban lifted"');

    expect(await run(['unban', 'not-an-ip'], env)).toMatchObject({ code: 1, stderr: /not an IP address/ });
    // Without the server's secret the admin token is wrong: refused, and said why.
    const other = await mkdtemp(join(tmpdir(), 'bytedrop-bin-ops-'));
    try {
      const foreign = await run(['unban', '127.0.0.1'], {
        BYTEDROP_DATA_DIR: other,
        BYTEDROP_SECRET: 'x'.repeat(40),
        PORT: port,
        HOST: '127.0.0.1',
      });
      expect(foreign).toMatchObject({ code: 1, stderr: /refused \(403\).*admin token/ });
    } finally {
      await rm(other, { recursive: true, force: true });
    }
    expect(await run(['frobnicate'], env)).toMatchObject({
      code: 1,
      stderr: /unknown command.*keys show.*unban/,
    });
  });
});
