/**
 * Webhook receivers are checked at every delivery, on the address the connection is made to: a name that resolved to
 * a public address when the server started and to 127.0.0.1 later (DNS rebinding) gets nothing. Names are given
 * their answers by the test (there is no DNS server here); the connection, the receiver and the delivery are real.
 */
import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { guardedLookup, publicOnlyFetch, type Resolve } from '../src/_webhook-hosts';
import type { Logger } from '../src/types';
import { createWebhooks } from '../src/webhooks';

const SECRET = `whsec_${Buffer.from('a webhook secret of 32 bytes!!!!').toString('base64')}`;

/** Answers every name with `addresses`, and counts the questions. */
function answering(...addresses: LookupAddress[]) {
  const asked: string[] = [];
  const resolve: Resolve = (hostname, _options, callback) => {
    asked.push(hostname);
    queueMicrotask(() => callback(null, addresses));
  };
  return { resolve, asked };
}

let server: Server;
let port: number;
let received: number;
beforeEach(async () => {
  received = 0;
  server = createServer((_req, res) => {
    received++;
    res.writeHead(200).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
});
afterEach(() => new Promise((done) => server.close(done)));

it('sends nothing to a receiver whose name now resolves to loopback, and logs why', async () => {
  const problems: unknown[] = [];
  const logger: Logger = { info: () => {}, warn: () => {}, error: (object) => problems.push(object.problem) };
  const dns = answering({ address: '127.0.0.1', family: 4 });
  const webhooks = createWebhooks({
    urls: [`http://receiver.test:${port}/in`],
    secret: SECRET,
    retryDelaysMs: [],
    fetch: await publicOnlyFetch(dns.resolve),
    logger,
  });
  webhooks.emit('file.uploaded', { key: 'a.png', owner: 'alice' });
  await webhooks.drain();
  expect(dns.asked).toEqual(['receiver.test']);
  expect(received).toBe(0);
  expect(problems).toEqual([
    "webhook receiver 'receiver.test' now resolves to the loopback address 127.0.0.1: not sent; set WEBHOOK_ALLOW_PRIVATE=true if it is yours",
  ]);
});

it('refuses a name with any private answer among public ones, and passes public answers on as asked', async () => {
  const call = (resolve: Resolve, all: boolean) =>
    new Promise<unknown[]>((done) =>
      guardedLookup(resolve)('receiver.test', { all }, (...args: unknown[]) => done(args)),
    );
  const mixed = answering({ address: '93.184.215.14', family: 4 }, { address: '10.0.0.8', family: 4 });
  const [error] = await call(mixed.resolve, true);
  expect(error).toMatchObject({ code: 'ERR_FORBIDDEN', message: expect.stringContaining('10.0.0.8') });

  const publicOnly = answering(
    { address: '93.184.215.14', family: 4 },
    { address: '2606:4700:4700::1111', family: 6 },
  );
  expect(await call(publicOnly.resolve, false)).toEqual([null, '93.184.215.14', 4]);
  expect(await call(publicOnly.resolve, true)).toEqual([
    null,
    [
      { address: '93.184.215.14', family: 4 },
      { address: '2606:4700:4700::1111', family: 6 },
    ],
  ]);
});
