/**
 * The bin's catalog: PostgreSQL when DATABASE_URL is set, else SQLite at `<data dir>/catalog.sqlite` (zero
 * configuration). A server started on a data directory or bucket that has files and an empty catalog adopts them
 * in the background; `bytedrop-server catalog rebuild` does the same on demand and prints what it changed.
 */
import { join } from 'node:path';
import { type BytedropConfigInput, createUploader, type ObjectStore } from '@bytedrop/core';
import { createLocalDiskStore } from '@bytedrop/core/node';
import type { Setup } from './_bin-setup';
import { createPostgresCatalog, redactUrl } from './catalog/postgres';
import { rebuildCatalog } from './catalog/rebuild';
import { createSqliteCatalog } from './catalog/sqlite';
import type { Catalog } from './catalog/types';
import type { Logger } from './types';

/** The catalog the settings name, and where it is (for the start banner; no password). */
export async function openCatalog(
  setup: Setup,
  logger?: Logger,
): Promise<{ catalog: Catalog; where: string }> {
  const { databaseUrl } = setup.settings;
  if (databaseUrl) {
    return {
      catalog: await createPostgresCatalog({ url: databaseUrl, ...(logger ? { logger } : {}) }),
      where: redactUrl(databaseUrl),
    };
  }
  const file = join(setup.dataDir, 'catalog.sqlite');
  return { catalog: await createSqliteCatalog({ file }), where: `SQLite at ${file}` };
}

/** An empty catalog beside a store with files: an upgraded server. Adopts them without delaying the start. */
export function adoptExisting(store: ObjectStore, catalog: Catalog, logger: Logger): Promise<void> {
  return (async () => {
    const { total } = await catalog.list({}, { limit: 1 });
    if (total.count > 0) return;
    const report = await rebuildCatalog(store, catalog);
    if (report.added > 0) logger.info({ ...report }, 'catalog: adopted the files already in storage');
  })().catch((error: Error) =>
    logger.error(
      { err: error },
      'catalog: could not adopt the files in storage: run `bytedrop-server catalog rebuild`',
    ),
  );
}

/** The store the server would use, for a command that runs beside it (the same settings, no uploads). */
export function storeOf(setup: Setup): ObjectStore {
  const { input, settings, dataDir } = setup;
  if (input.bucket !== undefined || input.endpoint !== undefined) {
    return createUploader({ ...input, maxFileSize: settings.maxFileSize } as BytedropConfigInput).store;
  }
  const serverUrl = settings.serverUrl ?? `http://localhost:${settings.port}`;
  return createLocalDiskStore({ dir: join(dataDir, 'files'), publicBaseUrl: `${serverUrl}/f` });
}

/** `bytedrop-server catalog rebuild`. */
export async function rebuildCommand(setup: Setup): Promise<void> {
  const { catalog, where } = await openCatalog(setup);
  try {
    const report = await rebuildCatalog(storeOf(setup), catalog);
    process.stdout.write(
      `catalog (${where}): ${report.objects} files in storage, ${report.added} added, ${report.kept} already listed, ${report.removed} removed (their object is gone)\n`,
    );
  } finally {
    await catalog.close();
  }
}
