/**
 * The in-memory ban store and the handler over it: a guess is taken before a key is checked, so a burst of wrong
 * keys gets exactly `maxFailures` tries, while parallel uploads with the right key wait for a guess, never fail.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryBans } from '../src/bans';
import { KEY, type LocalFixture, localFixture, uploadRequest } from './_support/fixtures';

describe('createMemoryBans', () => {
  it('bans at the last wrong key, for the configured time from that failure, then forgets', async () => {
    let now = 1_000_000;
    const bans = createMemoryBans({ maxFailures: 3, banSeconds: 60 }, () => now);
    const wrong = async () => (await bans.reserve('a')).guess!.spend();
    expect(await wrong()).toBe(0);
    now += 10_000;
    expect(await wrong()).toBe(0);
    expect(await wrong()).toBe(60_000);
    expect(await bans.reserve('a')).toEqual({ bannedMs: 60_000 });
    expect((await bans.reserve('b')).guess).toBeDefined();
    now += 59_000;
    expect(await bans.reserve('a')).toEqual({ bannedMs: 1_000 });
    now += 1_001;
    expect((await bans.reserve('a')).guess).toBeDefined();
  });

  it('gives a right key its guess back', async () => {
    const bans = createMemoryBans({ maxFailures: 2 });
    for (let i = 0; i < 10; i++) await (await bans.reserve('a')).guess!.refund();
    expect(await (await bans.reserve('a')).guess!.spend()).toBe(0);
    expect(await (await bans.reserve('a')).guess!.spend()).toBeGreaterThan(0);
  });

  it('makes a guess wait while the others are being checked, and grants it when one comes back', async () => {
    const bans = createMemoryBans({ maxFailures: 2 });
    const first = (await bans.reserve('a')).guess!;
    const second = (await bans.reserve('a')).guess!;
    let third: Awaited<ReturnType<typeof bans.reserve>> | undefined;
    const waiting = bans.reserve('a').then((reservation) => {
      third = reservation;
    });
    await first.refund();
    await waiting;
    expect(third?.guess).toBeDefined();
    // And a waiter learns of a ban that the guesses being checked caused.
    const fourth = bans.reserve('a');
    await second.spend();
    expect(await third!.guess!.spend()).toBeGreaterThan(0);
    expect((await fourth).bannedMs).toBeGreaterThan(0);
  });

  it('stops waiting when the request is gone', async () => {
    const bans = createMemoryBans({ maxFailures: 1 });
    await bans.reserve('a');
    const controller = new AbortController();
    const waiting = bans.reserve('a', controller.signal);
    controller.abort(new Error('client gone'));
    await expect(waiting).rejects.toThrow('client gone');
  });

  it('remembers a bounded number of addresses, forgetting the least recently seen', async () => {
    const bans = createMemoryBans({ maxFailures: 1, maxAddresses: 1000 });
    for (let i = 0; i < 5000; i++) await (await bans.reserve(`198.51.${i >> 8}.${i & 255}`)).guess!.spend();
    expect(bans.size).toBe(1000);
    expect((await bans.reserve('198.51.19.135')).bannedMs).toBeGreaterThan(0); // the 5000th, still banned
    expect((await bans.reserve('198.51.0.0')).guess).toBeDefined(); // the first, forgotten
  });
});

describe('a burst of keys against one handler', () => {
  let fx: LocalFixture;
  let checked: string[];
  beforeEach(async () => {
    checked = [];
    const record = (_object: Record<string, unknown>, message?: string) => checked.push(message ?? '');
    fx = await localFixture({ logger: { info() {}, warn: record, error: record } });
  });
  afterEach(() => fx.dispose());

  const from = (ip: string, key: string) =>
    fx.handler(uploadRequest([{ name: 'a.txt', body: 'a' }], { authorization: key }), { ip });

  it('evaluates exactly 3 of 300 parallel wrong keys, refuses the rest as banned, and then the right key', async () => {
    const responses = await Promise.all(
      Array.from({ length: 300 }, (_, i) => from('192.0.2.50', `wrong-${i}`)),
    );
    const bodies = await Promise.all(
      responses.map((r) => r.json() as Promise<{ code: string; msg: string }>),
    );
    // Only three keys were checked at all; the rest were refused before their key was looked at.
    expect(checked.filter((message) => message === 'wrong access key')).toHaveLength(3);
    expect(responses.filter((r) => r.status === 401)).toHaveLength(3);
    expect(responses.filter((r) => r.status === 403)).toHaveLength(297);
    expect(
      bodies.filter((b) => /last try.*banned until \d{4}-\d\d-\d\dT[\d:]+Z \(60 minutes\)/.test(b.msg)),
    ).toHaveLength(1);
    // Every ban answer says when to come back.
    const after = responses.filter((r) => r.status === 403).map((r) => Number(r.headers.get('retry-after')));
    expect(after.every((seconds) => seconds > 0 && seconds <= 3600)).toBe(true);
    expect((await from('192.0.2.50', KEY)).status).toBe(403);
    expect(await fx.objects()).toEqual([]);
  });

  it('lets 30 parallel uploads with the right key through, however few guesses are allowed', async () => {
    const strict = await localFixture({ banPolicy: { maxFailures: 1 } });
    try {
      const responses = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          strict.handler(uploadRequest([{ name: `f${i}.txt`, body: `file ${i}` }], { authorization: KEY }), {
            ip: '192.0.2.51',
          }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(30).fill(200));
      expect(await strict.objects()).toHaveLength(30);
    } finally {
      await strict.dispose();
    }
  });
});
