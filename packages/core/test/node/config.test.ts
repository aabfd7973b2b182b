import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findConfigFile, loadConfigFile } from '../../src/node/config-file';
import { loadConfig, loadConfigLayers } from '../../src/node/load-config';

describe('config files and loadConfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bytedrop-config-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const write = async (name: string, body: string) => {
    const path = join(dir, name);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, body);
    return path;
  };

  it('reads a JSON object and drops $schema', async () => {
    const path = await write('c.json', '\uFEFF{"$schema": "x", "bucket": "notes", "partSize": 5242880}');
    expect(await loadConfigFile(path)).toEqual({ bucket: 'notes', partSize: 5242880 });
  });

  it('names the path, line and column of malformed JSON', async () => {
    const path = await write('bad.json', '{\n  "bucket": "notes"\n  "endpoint": "http://x"\n}');
    const error = await loadConfigFile(path).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'BytedropError', code: 'ERR_CONFIG' });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/line 3, column 3/);
  });

  it('says when the file is missing, empty or not an object', async () => {
    const missing = join(dir, 'nope.json');
    await expect(loadConfigFile(missing)).rejects.toThrow(`config file ${missing} does not exist`);
    await expect(loadConfigFile(await write('empty.json', ''))).rejects.toThrow(/is empty/);
    await expect(loadConfigFile(await write('array.json', '[1]'))).rejects.toThrow(
      /must hold a JSON object.*an array/,
    );
  });

  it('layers defaults ← file ← env ← overrides; empty values never clobber', async () => {
    const file = await write(
      'c.json',
      JSON.stringify({
        endpoint: 'http://file:9000',
        bucket: 'from-file',
        region: 'eu-1',
        keyTemplate: '{name}.{ext}',
      }),
    );
    const config = await loadConfig({
      file,
      env: { S3_BUCKET: 'from-env', S3_REGION: '', PUBLIC_DOMAIN: 'cdn.example.com' },
      overrides: { hashAlgorithm: 'md5', region: undefined },
    });
    expect(config).toMatchObject({
      endpoint: 'http://file:9000',
      bucket: 'from-env',
      region: 'eu-1',
      keyTemplate: '{name}.{ext}',
      publicBaseUrl: 'https://cdn.example.com',
      hashAlgorithm: 'md5',
      partSize: 8 * 1024 * 1024,
      provider: 'custom',
    });
  });

  it('finds ./bytedrop.config.json first, then $XDG_CONFIG_HOME/bytedrop/config.json, only when present', async () => {
    const cwd = join(dir, 'project');
    await mkdir(cwd);
    const env = { XDG_CONFIG_HOME: join(dir, 'xdg') };
    expect(await findConfigFile({ cwd, env })).toBeUndefined();
    const xdg = await write('xdg/bytedrop/config.json', '{"bucket": "xdg"}');
    expect(await findConfigFile({ cwd, env })).toBe(xdg);
    const local = await write('project/bytedrop.config.json', '{"bucket": "local"}');
    expect(await findConfigFile({ cwd, env })).toBe(local);
    expect((await loadConfigLayers({ cwd, env })).input.bucket).toBe('local');
    // HOME/.config is the fallback when XDG_CONFIG_HOME is unset.
    await write('home/.config/bytedrop/config.json', '{"bucket": "home"}');
    const other = join(dir, 'elsewhere');
    await mkdir(other);
    expect((await loadConfigLayers({ cwd: other, env: { HOME: join(dir, 'home') } })).input.bucket).toBe(
      'home',
    );
  });

  it('throws one ERR_CONFIG naming the bad field (an endpoint without a scheme)', async () => {
    await expect(
      loadConfig({ cwd: dir, env: { S3_ENDPOINT: '127.0.0.1:9000', S3_BUCKET: 'b', HOME: dir } }),
    ).rejects.toMatchObject({ code: 'ERR_CONFIG', message: expect.stringContaining('has no scheme') });
  });
});
