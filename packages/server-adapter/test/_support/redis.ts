/** A real redis-server for the tests, on a port they choose, with no persistence. */
import { type ChildProcess, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { waitFor } from './net';
import { requireCommand } from './require';

/** Starts redis-server on `port` and resolves once it answers PING; a server that cannot start says why. */
export async function startRedis(port: number): Promise<ChildProcess> {
  requireCommand('redis-server', 'apt-get install redis-server');
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // A redis-server that cannot start says why at once, instead of the wait below timing out.
  let stderr = '';
  let failure: string | undefined;
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  child.once('error', (error) => {
    failure = `redis-server did not start: ${error.message}`;
  });
  child.once('exit', (code) => {
    failure ??= `redis-server exited (code ${code}) before answering PING: ${stderr.trim()}`;
  });
  const probe = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  await waitFor('redis-server to answer PING', async () => {
    if (failure) throw new Error(failure);
    try {
      if (probe.status !== 'ready') await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      probe.disconnect();
      return false;
    }
  });
  probe.disconnect();
  return child;
}
