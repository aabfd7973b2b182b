import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHashing } from '../src/_crypto';
import { createKeyring, parseKeysFile, presentedKey } from '../src/auth';
import { banKey, clientAddress, parseTrustProxy } from '../src/client-address';
import { createDeleteTokens } from '../src/delete-token';
import { serverEnvFromConfig, serverSettingsFromEnv } from '../src/settings';

describe('presentedKey', () => {
  it.each([
    [{ authorization: 'raw-key-123' }, 'raw-key-123'],
    [{ authorization: 'Bearer bearer-key-1' }, 'bearer-key-1'],
    [{ authorization: 'bearer   spaced-key' }, 'spaced-key'],
    [{ 'x-api-key': 'api-key-123' }, 'api-key-123'],
    [{ 'x-picgo-secret': 'picgo-key-1' }, 'picgo-key-1'],
    [{}, undefined],
  ])('reads %o', (headers, expected) => {
    expect(presentedKey(new Headers(headers))).toBe(expected);
  });
});

describe('createKeyring', () => {
  const keyring = createKeyring([
    { name: 'alice', key: 'alice-key-1234', prefix: 'alice/' },
    { name: 'bob', key: 'bob-key-12345' },
  ]);

  it('finds the matching key and nothing for near misses', async () => {
    expect(await keyring.verify('alice-key-1234')).toEqual({
      name: 'alice',
      key: 'alice-key-1234',
      prefix: 'alice/',
    });
    expect((await keyring.verify('bob-key-12345'))?.name).toBe('bob');
    expect(await keyring.verify('alice-key-123')).toBeUndefined();
    expect(await keyring.verify('alice-key-12345')).toBeUndefined();
    expect(await keyring.verify('')).toBeUndefined();
  });

  it('refuses empty lists, short keys and duplicate names', () => {
    expect(() => createKeyring([])).toThrow(/no access keys/);
    expect(() => createKeyring([{ name: 'a', key: 'short' }])).toThrow(/shorter than 8/);
    expect(() =>
      createKeyring([
        { name: 'a', key: 'long-enough-1' },
        { name: 'a', key: 'long-enough-2' },
      ]),
    ).toThrow(/used twice/);
  });
});

describe('parseKeysFile', () => {
  it('reads arrays and {keys}', () => {
    expect(parseKeysFile('[{"name":"a","key":"k1234567","prefix":"a/"}]')).toEqual([
      { name: 'a', key: 'k1234567', prefix: 'a/' },
    ]);
    expect(parseKeysFile('{"keys":[{"name":"b","key":"k1234567"}]}')).toEqual([
      { name: 'b', key: 'k1234567' },
    ]);
  });
  it('names the broken entry', () => {
    expect(() => parseKeysFile('not json')).toThrow(/not valid JSON/);
    expect(() => parseKeysFile('[{"name":"a"}]')).toThrow(/entry 0 needs a string "name" and "key"/);
    expect(() => parseKeysFile('[{"name":"a","key":"k1234567","prefix":3}]')).toThrow(
      /"prefix" must be a string/,
    );
  });
});

describe('clientAddress', () => {
  it('ignores X-Forwarded-For unless proxies are trusted', () => {
    expect(clientAddress('10.0.0.2', '203.0.113.7', undefined)).toBe('10.0.0.2');
    expect(clientAddress('::ffff:10.0.0.2', null, undefined)).toBe('10.0.0.2');
    expect(clientAddress(undefined, '203.0.113.7', undefined)).toBe('unknown');
  });
  it('walks trusted hops right to left', () => {
    expect(clientAddress('10.0.0.2', '198.51.100.1, 203.0.113.7', { hops: 1 })).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.2', '198.51.100.1, 203.0.113.7, 10.0.0.9', { hops: 2 })).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.2', undefined, { hops: 1 })).toBe('10.0.0.2');
    const trust = { addresses: ['loopback', '10.0.0.0/8'] };
    // A client-written left-most entry is never reached while an untrusted hop sits to its right.
    expect(clientAddress('127.0.0.1', 'evil-spoof, 203.0.113.7, 10.1.2.3', trust)).toBe('203.0.113.7');
    expect(clientAddress('192.0.2.50', '203.0.113.7', trust)).toBe('192.0.2.50');
  });
  it('reads X-Forwarded-For entries with a port as the address alone', () => {
    const trust = { hops: 1 };
    expect(clientAddress('10.0.0.2', '203.0.113.7:51234', trust)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.2', '[2001:db8::7]:443', trust)).toBe('2001:db8::7');
    expect(clientAddress('10.0.0.2', '[2001:db8::7]', trust)).toBe('2001:db8::7');
    expect(clientAddress('10.0.0.2', '2001:db8::7', trust)).toBe('2001:db8::7');
    expect(clientAddress('10.0.0.2', '[::ffff:203.0.113.7]:80', trust)).toBe('203.0.113.7');
    // Each port of one address is the same client, so the same ban bucket.
    expect(banKey(clientAddress('10.0.0.2', '203.0.113.7:1', trust))).toBe(
      banKey(clientAddress('10.0.0.2', '203.0.113.7:2', trust)),
    );
    // Trusted proxies are matched without their port too.
    const proxies = { addresses: ['10.0.0.0/8'] };
    expect(clientAddress('10.0.0.2', '203.0.113.7:9, 10.0.0.3:8080', proxies)).toBe('203.0.113.7');
  });
  it('parses TRUST_PROXY', () => {
    expect(parseTrustProxy(undefined)).toBeUndefined();
    expect(parseTrustProxy('false')).toBeUndefined();
    expect(parseTrustProxy('2')).toEqual({ hops: 2 });
    expect(parseTrustProxy('true')).toEqual({ hops: 1 });
    expect(parseTrustProxy('loopback, 10.0.0.0/8')).toEqual({ addresses: ['loopback', '10.0.0.0/8'] });
  });
});

