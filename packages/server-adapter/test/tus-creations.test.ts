/**
 * Ten thousand tus creations without data: each key may create `creationsPerHour` uploads per hour (rate-limiter-
 * flexible, as upload rates), then 429 with Retry-After and the protocol's header, nothing staged, and other keys
 * unaffected. A creation refused for its length does not count. `TUS_CREATIONS_PER_HOUR` sets the limit.
 */
import { describe, expect, it } from 'vitest';
import { useRgw } from '../../core/test/_support/rgw';
import { createRateLimits, DEFAULT_CREATIONS_PER_HOUR } from '../src/rate-limits';
import { serverSettingsFromEnv } from '../src/settings';
import { KEY, KEY2, ORIGIN } from './_support/fixtures';
import { objectsIn, rgwHandler, uploadsIn } from './_support/rgw-server';
import { call, start } from './_support/s3-sign';

const rgw = useRgw('server-tus-creations');

const create = (handler: ReturnType<typeof rgwHandler>, key: string, length = 10) =>
  handler(
    new Request(`${ORIGIN}/tus/`, {
      method: 'POST',
      headers: { 'tus-resumable': '1.0.0', authorization: key, 'upload-length': String(length) },
    }),
  );

describe('tus creations per key', () => {
  it('past the limit: 429 ERR_THROTTLED with Retry-After and Tus-Resumable, other keys still create', async () => {
    const handler = rgwHandler(rgw, {
      rateLimits: createRateLimits({ creationsPerHour: 3 }),
      maxFileSize: 1000,
    });
    // Refused for its length: not counted.
    expect((await create(handler, KEY, 5000)).status).toBe(413);
    for (let i = 0; i < 3; i++) expect((await create(handler, KEY)).status).toBe(201);
    const refused = await create(handler, KEY);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('tus-resumable')).toBe('1.0.0');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toContain(
      'may create 3 tus uploads per hour, direct-to-S3 multipart uploads included (finish or end the open ones)',
    );
    expect((await create(handler, KEY2)).status).toBe(201);
    // Creations stage nothing in the bucket until bytes arrive.
    expect(await uploadsIn(rgw)).toEqual([]);
    expect((await objectsIn(rgw)).filter((key) => !key.endsWith('.info'))).toEqual([]);
  });

  it('direct-to-S3 multipart creations (POST /s3/multipart) count against the same limit, and open nothing past it', async () => {
    const handler = rgwHandler(rgw, { rateLimits: createRateLimits({ creationsPerHour: 3 }) });
    // A creation refused as invalid is not counted.
    expect((await call(handler, 'POST', '/s3/multipart', { type: 'text/plain' })).status).toBe(400);
    expect((await create(handler, KEY)).status).toBe(201);
    for (let i = 0; i < 2; i++) await start(handler);
    const refused = await call(handler, 'POST', '/s3/multipart', { filename: 'x.bin', type: '' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toContain('direct-to-S3 multipart uploads included');
    // Two multipart uploads were opened in the bucket, not three.
    expect(await uploadsIn(rgw)).toHaveLength(2);
    expect((await call(handler, 'POST', '/s3/multipart', { filename: 'y.bin' }, KEY2)).status).toBe(200);
  });

  it('defaults to 1000 an hour; TUS_CREATIONS_PER_HOUR sets it, and a bad value names the variable', () => {
    expect(DEFAULT_CREATIONS_PER_HOUR).toBe(1000);
    const base = { AUTH_KEY: 'a-long-enough-key', S3_BUCKET: 'b' };
    expect(serverSettingsFromEnv({ ...base, TUS_CREATIONS_PER_HOUR: '50' }).tusCreationsPerHour).toBe(50);
    expect(() => serverSettingsFromEnv({ ...base, TUS_CREATIONS_PER_HOUR: 'lots' })).toThrow(
      /TUS_CREATIONS_PER_HOUR='lots' must be a whole number of uploads above 0/,
    );
  });
});
