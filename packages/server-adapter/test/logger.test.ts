/** The server's log: secrets redacted, JSON for machines, readable lines for people, and the settings for both. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger';
import { serverSettingsFromEnv } from '../src/settings';

/** A stream that keeps what is written to it. */
function collect() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('redacts keys, tokens and storage secrets', async () => {
    const { lines, destination } = collect();
    const logger = await createLogger({ destination });
    logger.info(
      {
        req: {
          headers: { authorization: 'Bearer leak-1', 'x-api-key': 'leak-2', 'x-picgo-secret': 'leak-3' },
        },
        config: { secretAccessKey: 'leak-4', sessionToken: 'leak-5', bucket: 'visible-bucket' },
        accessKey: 'leak-6',
        token: 'leak-7',
        key: { name: 'alice', key: 'leak-8' },
      },
      'hello',
    );
    const text = lines.join('');
    expect(text).toContain('visible-bucket');
    expect(text).toContain('[redacted]');
    expect(text).not.toMatch(/leak-\d/);
  });

  it('writes one JSON object a line by default (not a terminal), readable lines with format pretty', async () => {
    const json = collect();
    (await createLogger({ destination: json.destination })).info(
      { requestId: 'r-1', status: 200 },
      'request',
    );
    expect(JSON.parse(json.lines.join(''))).toMatchObject({ msg: 'request', requestId: 'r-1', status: 200 });

    const pretty = collect();
    const logger = await createLogger({ destination: pretty.destination, format: 'pretty' });
    logger.info({ requestId: 'r-2', token: 'leak-9' }, 'request');
    const text = pretty.lines.join('');
    expect(() => JSON.parse(text)).toThrow();
    expect(text).toMatch(/INFO.*request/);
    expect(text).toContain('requestId: "r-2"');
    expect(text).not.toContain('leak-9');
  });
});

describe('LOG_FORMAT and BAN_LOOPBACK', () => {
  it('reads them, and stops the start on a value that is neither', () => {
    expect(serverSettingsFromEnv({})).toMatchObject({ logFormat: 'auto', banLoopback: false });
    expect(serverSettingsFromEnv({ LOG_FORMAT: 'JSON', BAN_LOOPBACK: 'true' })).toMatchObject({
      logFormat: 'json',
      banLoopback: true,
    });
    expect(serverSettingsFromEnv({ BAN_LOOPBACK: 'no' }).banLoopback).toBe(false);
    expect(() => serverSettingsFromEnv({ LOG_FORMAT: 'yaml' })).toThrow(
      /LOG_FORMAT='yaml' is not auto, pretty or json/,
    );
    expect(() => serverSettingsFromEnv({ BAN_LOOPBACK: 'maybe' })).toThrow(
      /BAN_LOOPBACK='maybe' is not a yes\/no value/,
    );
  });
});
