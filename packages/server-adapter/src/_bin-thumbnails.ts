/**
 * `bytedrop-server thumbnails --backfill`: the thumbnails the catalog's images are missing, with the server's
 * settings (`BYTEDROP_THUMBNAILS`, the same store and catalog). Safe beside a running server: existing ones are kept.
 */
import { BytedropError } from '@bytedrop/core';
import { openCatalog, storeOf } from './_bin-catalog';
import type { Setup } from './_bin-setup';
import { backfillThumbnails } from './_thumbnail-backfill';

/** Runs the backfill and prints what it did; exits non-zero when an image could not get its thumbnails. */
export async function thumbnailsCommand(setup: Setup): Promise<void> {
  if (!setup.thumbnails) {
    throw new BytedropError(
      'ERR_CONFIG',
      'thumbnails are off (BYTEDROP_THUMBNAILS=off): set BYTEDROP_THUMBNAILS=320 (or the sizes you want) to backfill',
    );
  }
  const { catalog, where } = await openCatalog(setup);
  try {
    const report = await backfillThumbnails(storeOf(setup), catalog, setup.thumbnails);
    for (const { key, reason } of report.skipped) process.stdout.write(`skipped ${key}: ${reason}\n`);
    process.stdout.write(
      `thumbnails (${setup.thumbnails.sizes.join(', ')} px, catalog ${where}): ${report.images} images, ${report.made} thumbnails made, ${report.complete} already complete, ${report.skipped.length} skipped\n`,
    );
    if (report.skipped.length > 0) process.exitCode = 1;
  } finally {
    await catalog.close();
  }
}
