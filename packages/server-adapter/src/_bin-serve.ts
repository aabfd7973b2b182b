/**
 * `bytedrop-server` (no command): builds storage from the settings, recovers what a killed run left, and serves
 * until a stop signal, which drains uploads in flight. A generated access key is printed on every start until a
 * request first uses it; a busy port is one line naming the setting, not a stack trace.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BytedropConfigInput,
  BytedropError,
  type BytedropUploader,
  createUploader,
} from '@bytedrop/core';
import { createFileJournal, createLocalDiskStore } from '@bytedrop/core/node';
import { adoptExisting, openCatalog } from './_bin-catalog';
import { accessKeys, deleteSecret, type Setup } from './_bin-setup';
import { createCatalogKeyring } from './_catalog-keyring';
import { recoverLeftovers, SERVER_TEMP_PREFIX, startSweeps } from './_housekeeping';
import { TUS_TEMP_PREFIX } from './_tus-setup';
import { checkWebhookHosts, publicOnlyFetch } from './_webhook-hosts';
import { createMemoryBans } from './bans';
import { createJwtVerifier } from './jwt';
import { createLogger } from './logger';
import { type RunningServer, type ServeOptions, serve } from './node';
import { createPrometheusMetrics } from './prometheus';
import { createRateLimits } from './rate-limits';
import { createRedisBans, type RedisBans } from './redis-bans';
import { createTusDiskBackend } from './tus-disk';
import { createRedisTusLocks } from './tus-redis-locks';
import type { Logger } from './types';
import { createWebhooks, type Webhooks } from './webhooks';

/** `serve`, with the listen errors an operator causes turned into one line saying which setting to change. */
async function listen(options: ServeOptions): Promise<RunningServer> {
  try {
    return await serve(options);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const where = `${options.hostname ?? 'all interfaces'} port ${options.port}`;
    if (code === 'EADDRINUSE') {
      throw new BytedropError(
        'ERR_CONFIG',
        `port ${options.port} is in use: set PORT to a free port (e.g. PORT=${Number(options.port) + 1}), or stop what listens on it`,
        { cause: error },
      );
    }
    if (code === 'EACCES')
      throw new BytedropError('ERR_CONFIG', `not allowed to listen on ${where}: set PORT above 1023`, {
        cause: error,
      });
    if (code === 'EADDRNOTAVAIL')
      throw new BytedropError(
        'ERR_CONFIG',
        `HOST ${options.hostname} is no address of this machine: fix HOST`,
        {
          cause: error,
        },
      );
    throw error;
  }
}

/** Waits up to `ms` for webhook deliveries in flight; what is still retrying then is logged and dropped. */
async function drainWebhooks(webhooks: Webhooks, ms: number, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((done) => {
    timer = setTimeout(() => done('late'), ms);
  });
  if ((await Promise.race([webhooks.drain(), late])) === 'late') {
    logger.warn({}, 'webhook deliveries still retrying at shutdown were dropped');
  }
  clearTimeout(timer);
}

/** Waits for `work` at most `ms`. */
async function drained(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((done) => (timer = setTimeout(done, ms)))]);
  clearTimeout(timer);
}

