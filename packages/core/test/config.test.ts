import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  configFromEnv,
  configSchema,
  DEFAULT_KEY_TEMPLATE,
  isBytedropError,
  parseConfig,
} from '../src/index';

function configError(input: unknown): string {
  try {
    parseConfig(input);
  } catch (error) {
    expect(isBytedropError(error, 'ERR_CONFIG')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected ERR_CONFIG');
}

describe('parseConfig', () => {
  it('fills defaults and infers the provider and region', () => {
    expect(parseConfig({ bucket: 'notes', endpoint: 'http://127.0.0.1:9000/' })).toEqual({
      provider: 'custom',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      bucket: 'notes',
      keyTemplate: DEFAULT_KEY_TEMPLATE,
      hashAlgorithm: 'sha256',
      partSize: 8 * 1024 * 1024,
      queueSize: 4,
      multipartThreshold: 8 * 1024 * 1024,
      stripMetadata: true,
    });
    expect(parseConfig({ bucket: 'notes' })).toMatchObject({ provider: 'aws', region: 'us-east-1' });
    const r2 = parseConfig({ bucket: 'notes', endpoint: 'https://acct.r2.cloudflarestorage.com' });
    expect(r2).toMatchObject({ provider: 'r2', region: 'auto' });
  });

  it('keeps explicit values', () => {
    const config = parseConfig({
      provider: 'minio',
      endpoint: 'https://minio.example.com',
      region: 'eu-1',
      bucket: 'b',
      accessKeyId: 'k',
      secretAccessKey: 's',
      forcePathStyle: false,
      publicBaseUrl: 'https://cdn.example.com',
      acl: 'public-read',
      keyTemplate: '{note}/{name}.{ext}',
      hashAlgorithm: 'md5',
      partSize: 16 * 1024 * 1024,
      queueSize: 2,
      maxFileSize: 1000,
      multipartThreshold: 100,
    });
    expect(config).toMatchObject({
      provider: 'minio',
      region: 'eu-1',
      multipartThreshold: 100,
      hashAlgorithm: 'md5',
    });
  });

  it('treats empty strings and nulls (settings UIs, JSON) as unset', () => {
    const config = parseConfig({ bucket: 'notes', endpoint: '', publicBaseUrl: null, acl: '' });
    expect(config.provider).toBe('aws');
    expect(config).not.toHaveProperty('endpoint');
    expect(config).not.toHaveProperty('acl');
  });

  it('names the field, the value and the fix', () => {
    expect(configError({ bucket: 'b', endpoint: '127.0.0.1:9000' })).toBe(
      "endpoint '127.0.0.1:9000' has no scheme: write 'http://127.0.0.1:9000' or 'https://127.0.0.1:9000'",
    );
    expect(configError({})).toBe(
      "bucket is missing: set 'bucket' (or BYTEDROP_BUCKET) to your bucket's name",
    );
    expect(configError({ bucket: 'b', provider: 's4' })).toBe(
      "provider 's4' is unknown: use one of aws, r2, b2, minio, spaces, wasabi, cos, oss, custom",
    );
    expect(configError({ bucket: 'b', provider: 'r2' })).toBe(
      "endpoint is missing for provider 'r2' (Cloudflare R2): set 'endpoint' (or BYTEDROP_ENDPOINT) to e.g. 'https://<account-id>.r2.cloudflarestorage.com'",
    );
    expect(configError({ bucket: 'b', accessKeyId: 'k' })).toContain(
      'accessKeyId is set but secretAccessKey is missing: set both',
    );
    expect(configError({ bucket: 'b', partSize: 1024 })).toBe(
      "'partSize' 1024 is below 5242880 bytes: use at least 5242880",
    );
    expect(configError({ bucket: 'b', queueSize: 0 })).toBe("'queueSize' 0 must be at least 1");
    expect(configError({ bucket: 'b', maxAttempts: 0 })).toBe(
      "'maxAttempts' 0 must be a whole number from 1 to 20 (1: no retries)",
    );
    expect(configError({ bucket: 'b', acl: 'public' })).toContain(
      "acl 'public' is not a canned ACL: use one of private, public-read",
    );
    expect(configError({ bucket: 'b', hashAlgorithm: 'sha1' })).toBe(
      "hashAlgorithm 'sha1' is not supported: use 'sha256' (default) or 'md5'",
    );
    expect(configError({ bucket: 42 })).toContain("'bucket' must be a string");
    expect(configError('bucket=b')).toContain('config must be an object, got "bucket=b"');
  });

  it('an unknown template variable is ERR_TEMPLATE naming it, unless other fields are wrong too', () => {
    expect(() => parseConfig({ bucket: 'b', keyTemplate: '{nmae}' })).toThrow(
      expect.objectContaining({
        code: 'ERR_TEMPLATE',
        message: expect.stringMatching(
          /^keyTemplate: key template '\{nmae\}': unknown variable \{nmae\}; valid variables are/,
        ),
      }),
    );
    expect(configError({ bucket: 'b', keyTemplate: '{nmae}', queueSize: 0 })).toContain('{nmae}');
  });

  it('reports every problem at once', () => {
    const message = configError({ endpoint: 'minio:9000', partSize: 1.5 });
    expect(message).toContain("endpoint 'minio:9000' has no scheme");
    expect(message).toContain('bucket is missing');
    expect(message).toContain("'partSize' 1.5 is not a whole number of bytes");
  });

  it('exposes the same rules as a valibot schema', () => {
    expect(v.safeParse(configSchema, { bucket: 'b' }).success).toBe(true);
    expect(v.safeParse(configSchema, { bucket: 'b', endpoint: 'x:1' }).success).toBe(false);
  });
});

describe('stripMetadata', () => {
  it('is on by default; false from code, a JSON file or BYTEDROP_STRIP_METADATA keeps metadata', () => {
    expect(parseConfig({ bucket: 'notes' }).stripMetadata).toBe(true);
    expect(parseConfig({ bucket: 'notes', stripMetadata: false }).stripMetadata).toBe(false);
    expect(configFromEnv({ BYTEDROP_STRIP_METADATA: 'false' })).toEqual({ stripMetadata: false });
    expect(configFromEnv({ BYTEDROP_STRIP_METADATA: 'on' })).toEqual({ stripMetadata: true });
  });

  it('names the field and the fix for a value that is not a boolean', () => {
    expect(() => parseConfig({ bucket: 'notes', stripMetadata: 'no' })).toThrow(
      "'stripMetadata' must be true (default: remove GPS and camera metadata from images) or false (keep it)",
    );
    expect(() => configFromEnv({ BYTEDROP_STRIP_METADATA: 'sometimes' })).toThrow(
      "BYTEDROP_STRIP_METADATA='sometimes' is not a boolean: write 'true' or 'false'",
    );
  });
});

describe('configFromEnv', () => {
  it('reads BYTEDROP_* variables with sizes in MiB', () => {
    expect(
      configFromEnv({
        BYTEDROP_ENDPOINT: 'http://127.0.0.1:9000',
        BYTEDROP_BUCKET: 'notes',
        BYTEDROP_ACCESS_KEY_ID: 'k',
        BYTEDROP_SECRET_ACCESS_KEY: 's',
        BYTEDROP_REGION: 'eu-1',
        BYTEDROP_PROVIDER: 'MinIO',
        BYTEDROP_PUBLIC_BASE_URL: 'http://cdn.local',
        BYTEDROP_KEY_TEMPLATE: '{name}.{ext}',
        BYTEDROP_FORCE_PATH_STYLE: 'false',
        BYTEDROP_ACL: 'private',
        BYTEDROP_HASH: 'MD5',
        BYTEDROP_PART_SIZE_MB: '16',
        BYTEDROP_MAX_FILE_SIZE_MB: '0.5',
        BYTEDROP_QUEUE_SIZE: '2',
        BYTEDROP_MAX_ATTEMPTS: '2',
        BYTEDROP_SOCKET_TIMEOUT_S: '0.2',
        BYTEDROP_CONNECTION_TIMEOUT_S: '1.5',
        UNRELATED: 'x',
      }),
    ).toEqual({
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'notes',
      accessKeyId: 'k',
      secretAccessKey: 's',
      region: 'eu-1',
      provider: 'minio',
      publicBaseUrl: 'http://cdn.local',
      keyTemplate: '{name}.{ext}',
      forcePathStyle: false,
      acl: 'private',
      hashAlgorithm: 'md5',
      partSize: 16 * 1024 * 1024,
      maxFileSize: 512 * 1024,
      queueSize: 2,
      maxAttempts: 2,
      socketTimeout: 200,
      connectionTimeout: 1500,
    });
  });

  it('reads a ByteGo deployment unchanged, assuming https for a bare PUBLIC_DOMAIN', () => {
    const env = {
      S3_ENDPOINT: 'https://acct.r2.cloudflarestorage.com',
      S3_ACCESS_KEY: 'k',
      S3_SECRET_KEY: 's',
      S3_BUCKET: 'bytego',
      S3_ACL: 'public-read',
      S3_REGION: 'auto',
      PUBLIC_DOMAIN: 'img.example.com',
    };
    expect(configFromEnv(env)).toEqual({
      endpoint: 'https://acct.r2.cloudflarestorage.com',
      accessKeyId: 'k',
      secretAccessKey: 's',
      bucket: 'bytego',
      acl: 'public-read',
      region: 'auto',
      publicBaseUrl: 'https://img.example.com',
    });
    expect(parseConfig(configFromEnv(env)).provider).toBe('r2');
    expect(configFromEnv({ PUBLIC_DOMAIN: 'http://img.local' }).publicBaseUrl).toBe('http://img.local');
  });

  it('lets BYTEDROP_* win over ByteGo names, and ignores blanks', () => {
    expect(
      configFromEnv({ S3_BUCKET: 'old', BYTEDROP_BUCKET: 'new', BYTEDROP_REGION: '  ', S3_REGION: 'r' }),
    ).toEqual({
      bucket: 'new',
      region: 'r',
    });
  });

  it.each([
    [
      { BYTEDROP_FORCE_PATH_STYLE: 'maybe' },
      "BYTEDROP_FORCE_PATH_STYLE='maybe' is not a boolean: write 'true' or 'false'",
    ],
    [
      { BYTEDROP_PART_SIZE_MB: '8MB' },
      "BYTEDROP_PART_SIZE_MB='8MB' is not a size: write a positive number of MiB, e.g. '8'",
    ],
    [{ BYTEDROP_QUEUE_SIZE: 'four' }, "BYTEDROP_QUEUE_SIZE='four' is not a whole number: write e.g. '4'"],
    [{ BYTEDROP_MAX_ATTEMPTS: '1.5' }, "BYTEDROP_MAX_ATTEMPTS='1.5' is not a whole number: write e.g. '3'"],
    [
      { BYTEDROP_SOCKET_TIMEOUT_S: '30s' },
      "BYTEDROP_SOCKET_TIMEOUT_S='30s' is not a duration: write a positive number of seconds, e.g. '30'",
    ],
  ])('refuses %j with ERR_CONFIG', (env, message) => {
    expect(() => configFromEnv(env)).toThrow(message);
  });
});
