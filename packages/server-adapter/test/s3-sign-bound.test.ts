/**
 * What a direct upload (the signing routes) is bound to: the caller's prefix for the final key, a session token that
 * expires and cannot be forged or logged, and the leftovers sweep for an upload that was abandoned.
 */
import { createUploader } from '@bytedrop/core';
import { describe, expect, it } from 'vitest';
import { rgwConfig, useRgw } from '../../core/test/_support/rgw';
import { bytes } from '../../core/test/_support/s3';
import { createSessions } from '../src/_s3-sign-session';
import type { Logger } from '../src/handler';
import { KEY, SECRET } from './_support/fixtures';
import { rgwHandler, uploadsIn } from './_support/rgw-server';
import {
  call,
  complete,
  nothingLeft as left,
  type Started,
  sendParts,
  start,
  TEMP,
} from './_support/s3-sign';

const rgw = useRgw('server-s3-bound');
const nothingLeft = (...started: Started[]) => left(rgw, ...started);

describe('what a direct upload is bound to', () => {
  it('the final key is under the caller’s prefix; the client never chose any key', async () => {
    const carol = 'carol-access-key-0003';
    const handler = rgwHandler(
      rgw,
      { keys: [{ name: 'carol', key: carol, prefix: 'carol/' }] },
      { keyTemplate: '{hash:16}.{ext}' },
    );
    const created = await call(handler, 'POST', '/s3/multipart', { filename: '../../etc/x.bin' }, carol);
    const started = (await created.json()) as Started;
    expect(started.key.startsWith(TEMP)).toBe(true);
    const parts = await sendParts(handler, started, [bytes(1000)], carol);
    const done = await complete(handler, started, parts, carol);
    expect(((await done.json()) as { key: string }).key).toMatch(/^carol\/[0-9a-f]{16}\.bin$/);
    await nothingLeft(started);
  });

  it('a key without the upload scope gets no session and no signed URL (403 ERR_SCOPE), nothing started', async () => {
    const reader = 'reader-access-key-0004';
    const handler = rgwHandler(rgw, { keys: [{ name: 'reader', key: reader, scopes: ['list-own'] }] });
    for (const [path, body] of [
      ['/s3/session', undefined],
      ['/s3/multipart', { filename: 'x.bin' }],
    ] as const) {
      const refused = await call(handler, 'POST', path, body, reader);
      expect(refused.status, path).toBe(403);
      expect(await refused.json()).toMatchObject({ code: 'ERR_SCOPE' });
    }
    // A session signed for such a key (say, before its scopes changed) is refused on use too.
    const { token } = await createSessions(SECRET).sign({
      name: 'reader',
      key: reader,
      scopes: ['list-own'],
    });
    const viaSession = await call(
      handler,
      'POST',
      `/s3-session/${token}/s3/multipart`,
      { filename: 'x.bin' },
      null,
    );
    expect(viaSession.status).toBe(403);
    expect(await uploadsIn(rgw, TEMP)).toEqual([]);
  });

  it('a session token expires, cannot be forged from its payload, and keeps its path out of the log', async () => {
    const sessions = createSessions(SECRET, 60_000);
    const { token, expires } = await sessions.sign({ name: 'alice', key: KEY }, 1_000);
    expect(token).not.toContain(KEY);
    expect((await sessions.verify(token, expires)).name).toBe('alice');
    await expect(sessions.verify(token, expires + 1)).rejects.toMatchObject({ code: 'ERR_AUTH' });
    const [payload, mac] = token.split('.');
    const other = Buffer.from(JSON.stringify({ who: { name: 'bob' }, exp: expires })).toString('base64url');
    await expect(sessions.verify(`${other}.${mac}`, 1_000)).rejects.toMatchObject({ code: 'ERR_AUTH' });
    await expect(createSessions(`${SECRET}-other`).verify(`${payload}.${mac}`, 1_000)).rejects.toMatchObject({
      code: 'ERR_AUTH',
    });

    const lines: Record<string, unknown>[] = [];
    const logger: Logger = {
      info: (o) => lines.push(o),
      warn: (o) => lines.push(o),
      error: (o) => lines.push(o),
    };
    const handler = rgwHandler(rgw, { logger });
    const session = await call(handler, 'POST', '/s3/session');
    const { companionEndpoint } = (await session.json()) as { companionEndpoint: string };
    await call(handler, 'GET', `${new URL(companionEndpoint).pathname}/s3/params`, undefined, null);
    const logged = JSON.stringify(lines);
    expect(logged).toContain('/s3-session/…');
    expect(logged).not.toContain(new URL(companionEndpoint).pathname.split('/')[2]);
  });

  it('an abandoned direct upload is removed by the server’s leftovers sweep', async () => {
    const handler = rgwHandler(rgw);
    const started = await start(handler);
    await sendParts(handler, started, [bytes(1000)]);
    expect(await uploadsIn(rgw, started.key)).toEqual([started.key]);
    const { store } = createUploader(rgwConfig(rgw)) as {
      store?: { sweep?: (o: object) => Promise<unknown> };
    };
    await store!.sweep!({ olderThan: 0, prefix: TEMP });
    await nothingLeft(started);
  });
});
