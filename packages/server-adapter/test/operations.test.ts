/**
 * What an operator relies on: request ids in answers and logs, loopback never locked out (unless BAN_LOOPBACK),
 * a key check for the page that counts like any wrong key, lifting a ban with the admin token, and Prometheus
 * metrics for a client with a key.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminToken } from '../src/_operator';
import { createPrometheusMetrics } from '../src/prometheus';
import type { HandlerOptions } from '../src/types';
import {
  KEY,
  type LocalFixture,
  localFixture,
  ORIGIN,
  PNG,
  SECRET,
  uploadRequest,
} from './_support/fixtures';

let fx: LocalFixture;
afterEach(() => fx?.dispose());

interface Line {
  object: Record<string, unknown>;
  message?: string;
}

async function withLog(options: Partial<HandlerOptions> = {}) {
  const lines: Line[] = [];
  const push = (object: Record<string, unknown>, message?: string) => lines.push({ object, message });
  fx = await localFixture({ logger: { info: push, warn: push, error: push }, ...options });
  return lines;
}

const check = (key: string, ip: string, headers: Record<string, string> = {}) =>
  fx.handler(new Request(`${ORIGIN}/auth`, { headers: { authorization: `Bearer ${key}`, ...headers } }), {
    ip,
  });

describe('request ids', () => {
  it('keeps a sane X-Request-Id, in the answer header, the error body and every log line of the request', async () => {
    const lines = await withLog();
    const response = await check('wrong-key-000', '203.0.113.5', { 'x-request-id': 'edge-7f3a.42' });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-request-id')).toBe('edge-7f3a.42');
    expect(await response.json()).toMatchObject({ code: 'ERR_AUTH', requestId: 'edge-7f3a.42' });
    expect(lines.map((line) => line.message)).toEqual(['wrong access key', 'request']);
    for (const line of lines) expect(line.object.requestId).toBe('edge-7f3a.42');
  });

  it('makes a new one when there is none, or the given one is not sane (spaces, quotes, too long)', async () => {
    const lines = await withLog();
    const ids = new Set<string>();
    for (const given of [undefined, 'two words', 'x"y', 'a'.repeat(129)]) {
      const response = await fx.handler(
        new Request(`${ORIGIN}/health`, given === undefined ? {} : { headers: { 'x-request-id': given } }),
      );
      const id = response.headers.get('x-request-id')!;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(4);
    expect(new Set(lines.map((line) => line.object.requestId))).toEqual(ids);
  });
});

describe('bans and loopback', () => {
  beforeEach(() => withLog({ banPolicy: { maxFailures: 2 } }));

  it('never bans a loopback client (the machine’s owner) by default', async () => {
    for (let i = 0; i < 5; i++) expect((await check(`wrong-key-${i}`, '127.0.0.1')).status).toBe(401);
    expect((await check(`wrong-key-6`, '::1')).status).toBe(401);
    expect((await check(KEY, '127.0.0.1')).status).toBe(200);
  });

  it('counts a loopback request that came through a proxy without TRUST_PROXY (its clients are anybody)', async () => {
    const viaProxy = { 'x-forwarded-for': '198.51.100.7' };
    expect((await check('wrong-key-1', '127.0.0.1', viaProxy)).status).toBe(401);
    expect((await check('wrong-key-2', '127.0.0.1', viaProxy)).status).toBe(401);
    expect((await check(KEY, '127.0.0.1', viaProxy)).status).toBe(403);
  });

  it('bans loopback with BAN_LOOPBACK, and says when the ban ends (Retry-After, time in the message)', async () => {
    await fx.dispose();
    await withLog({ banPolicy: { maxFailures: 2, banSeconds: 600 }, banLoopback: true });
    expect((await check('wrong-key-1', '127.0.0.1')).status).toBe(401);
    const last = await check('wrong-key-2', '127.0.0.1');
    expect(last.status).toBe(401);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    const refused = await check(KEY, '127.0.0.1');
    expect(refused.status).toBe(403);
    const seconds = Number(refused.headers.get('retry-after'));
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(600);
    const { msg } = (await refused.json()) as { msg: string };
    const until = Date.parse(/banned until (\S+)/.exec(msg)![1]!);
    // The time in the message and Retry-After name the same moment (to the second, and a second of rounding).
    expect(Math.abs(until - (Date.now() + seconds * 1000))).toBeLessThanOrEqual(2000);
    expect(msg).toMatch(/bytedrop-server unban <address>/);
  });

  it('counts wrong keys at GET /auth like anywhere else, and answers a right key with its name', async () => {
    const right = await check(KEY, '203.0.113.20');
    expect(right.status).toBe(200);
    expect(await right.json()).toEqual({
      success: true,
      msg: 'the access key is right',
      name: 'alice',
      admin: false,
    });
    expect((await check('wrong-key-1', '203.0.113.20')).status).toBe(401);
    expect((await check('wrong-key-2', '203.0.113.20')).status).toBe(401);
    expect((await check(KEY, '203.0.113.20')).status).toBe(403);
    // And an upload from there is refused as well: one allowance for every route.
    expect(
      (await fx.handler(uploadRequest([{ name: 'a.txt', body: 'a' }]), { ip: '203.0.113.20' })).status,
    ).toBe(403);
  });

  it('lifts a ban with the admin token (DELETE /bans/:address), and refuses an access key or a wrong token', async () => {
    const lift = (token: string | undefined, address = '203.0.113.30') =>
      fx.handler(
        new Request(`${ORIGIN}/bans/${address}`, {
          method: 'DELETE',
          headers: token === undefined ? { authorization: `Bearer ${KEY}` } : { 'x-bytedrop-admin': token },
        }),
        { ip: '203.0.113.99' },
      );
    await check('wrong-key-1', '203.0.113.30');
    await check('wrong-key-2', '203.0.113.30');
    expect((await check(KEY, '203.0.113.30')).status).toBe(403);
    expect((await lift(undefined)).status).toBe(403);
    expect((await lift('not-the-admin-token')).status).toBe(403);
    expect((await check(KEY, '203.0.113.30')).status).toBe(403);
    const token = await adminToken(SECRET);
    expect((await lift(token, 'not-an-ip')).status).toBe(400);
    const lifted = await lift(token);
    expect(lifted.status).toBe(200);
    expect(await lifted.json()).toMatchObject({ success: true, address: '203.0.113.30', lifted: true });
    expect((await check(KEY, '203.0.113.30')).status).toBe(200);
    expect(await (await lift(token)).json()).toMatchObject({ lifted: false, msg: /had no wrong keys/ });
  });
});

describe('GET /metrics', () => {
  it('is Prometheus text for a client with a key: uploads, bytes, durations, errors, bans, storage, in flight', async () => {
    const metrics = createPrometheusMetrics({ processMetrics: false });
    await withLog({ metrics, banPolicy: { maxFailures: 1 } });
    const ip = { ip: '203.0.113.40' };
    expect(
      (await fx.handler(uploadRequest([{ name: 'shot.png', body: PNG, type: 'image/png' }]), ip)).status,
    ).toBe(200);
    // The same bytes again: deduplicated.
    expect(
      (await fx.handler(uploadRequest([{ name: 'shot.png', body: PNG, type: 'image/png' }]), ip)).status,
    ).toBe(200);
    expect((await check('wrong-key-1', '203.0.113.41')).status).toBe(401);
    expect((await check(KEY, '203.0.113.41')).status).toBe(403);
    expect(
      (await fx.handler(new Request(`${ORIGIN}/health`, { headers: { authorization: KEY } }), ip)).status,
    ).toBe(200);

    const anonymous = await fx.handler(new Request(`${ORIGIN}/metrics`), ip);
    expect(anonymous.status).toBe(401);
    const scrape = await fx.handler(
      new Request(`${ORIGIN}/metrics`, { headers: { authorization: KEY } }),
      ip,
    );
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await scrape.text();
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    expect(value('bytedrop_uploaded_files_total{deduplicated="false"}')).toBe(1);
    expect(value('bytedrop_uploaded_files_total{deduplicated="true"}')).toBe(1);
    expect(value('bytedrop_uploaded_bytes_total')).toBe(2 * PNG.length);
    expect(value('bytedrop_upload_request_duration_seconds_count{status="200"}')).toBe(2);
    expect(value('bytedrop_storage_wait_seconds_count')).toBe(2);
    expect(value('bytedrop_storage_check_duration_seconds_count{ok="true"}')).toBe(1);
    expect(value('bytedrop_errors_total{code="ERR_AUTH",status="401"}')).toBe(2);
    expect(value('bytedrop_errors_total{code="ERR_FORBIDDEN",status="403"}')).toBe(1);
    expect(value('bytedrop_bans_total')).toBe(1);
    expect(value('bytedrop_banned_requests_total')).toBe(1);
    expect(value('bytedrop_uploads_in_flight')).toBe(0);
  });

  it('counts an upload in flight while it is being received', async () => {
    const metrics = createPrometheusMetrics({ processMetrics: false });
    await withLog({ metrics });
    let send!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        send = controller;
      },
    });
    const answer = fx.handler(
      new Request(`${ORIGIN}/upload/held.txt`, {
        method: 'PUT',
        body,
        headers: { authorization: KEY },
        duplex: 'half',
      } as RequestInit),
    );
    const gauge = async () => /bytedrop_uploads_in_flight (\d+)/.exec((await metrics.render()).body)![1];
    expect(await gauge()).toBe('1');
    send.enqueue(new TextEncoder().encode('held'));
    send.close();
    expect((await answer).status).toBe(200);
    expect(await gauge()).toBe('0');
  });

  it('is a 404 naming the option when the server has no metrics', async () => {
    await withLog();
    const response = await fx.handler(new Request(`${ORIGIN}/metrics`, { headers: { authorization: KEY } }));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ msg: /metrics are off/ });
  });
});