export async function runServer(setup: Setup): Promise<void> {
  const { settings, input, dataDir } = setup;
  const converting = setup.convert ? { convert: setup.convert } : {};
  const logger = await createLogger({
    level: settings.logLevel,
    toFile: settings.logToFile,
    dir: settings.logDir,
    format: settings.logFormat,
  });
  await mkdir(dataDir, { recursive: true });

  const useS3 = input.bucket !== undefined || input.endpoint !== undefined;
  const serverUrl = settings.serverUrl ?? `http://localhost:${settings.port}`;
  // What uploads have in flight (multipart upload ids, temporary keys), so a killed run's leftovers are found.
  const journal = createFileJournal(join(dataDir, 'journal'));

  let storage: Pick<ServeOptions, 'files'> & { uploader: BytedropUploader; tusDir?: string };
  let where: string;
  if (useS3) {
    storage = {
      uploader: createUploader(
        // Cast: useS3 means the bucket or endpoint is set; a missing bucket is core's ERR_CONFIG naming it.
        { ...input, maxFileSize: settings.maxFileSize } as BytedropConfigInput,
        { journal, tempPrefix: SERVER_TEMP_PREFIX, ...converting },
      ),
    };
    where = `S3 bucket '${input.bucket}'${input.endpoint ? ` at ${input.endpoint}` : ''}`;
  } else {
    const dir = join(dataDir, 'files');
    const store = createLocalDiskStore({
      dir,
      publicBaseUrl: `${serverUrl}/f`,
      maxFileSize: settings.maxFileSize,
      journal,
    });
    storage = {
      uploader: createUploader(
        { ...input, maxFileSize: settings.maxFileSize, bucket: 'local-disk' },
        { store, tempPrefix: SERVER_TEMP_PREFIX, ...converting },
      ),
      files: store,
      tusDir: dir,
    };
    where = `local disk at ${dir} (served from /f/)`;
  }
  const { store } = storage.uploader;
  // Before any request: recovery aborts every journaled upload of this store, which must all be a dead run's.
  await recoverLeftovers(store, logger);

  const { catalog, where: catalogAt } = await openCatalog(setup, logger);
  const adopting = adoptExisting(store, catalog, logger);

  const keys = await accessKeys(setup);
  // The keys file / AUTH_KEY into the catalog now: a name clash with a managed key stops the start, not a request.
  await createCatalogKeyring(catalog, keys.keys, logger).ready();
  const secret = (await deleteSecret(setup))!;
  let redis: RedisBans | undefined;
  if (settings.redisUrl) {
    redis = createRedisBans({
      url: settings.redisUrl,
      maxFailures: settings.maxFailures,
      banSeconds: settings.banSeconds,
      commandTimeoutMs: settings.redisTimeoutMs,
      logger,
    });
    await redis.ready().catch((error: Error) => logger.error({ err: error }, 'redis not reachable at start'));
  }

  // tus uploads expire when the sweep may remove their bytes; with Redis, their locks are shared by every instance.
  const tusLocks = settings.redisUrl ? createRedisTusLocks({ url: settings.redisUrl }) : undefined;
  const { tusDir, ...stored } = storage;
  let webhooks: Webhooks | undefined;
  if (settings.webhooks) {
    // createWebhooks checks the URLs themselves first (ERR_CONFIG naming a bad one); then their names are resolved.
    webhooks = createWebhooks({
      ...settings.webhooks,
      logger,
      ...(settings.webhooks.allowPrivate ? {} : { fetch: await publicOnlyFetch() }),
    });
    await checkWebhookHosts(settings.webhooks.urls, settings.webhooks.allowPrivate);
  }

  const server = await listen({
    ...stored,
    tus: {
      expiresMs: settings.sweepAfter * 1000,
      ...(tusDir ? { backend: createTusDiskBackend({ dir: tusDir, prefix: TUS_TEMP_PREFIX }) } : {}),
      ...(tusLocks ? { locks: tusLocks } : {}),
    },
    keys: keys.keys,
    secret,
    port: settings.port,
    ...(settings.host ? { hostname: settings.host } : {}),
    maxFileSize: settings.maxFileSize,
    maxFiles: settings.maxFiles,
    ...(settings.allowedTypes ? { allowedTypes: settings.allowedTypes } : {}),
    ...(settings.trustProxy ? { trustProxy: settings.trustProxy } : {}),
    ...(settings.serverUrl ? { serverUrl: settings.serverUrl } : {}),
    bans: redis ?? createMemoryBans({ maxFailures: settings.maxFailures, banSeconds: settings.banSeconds }),
    banLoopback: settings.banLoopback,
    hidpi: settings.hidpi,
    metrics: createPrometheusMetrics(),
    ...(keys.unused
      ? {
          onKeyUsed: () => {
            keys.markUsed().then(
              () =>
                logger.info(
                  { keySource: keys.source },
                  'the generated access key was used: no longer printed at start',
                ),
              (error: Error) =>
                logger.warn({ err: error }, 'could not record that the generated key was used'),
            );
          },
        }
      : {}),
    logger,
    requestTimeout: settings.requestTimeout * 1000,
    headersTimeout: settings.headersTimeout * 1000,
    idleTimeout: settings.idleTimeout * 1000,
    storageTimeoutMs: settings.storageTimeout * 1000,
    corsOrigins: settings.corsOrigins,
    ...(settings.privatePrefix ? { privatePrefix: settings.privatePrefix } : {}),
    ...(webhooks ? { webhooks } : {}),
    ...(settings.jwt ? { jwt: createJwtVerifier(settings.jwt) } : {}),
    // Always: a managed key may be given rates at any time. Redis counts for every instance when there is one.
    rateLimits: createRateLimits({
      ...(settings.uploadRates ? { defaults: settings.uploadRates } : {}),
      ...(settings.tusCreationsPerHour ? { creationsPerHour: settings.tusCreationsPerHour } : {}),
      ...(redis ? { redis: redis.client } : {}),
    }),
    catalog,
    ...(setup.thumbnails ? { thumbnails: setup.thumbnails } : {}),
  });

  const sweeps = startSweeps({
    store,
    prefix: SERVER_TEMP_PREFIX,
    intervalMs: settings.sweepInterval * 1000,
    olderThanMs: settings.sweepAfter * 1000,
    logger,
    expired: server.handler.sweepExpiredUploads,
  });

  const url = settings.serverUrl ?? `http://localhost:${server.port}`;
  logger.info(
    {
      port: server.port,
      storage: where,
      keys: keys.keys.length,
      keySource: keys.source,
      convert: setup.convert?.format ?? 'off',
      thumbnails: setup.thumbnails?.sizes.join(',') ?? 'off',
    },
    'bytedrop-server started',
  );
  // Plain lines on stderr for the person at the terminal; the key is printed here, never logged.
  const lines = [``, `  Bytedrop is running: ${url}`, `  Storage: ${where}`, `  Catalog: ${catalogAt}`];
  if (keys.unused) {
    lines.push(
      `  Access key (generated, saved to ${keys.source}; printed at each start until first used): ${keys.unused}`,
    );
  } else {
    lines.push(`  Access keys: ${keys.keys.length} from ${keys.source}`);
  }
  if (keys.source !== 'AUTH_KEY') lines.push(`  Show the keys again: bytedrop-server keys show`);
  process.stderr.write(`${lines.join('\n')}\n\n`);

  // A stop signal drains: no new requests, uploads in flight get SHUTDOWN_GRACE_S, the rest are aborted in storage.
  // A second signal does not wait for the grace period.
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second stop signal: cutting uploads in flight now');
      await server.shutdown(0);
      return;
    }
    stopping = true;
    sweeps.stop();
    logger.info({ signal, graceSeconds: settings.shutdownGrace }, 'stopping: finishing uploads in flight');
    const cut = await server.shutdown(settings.shutdownGrace * 1000);
    if (cut > 0) logger.warn({ cut }, 'uploads still running after the grace period were aborted');
    if (webhooks) await drainWebhooks(webhooks, settings.shutdownGrace * 1000, logger);
    // Thumbnails still queued are left to `thumbnails --backfill` after the grace period.
    if (setup.thumbnails) await drained(setup.thumbnails.idle(), settings.shutdownGrace * 1000);
    await redis?.close();
    await adopting;
    await catalog.close();
    await tusLocks?.close();
    logger.info({}, 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
