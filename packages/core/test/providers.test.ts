import { HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import {
  type BytedropConfig,
  checkHttpUrl,
  defaultRegion,
  inferProvider,
  PROVIDER_NAMES,
  PROVIDERS,
  parseConfig,
  resolveProvider,
} from '../src/index';

const base = { bucket: 'notes', accessKeyId: 'AKID', secretAccessKey: 'SECRET' };

describe('PROVIDERS', () => {
  it('has a preset for every provider name', () => {
    expect(PROVIDER_NAMES).toEqual(['aws', 'r2', 'b2', 'minio', 'spaces', 'wasabi', 'cos', 'oss', 'custom']);
    for (const name of PROVIDER_NAMES) expect(PROVIDERS[name].name).toBe(name);
    expect(Object.isFrozen(PROVIDERS)).toBe(true);
  });
});

describe('inferProvider and defaultRegion', () => {
  it.each([
    ['https://0123abcd.r2.cloudflarestorage.com', 'r2'],
    ['https://0123abcd.eu.r2.cloudflarestorage.com', 'r2'],
    ['https://s3.us-west-004.backblazeb2.com', 'b2'],
    ['https://nyc3.digitaloceanspaces.com', 'spaces'],
    ['https://s3.eu-central-1.wasabisys.com', 'wasabi'],
    ['https://cos.ap-shanghai.myqcloud.com', 'cos'],
    ['https://oss-cn-hangzhou.aliyuncs.com', 'oss'],
    ['https://s3.eu-west-1.amazonaws.com', 'aws'],
    ['http://127.0.0.1:9000', 'custom'],
    ['https://evil-r2.cloudflarestorage.com.example.org', 'custom'],
    [undefined, 'aws'],
  ] as const)('%s → %s', (endpoint, provider) => {
    expect(inferProvider(endpoint)).toBe(provider);
  });

  it.each([
    ['b2', 'https://s3.eu-central-003.backblazeb2.com', 'eu-central-003'],
    ['wasabi', 'https://s3.ap-northeast-1.wasabisys.com', 'ap-northeast-1'],
    ['cos', 'https://cos.ap-shanghai.myqcloud.com', 'ap-shanghai'],
    ['oss', 'https://oss-cn-beijing.aliyuncs.com', 'oss-cn-beijing'],
    ['oss', 'https://oss-cn-beijing-internal.aliyuncs.com', 'oss-cn-beijing'],
    ['aws', 'https://s3.eu-west-1.amazonaws.com', 'eu-west-1'],
    ['r2', 'https://x.r2.cloudflarestorage.com', 'auto'],
    ['minio', 'http://127.0.0.1:9000', 'us-east-1'],
    ['aws', undefined, 'us-east-1'],
  ] as const)('%s at %s signs for %s', (provider, endpoint, region) => {
    expect(defaultRegion(provider, endpoint)).toBe(region);
  });
});

describe('resolveProvider', () => {
  it('AWS: SDK defaults (no endpoint, virtual-hosted, checksums when supported)', () => {
    const settings = resolveProvider(parseConfig({ ...base, region: 'eu-west-1' }));
    expect(settings).toEqual({
      provider: 'aws',
      region: 'eu-west-1',
      forcePathStyle: false,
      requestChecksumCalculation: 'WHEN_SUPPORTED',
      responseChecksumValidation: 'WHEN_SUPPORTED',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' },
      bucket: 'notes',
      equalParts: false,
      publicBaseUrl: 'https://notes.s3.eu-west-1.amazonaws.com',
    });
  });

  it('R2: region auto, equal parts, checksums only when required, no ACL unless asked', () => {
    const settings = resolveProvider(
      parseConfig({ ...base, endpoint: 'https://acct.r2.cloudflarestorage.com/' }),
    );
    expect(settings).toMatchObject({
      provider: 'r2',
      endpoint: 'https://acct.r2.cloudflarestorage.com',
      region: 'auto',
      forcePathStyle: false,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      equalParts: true,
    });
    expect(settings).not.toHaveProperty('acl');
    expect(
      resolveProvider(
        parseConfig({ ...base, endpoint: 'https://acct.r2.cloudflarestorage.com', acl: 'public-read' }),
      ).acl,
    ).toBe('public-read');
  });

  it.each(PROVIDER_NAMES.filter((name) => name !== 'aws'))(
    '%s: WHEN_REQUIRED checksums (aws-sdk-js-v3#6810)',
    (provider) => {
      const settings = resolveProvider(
        parseConfig({ ...base, provider, endpoint: 'https://s3.example.com' }),
      );
      expect(settings.requestChecksumCalculation).toBe('WHEN_REQUIRED');
      expect(settings.responseChecksumValidation).toBe('WHEN_REQUIRED');
    },
  );

  it('MinIO and custom endpoints default to path-style; config overrides', () => {
    const minio = resolveProvider(
      parseConfig({ ...base, provider: 'minio', endpoint: 'http://127.0.0.1:9000' }),
    );
    expect(minio.forcePathStyle).toBe(true);
    expect(minio.publicBaseUrl).toBe('http://127.0.0.1:9000/notes');
    const custom = resolveProvider(
      parseConfig({ ...base, endpoint: 'https://s3.example.com', forcePathStyle: false }),
    );
    expect(custom.forcePathStyle).toBe(false);
    expect(custom.publicBaseUrl).toBe('https://notes.s3.example.com');
  });

  it('prefers the configured public base URL and omits credentials when none are set', () => {
    const settings = resolveProvider(
      parseConfig({
        bucket: 'notes',
        endpoint: 'http://127.0.0.1:9000',
        publicBaseUrl: 'https://cdn.example.com/',
      }),
    );
    expect(settings.publicBaseUrl).toBe('https://cdn.example.com');
    expect(settings).not.toHaveProperty('credentials');
  });

  it('refuses an endpoint without a scheme even when the config skipped parseConfig', () => {
    const config = {
      ...parseConfig({ ...base, endpoint: 'http://x' }),
      endpoint: '127.0.0.1:9000',
    } as BytedropConfig;
    expect(() => resolveProvider(config)).toThrow(
      "endpoint '127.0.0.1:9000' has no scheme: write 'http://127.0.0.1:9000' or 'https://127.0.0.1:9000'",
    );
    const r2 = {
      ...parseConfig({ ...base, endpoint: 'https://a.r2.cloudflarestorage.com' }),
      endpoint: undefined,
    };
    expect(() => resolveProvider(r2)).toThrow(
      "endpoint is missing for provider 'r2' (Cloudflare R2): set 'endpoint' (or BYTEDROP_ENDPOINT) to e.g. 'https://<account-id>.r2.cloudflarestorage.com'",
    );
  });

  it('checkHttpUrl explains each kind of bad URL', () => {
    expect(checkHttpUrl('endpoint', ' https://s3.example.com// ')).toBe('https://s3.example.com');
    expect(() => checkHttpUrl('endpoint', 'ftp://s3.example.com')).toThrow(
      "uses 'ftp:': only http:// and https:// work",
    );
    expect(() => checkHttpUrl('endpoint', 'http://')).toThrow(
      "is not a valid URL: write it like 'https://s3.example.com'",
    );
    expect(() => checkHttpUrl('publicBaseUrl', 'https://cdn.example.com/?x=1')).toThrow(
      "publicBaseUrl 'https://cdn.example.com/?x=1' has a query or fragment",
    );
  });

  it('produces settings a real S3Client can use against an S3 server', async () => {
    delete process.env.AWS_CA_BUNDLE;
    const s3 = inject('s3');
    const settings = resolveProvider(
      parseConfig({
        endpoint: s3.endpoint,
        bucket: s3.bucket,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
      }),
    );
    const client = new S3Client(settings);
    await client.send(new HeadBucketCommand({ Bucket: settings.bucket }));
    const put = await client.send(
      new PutObjectCommand({ Bucket: settings.bucket, Key: 'providers/ok.txt', Body: 'ok' }),
    );
    expect(put.ETag).toBe('"444bcb3a3fcf8389296c49467f27e1d6"');
  });
});