describe('banKey', () => {
  it('keys IPv6 by /64 and IPv4 by address', () => {
    expect(banKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(banKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(banKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(banKey('::1')).toBe('0:0:0:0::/64');
    expect(banKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(banKey('192.0.2.1')).toBe('192.0.2.1');
  });
});

describe('hashing without node:crypto (WebCrypto, as on edge runtimes)', () => {
  afterEach(() => vi.restoreAllMocks());
  const withoutNodeCrypto = () => vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined);

  it('picks node:crypto where the runtime has it, WebCrypto where it does not', () => {
    expect(createHashing().kind).toBe('node:crypto');
    withoutNodeCrypto();
    expect(createHashing().kind).toBe('webcrypto');
  });

  it('signs the same delete tokens, so links survive a move between runtimes', async () => {
    const secret = new TextEncoder().encode('server-secret-for-tests-32-chars-long');
    const viaNode = await createDeleteTokens(secret).sign('2024/a b.png', 'alice');
    withoutNodeCrypto();
    const web = createDeleteTokens(secret);
    expect(await web.sign('2024/a b.png', 'alice')).toBe(viaNode);
    const grant = await web.check('2024/a b.png', viaNode);
    expect(await web.covers(grant!, 'alice')).toBe(true);
    expect(await web.check('2024/a.png', viaNode)).toBeUndefined();
    expect(await web.check('2024/a b.png', viaNode.slice(0, -2))).toBeUndefined();
  });

  it('matches the same access keys', async () => {
    withoutNodeCrypto();
    const keyring = createKeyring([
      { name: 'alice', key: 'alice-key-1234' },
      { name: 'bob', key: 'bob-key-12345' },
    ]);
    expect((await keyring.verify('bob-key-12345'))?.name).toBe('bob');
    expect(await keyring.verify('bob-key-1234')).toBeUndefined();
    expect(await keyring.verify('bob-key-123456')).toBeUndefined();
  });
});

describe('serverSettingsFromEnv', () => {
  it('BYTEDROP_HIDPI: on by default, false turns it off, anything else is ERR_CONFIG', () => {
    expect(serverSettingsFromEnv({}).hidpi).toBe(true);
    expect(serverSettingsFromEnv({ BYTEDROP_HIDPI: 'true' }).hidpi).toBe(true);
    expect(serverSettingsFromEnv({ BYTEDROP_HIDPI: 'false' }).hidpi).toBe(false);
    expect(() => serverSettingsFromEnv({ BYTEDROP_HIDPI: 'half' })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG', message: expect.stringContaining('BYTEDROP_HIDPI') }),
    );
  });

  it('reads ByteGo names and defaults', () => {
    const settings = serverSettingsFromEnv({
      PORT: '9000',
      AUTH_KEY: 'bytego-key-1',
      MAX_FILE_SIZE_MB: '20',
      LOG_LEVEL: 'debug',
      LOG_TO_FILE: 'true',
      LOG_DIR: '/var/log/bytedrop',
      TRUST_PROXY: '1',
      ALLOWED_TYPES: 'image/*, application/pdf',
    });
    expect(settings).toMatchObject({
      port: 9000,
      authKey: 'bytego-key-1',
      maxFileSize: 20 * 1024 * 1024,
      maxFiles: 10,
      logLevel: 'debug',
      logToFile: true,
      logDir: '/var/log/bytedrop',
      trustProxy: { hops: 1 },
      allowedTypes: ['image/*', 'application/pdf'],
      dataDir: './data',
      maxFailures: 3,
      banSeconds: 3600,
    });
    expect(serverSettingsFromEnv({}).port).toBe(8000);
    expect(serverSettingsFromEnv({}).maxFileSize).toBe(100 * 1024 * 1024);
  });
  it("takes the size limit from BYTEDROP_MAX_FILE_SIZE_MB, else the storage config's maxFileSize", () => {
    const MiB = 1024 * 1024;
    expect(serverSettingsFromEnv({ BYTEDROP_MAX_FILE_SIZE_MB: '200' }).maxFileSize).toBe(200 * MiB);
    // A config file's top-level maxFileSize (the CLI's field) raises the limit too, not only the uploader's.
    expect(serverSettingsFromEnv({}, { maxFileSize: 300 * MiB }).maxFileSize).toBe(300 * MiB);
    // The environment wins over the file.
    expect(serverSettingsFromEnv({ MAX_FILE_SIZE_MB: '1' }, { maxFileSize: 300 * MiB }).maxFileSize).toBe(
      MiB,
    );
    expect(() => serverSettingsFromEnv({}, { maxFileSize: '100MB' })).toThrow(
      /maxFileSize '100MB' is not a positive whole number of bytes/,
    );
  });
  it('refuses a weak BYTEDROP_SECRET at start, naming the variable and the fix, never the secret', () => {
    let error: unknown;
    try {
      serverSettingsFromEnv({ BYTEDROP_SECRET: 'hunter2' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({
      code: 'ERR_CONFIG',
      message: expect.stringMatching(/^BYTEDROP_SECRET is 7 characters long: use at least 32 .*openssl rand/),
    });
    expect((error as Error).message).not.toContain('hunter2');
    expect(serverSettingsFromEnv({ BYTEDROP_SECRET: 's'.repeat(32) }).secret).toBe('s'.repeat(32));
  });
  it('reads the new limits, and refuses a headers timeout longer than the request timeout', () => {
    expect(
      serverSettingsFromEnv({
        STORAGE_TIMEOUT_S: '30',
        SHUTDOWN_GRACE_S: '2.5',
        REDIS_TIMEOUT_MS: '250',
        CORS_ORIGINS: 'https://a.example, https://b.example',
      }),
    ).toMatchObject({
      storageTimeout: 30,
      shutdownGrace: 2.5,
      redisTimeoutMs: 250,
      corsOrigins: ['https://a.example', 'https://b.example'],
    });
    expect(serverSettingsFromEnv({})).toMatchObject({
      storageTimeout: 120,
      shutdownGrace: 8,
      corsOrigins: [],
    });
    expect(() => serverSettingsFromEnv({ HEADERS_TIMEOUT_S: '1000' })).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG',
        message: expect.stringMatching(/HEADERS_TIMEOUT_S=1000 is longer than REQUEST_TIMEOUT_S=900.*lower/),
      }),
    );
    expect(() => serverSettingsFromEnv({ STORAGE_TIMEOUT_S: '-1' })).toThrow(/STORAGE_TIMEOUT_S='-1'/);
  });
  it('sweeps hourly for leftovers an hour old, never younger than a request can live', () => {
    expect(serverSettingsFromEnv({})).toMatchObject({ sweepInterval: 3600, sweepAfter: 3600 });
    expect(serverSettingsFromEnv({ SWEEP_INTERVAL_S: '60', SWEEP_AFTER_S: '1020' })).toMatchObject({
      sweepInterval: 60,
      sweepAfter: 1020,
    });
    expect(() => serverSettingsFromEnv({ SWEEP_AFTER_S: '1019' })).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG',
        message: expect.stringMatching(
          /SWEEP_AFTER_S=1019 is shorter than .*REQUEST_TIMEOUT_S \+ STORAGE_TIMEOUT_S = 1020.*raise SWEEP_AFTER_S to at least 1020/,
        ),
      }),
    );
    expect(() => serverSettingsFromEnv({ SWEEP_INTERVAL_S: String(30 * 86400) })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG', message: expect.stringMatching(/longer than 24 days/) }),
    );
  });
  it('names a bad number and the fix', () => {
    expect(() => serverSettingsFromEnv({ MAX_FILE_SIZE_MB: 'lots' })).toThrow(
      /MAX_FILE_SIZE_MB='lots'.*set e\.g\./,
    );
  });
});

describe('serverEnvFromConfig', () => {
  it('turns the server section into environment strings', () => {
    expect(
      serverEnvFromConfig(
        { bucket: 'b', server: { PORT: 9000, LOG_TO_FILE: true, AUTH_KEY: 'k' } },
        'f.json',
      ),
    ).toEqual({
      PORT: '9000',
      LOG_TO_FILE: 'true',
      AUTH_KEY: 'k',
    });
    expect(serverEnvFromConfig({ bucket: 'b' }, 'f.json')).toEqual({});
  });
  it('names a malformed section', () => {
    expect(() => serverEnvFromConfig({ server: [] }, 'f.json')).toThrow(
      /"server" in f\.json must be an object/,
    );
    expect(() => serverEnvFromConfig({ server: { PORT: { n: 1 } } }, 'f.json')).toThrow(
      /"server\.PORT" in f\.json/,
    );
  });
});
