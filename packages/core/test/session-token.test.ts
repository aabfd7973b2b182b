/** `sessionToken` (temporary STS credentials) goes over the wire, seen at the server, on every request. */
import { describe, expect, it } from 'vitest';
import { createUploader } from '../src/uploader';
import { useOwnS3rver } from './_support/own-s3rver';
import { bytes, s3Config } from './_support/s3';

const s3 = useOwnS3rver();

describe('sessionToken', () => {
  it('is sent as x-amz-security-token with every request', async () => {
    const uploader = createUploader(s3Config(s3, { sessionToken: 'session-token-123' }));
    await uploader.upload(bytes(100), { filename: 'temp-creds.bin' });
    expect(s3.requests.length).toBeGreaterThanOrEqual(2); // HEAD, PUT
    expect(s3.requests.map((r) => r.headers['x-amz-security-token'])).toEqual(
      s3.requests.map(() => 'session-token-123'),
    );
  });

  it('control: without it, no token is sent', async () => {
    await createUploader(s3Config(s3)).upload(bytes(101), { filename: 'long-lived.bin' });
    expect(s3.requests.length).toBeGreaterThanOrEqual(2);
    expect(s3.requests.some((r) => 'x-amz-security-token' in r.headers)).toBe(false);
  });
});
