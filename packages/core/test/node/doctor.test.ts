import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DoctorReport, runDoctor } from '../../src/doctor';
import { inspector, listKeys, s3Config } from '../_support/s3';

const statuses = (report: DoctorReport) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
const check = (report: DoctorReport, id: string) => report.checks.find((c) => c.id === id);

describe('runDoctor against s3rver', () => {
  const s3 = inject('s3');
  const client = inspector(s3);
  let liar: Server;
  let liarUrl: string;
  beforeAll(async () => {
    // A "CDN" that answers 200 with other bytes than the bucket holds.
    liar = createServer((_req, res) => res.end('<html>welcome</html>'));
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    liarUrl = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => liar.close(() => resolve())));

  it('passes every check on a working setup, reads the server clock, and removes its probe', async () => {
    const report = await runDoctor(s3Config(s3));
    expect(report.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(Object.keys(statuses(report))).toEqual([
      'endpoint',
      'config',
      'credentials',
      'bucket',
      'clock',
      'public-url',
    ]);
    expect(check(report, 'clock')?.message).toMatch(/^within \d+ s/);
    expect(check(report, 'public-url')?.message).toContain(
      `${s3.endpoint}/${s3.bucket}/.bytedrop-doctor/probe-`,
    );
    expect(await listKeys(client, s3.bucket, '.bytedrop-doctor/')).toEqual([]);
  });

  it('names a wrong secret as a credentials problem (ERR_AUTH), not a missing permission', async () => {
    const report = await runDoctor(s3Config(s3, { secretAccessKey: 'wrong-secret' }));
    expect(report.ok).toBe(false);
    expect(check(report, 'bucket')).toMatchObject({
      status: 'fail',
      code: 'ERR_AUTH',
      message: expect.stringContaining('wrong access key id or secret'),
    });
    expect(check(report, 'public-url')?.status).toBe('skip');
  });

  it('names a missing bucket (ERR_BUCKET_NOT_FOUND)', async () => {
    const report = await runDoctor(s3Config(s3, { bucket: 'no-such-bucket' }));
    expect(check(report, 'bucket')).toMatchObject({
      status: 'fail',
      code: 'ERR_BUCKET_NOT_FOUND',
      message: expect.stringContaining("bucket 'no-such-bucket' does not exist"),
    });
  });

  it('names an endpoint without a scheme and skips the rest', async () => {
    const report = await runDoctor(s3Config(s3, { endpoint: s3.endpoint.replace('http://', '') }));
    expect(check(report, 'endpoint')).toMatchObject({
      status: 'fail',
      code: 'ERR_CONFIG',
      message: expect.stringContaining('has no scheme'),
      fix: expect.stringContaining(`'${s3.endpoint}'`),
    });
    expect(statuses(report)).toMatchObject({ config: 'skip', bucket: 'skip', 'public-url': 'skip' });
  });

  it('names a network failure (ERR_NETWORK)', async () => {
    // One try: a refused connection is final, and the default six spent ~12 s of backoff on the same answer.
    const report = await runDoctor(s3Config(s3, { endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }));
    expect(check(report, 'bucket')).toMatchObject({ status: 'fail', code: 'ERR_NETWORK' });
  });

  it('fails the public URL check with the URL tried when it 404s, and still deletes the probe', async () => {
    const report = await runDoctor(s3Config(s3, { publicBaseUrl: `${s3.endpoint}/bytedrop-other` }));
    const publicUrl = check(report, 'public-url');
    expect(publicUrl).toMatchObject({ status: 'fail', code: 'ERR_NOT_FOUND' });
    expect(publicUrl?.message).toMatch(
      new RegExp(
        `GET ${s3.endpoint}/bytedrop-other/\\.bytedrop-doctor/probe-[0-9a-f]+\\.txt answered HTTP 404`,
      ),
    );
    expect(publicUrl?.fix).toContain('publicBaseUrl (PUBLIC_DOMAIN)');
    expect(await listKeys(client, s3.bucket, '.bytedrop-doctor/')).toEqual([]);
  });

  it('fails when the public URL serves other bytes', async () => {
    const report = await runDoctor(s3Config(s3, { publicBaseUrl: liarUrl }));
    expect(check(report, 'public-url')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(
        new RegExp(`^GET ${liarUrl}/.* answered 200 but with 20 bytes that differ`),
      ),
    });
  });

  it('reports clock skew over 5 minutes in seconds, from the server Date header', async () => {
    const report = await runDoctor(s3Config(s3), { now: () => Date.now() + 600_000 });
    expect(check(report, 'clock')).toMatchObject({
      status: 'fail',
      code: 'ERR_CLOCK_SKEW',
      message: expect.stringMatching(/clock is (599|600|601) s ahead of the storage server's/),
    });
    const behind = await runDoctor(s3Config(s3), { now: () => Date.now() - 400_000 });
    expect(check(behind, 'clock')?.message).toMatch(/(399|400|401) s behind/);
    const close = await runDoctor(s3Config(s3), { now: () => Date.now() + 200_000 });
    expect(check(close, 'clock')?.status).toBe('ok');
  });

  it('fails credentials when only a non-AWS endpoint and no keys are set', async () => {
    const report = await runDoctor({ endpoint: s3.endpoint, bucket: s3.bucket });
    expect(check(report, 'credentials')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('S3_ACCESS_KEY'),
    });
  });
});
