/**
 * A misspelt or foreign config field is an error naming it and the field most likely meant, never silently dropped
 * (a dropped `publicUrl` left links pointing at the bucket instead of the CDN). The type side is in
 * config-types.test-d.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { BytedropConfigInput } from '../src/index';
import {
  CONFIG_FIELDS,
  configSchema,
  createUploader,
  isBytedropError,
  parseConfig,
  runDoctor,
} from '../src/index';
import { loadConfig } from '../src/node/index';

function configError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(isBytedropError(error, 'ERR_CONFIG'), String(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected ERR_CONFIG');
}

/** A config with a field the type does not have, as JavaScript callers and JSON files can write. */
const withField = (field: string, value: unknown = 'x') =>
  ({ bucket: 'notes', [field]: value }) as unknown as BytedropConfigInput;

describe('an unknown config field', () => {
  it.each([
    ['publicUrl', 'publicBaseUrl'],
    ['endpointUrl', 'endpoint'],
    ['Bucket', 'bucket'],
    ['secretKey', 'secretAccessKey'],
    ['partsize', 'partSize'],
    ['hashAlgo', 'hashAlgorithm'],
  ])("'%s' is ERR_CONFIG naming it and suggesting '%s'", (field, nearest) => {
    expect(configError(() => parseConfig(withField(field)))).toBe(
      `unknown field '${field}': did you mean '${nearest}'?`,
    );
  });

  it('far from every field, lists them instead of guessing', () => {
    expect(configError(() => parseConfig(withField('colour')))).toBe(
      `unknown field 'colour': remove it, or use one of ${CONFIG_FIELDS.join(', ')}`,
    );
  });

  it('names every unknown field, and the other problems too, in one error', () => {
    const input = { bucket: 'notes', publicUrl: 'https://cdn.example.com', regoin: 'eu', queueSize: 0 };
    const message = configError(() => parseConfig(input));
    expect(message).toContain("unknown field 'publicUrl': did you mean 'publicBaseUrl'?");
    expect(message).toContain("unknown field 'regoin': did you mean 'region'?");
    expect(message).toContain("'queueSize' 0 must be at least 1");
  });

  it('fails createUploader before any request, and the doctor names it as the config check', async () => {
    expect(configError(() => createUploader(withField('publicUrl')))).toContain(
      "did you mean 'publicBaseUrl'?",
    );
    const report = await runDoctor(withField('publicUrl'));
    const config = report.checks.find((check) => check.id === 'config');
    expect(config?.status).toBe('fail');
    expect(config?.message).toContain("unknown field 'publicUrl': did you mean 'publicBaseUrl'?");
  });

  it('in a config file is ERR_CONFIG too, while the "server" section and $schema are allowed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bytedrop-unknown-'));
    try {
      const file = join(dir, 'bytedrop.config.json');
      const server = { AUTH_KEY: 'a-long-access-key' };
      await writeFile(file, JSON.stringify({ $schema: 'x', bucket: 'notes', server }));
      await expect(loadConfig({ file, env: {} })).resolves.toMatchObject({ bucket: 'notes' });
      await writeFile(file, JSON.stringify({ bucket: 'notes', publicUrl: 'https://cdn.example.com' }));
      await expect(loadConfig({ file, env: {} })).rejects.toThrow(
        "unknown field 'publicUrl': did you mean 'publicBaseUrl'?",
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is rejected by the valibot schema itself', () => {
    const result = v.safeParse(configSchema, withField('publicUrl'));
    expect(result.success).toBe(false);
    expect(result.issues?.map((issue) => issue.message)).toEqual([
      "unknown field 'publicUrl': did you mean 'publicBaseUrl'?",
    ]);
  });

  it('every known field passes', () => {
    expect(CONFIG_FIELDS).toHaveLength(20);
    expect(() => parseConfig({ bucket: 'notes', publicBaseUrl: 'https://cdn.example.com' })).not.toThrow();
  });
});
