/** Messages in VS Code's words: setting names as the Settings editor shows them, no environment variables or CLI. */
import { BytedropError, parseConfig } from '@bytedrop/core';
import { describe, expect, it } from 'vitest';
import { settingName } from '../src/setting-names';
import { inVsCodeTerms, word } from '../src/wording';

describe('settingName', () => {
  it.each([
    ['bytedrop.publicBaseUrl', 'Bytedrop: Public Base Url'],
    ['bytedrop.accessKeyId', 'Bytedrop: Access Key ID'],
    ['bytedrop.maxFileSizeMB', 'Bytedrop: Max File Size MB'],
    ['bytedrop.forcePathStyle', 'Bytedrop: Force Path Style'],
    ['markdown.copyFiles.destination', 'Markdown › Copy Files: Destination'],
  ])('%s is shown as %s', (key, name) => {
    expect(settingName(key)).toBe(name);
  });
});

/** Core's message for a raw config, as `parseConfig` words it. */
function coreMessage(config: Record<string, unknown>): string {
  try {
    parseConfig(config);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('inVsCodeTerms', () => {
  it('names settings and drops environment variables from core’s config messages', () => {
    expect(inVsCodeTerms(coreMessage({}))).toBe(
      "Bytedrop: Bucket is missing: set Bytedrop: Bucket to your bucket's name",
    );
    expect(inVsCodeTerms(coreMessage({ bucket: 'b', provider: 'r2' }))).toBe(
      "Bytedrop: Endpoint is missing for provider 'r2' (Cloudflare R2): set Bytedrop: Endpoint to e.g. 'https://<account-id>.r2.cloudflarestorage.com'",
    );
    expect(inVsCodeTerms(coreMessage({ bucket: 'b', accessKeyId: 'k' }))).toBe(
      'accessKeyId is set but secretAccessKey is missing: set both'.replace(
        'accessKeyId',
        'Bytedrop: Access Key ID',
      ),
    );
    expect(inVsCodeTerms(coreMessage({ bucket: 'b', endpoint: '127.0.0.1:9000' }))).toMatch(
      /^Bytedrop: Endpoint '127\.0\.0\.1:9000' has no scheme/,
    );
  });

  it('drops the environment variables of the doctor’s fixes, however they are grouped', () => {
    expect(
      inVsCodeTerms(
        'copy the access key id and secret access key again from the provider (S3_ACCESS_KEY / S3_SECRET_KEY); check for spaces',
      ),
    ).toBe('copy the access key id and secret access key again from the provider; check for spaces');
    expect(
      inVsCodeTerms(
        'create the bucket, or fix its name (S3_BUCKET / BYTEDROP_BUCKET); names are case-sensitive',
      ),
    ).toBe('create the bucket, or fix its name; names are case-sensitive');
  });
});

describe('word', () => {
  const settings = {
    target: 's3' as const,
    s3: { endpoint: 'https://s3.example.com', bucket: 'notes', maxFileSize: 5 * 1024 * 1024 },
    linkFormat: 'markdown' as const,
    linkTemplate: '',
    languages: ['markdown'],
    keepLocalCopy: true,
    keepImageMetadata: false,
    retinaAtScreenSize: true,
    tus: { thresholdMB: 8, chunkSizeMB: 4 },
  };
  it.each([
    [
      'ERR_QUOTA',
      "storage quota of 'alice': 60 B of 100 B used",
      /storage quota is used up: delete files you no longer need, or ask the server's admin for a larger quota/,
      [],
    ],
    [
      'ERR_SCOPE',
      "access key 'reader' lacks the 'upload' scope",
      /does not let this access key upload: ask the server's admin for a key with the upload scope/,
      ['Open Bytedrop settings'],
    ],
    [
      'ERR_TOO_LARGE',
      "'a.bin' is 9 bytes, over the maxFileSize of 5 bytes: raise 'maxFileSize'",
      /Bytedrop: Max File Size MB \(5 MB\)/,
      ['Open Bytedrop settings'],
    ],
    [
      'ERR_BUCKET_NOT_FOUND',
      'NoSuchBucket',
      /there is no bucket 'notes' at https:\/\/s3\.example\.com: check Bytedrop: Bucket and Bytedrop: Endpoint/,
      ['Open Bytedrop settings'],
    ],
    [
      'ERR_AUTH',
      'InvalidAccessKeyId: set BYTEDROP_ACCESS_KEY_ID',
      /refused the keys: check Bytedrop: Access Key ID and set the secret access key again/,
      ['Set secret access key', 'Open Bytedrop settings'],
    ],
    [
      'ERR_PROVIDER',
      "S3 said no: set 'endpoint' (or S3_ENDPOINT)",
      /failed: S3 said no: set Bytedrop: Endpoint \(ERR_PROVIDER\)$/,
      [],
    ],
  ] as const)('%s keeps its code and names the fix', (code, message, expected, actions) => {
    const worded = word(new BytedropError(code, message), settings);
    expect(worded.message).toMatch(expected);
    expect(worded.message.endsWith(`(${code})`)).toBe(true);
    expect(worded.message.replace(/ \(ERR_[A-Z_]+\)$/, '')).not.toMatch(
      /[A-Z][A-Z0-9]*_[A-Z0-9_]+|'maxFileSize'/,
    );
    expect(worded.actions).toEqual(actions);
  });
});
