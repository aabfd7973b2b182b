import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDefaultLocalStore, hasS3Settings } from '../../src/node/local-default';

describe('local-disk default (no S3 configured)', () => {
  it('counts endpoint, bucket, keys or provider as S3 settings, and nothing else', () => {
    expect(hasS3Settings({})).toBe(false);
    expect(hasS3Settings({ publicBaseUrl: 'http://x/f', keyTemplate: '{name}.{ext}' })).toBe(false);
    expect(hasS3Settings({ bucket: 'notes' })).toBe(true);
    expect(hasS3Settings({ endpoint: 'http://127.0.0.1:9000' })).toBe(true);
    expect(hasS3Settings({ accessKeyId: 'k' })).toBe(true);
  });

  it('uses BYTEDROP_DATA_DIR under cwd and the server /f/ route on PORT', () => {
    const store = createDefaultLocalStore({
      env: { BYTEDROP_DATA_DIR: 'files', PORT: '9001' },
      cwd: '/srv/app',
    });
    expect(store.dir).toBe(join('/srv/app', 'files'));
    expect(store.publicUrl('a b.png')).toBe('http://localhost:9001/f/a%20b.png');
    const defaults = createDefaultLocalStore({ env: {}, cwd: '/srv/app' });
    expect([defaults.dir, defaults.publicBaseUrl]).toEqual([
      join('/srv/app', 'data'),
      'http://localhost:8000/f',
    ]);
    const custom = createDefaultLocalStore({
      env: {},
      cwd: '/x',
      publicBaseUrl: 'https://files.example.com',
    });
    expect(custom.publicUrl('k')).toBe('https://files.example.com/k');
  });
});
