/**
 * Handlers on one local-disk store with the catalog a test gives each (the catalog outage, restart and load tests
 * build several over the same files), and the check of the 503 an upload gets when its record cannot be written.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUploader } from '@bytedrop/core';
import { createLocalDiskStore } from '@bytedrop/core/node';
import { expect } from 'vitest';
import type { Catalog } from '../../src/catalog/types';
import { createHandler } from '../../src/handler';
import type { HandlerOptions } from '../../src/types';
import { KEY, ORIGIN, SECRET } from './fixtures';

/** A store in a fresh temporary folder (named after `name`), and handlers over it with alice's key by default. */
export async function diskCatalogStore(name: string) {
  const dir = await mkdtemp(join(tmpdir(), `bytedrop-${name}-`));
  const store = createLocalDiskStore({ dir, publicBaseUrl: `${ORIGIN}/f` });
  return {
    dir,
    store,
    handlerWith: (catalog: Catalog, options: Partial<HandlerOptions> = {}) =>
      createHandler({
        uploader: createUploader({ bucket: 'local-disk' }, { store }),
        store,
        files: store,
        keys: [{ name: 'alice', key: KEY }],
        secret: SECRET,
        catalog,
        ...options,
      }),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Checks `refused` is the 503 of an upload stored but not recorded, and answers the key it was stored under. */
export async function unlistedKey(refused: Response): Promise<string> {
  expect(refused.status).toBe(503);
  const answer = (await refused.json()) as { code: string; msg: string };
  expect(answer).toMatchObject({
    code: 'ERR_NETWORK',
    msg: expect.stringMatching(
      /catalog \(postgres\) is not answering.*stored but not listed yet.*send it again/,
    ),
  });
  return /keys: ([^)]+)\)/.exec(answer.msg)![1]!;
}
