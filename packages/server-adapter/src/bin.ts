/**
 * `bytedrop-server`: the self-hosted endpoint, configured by environment (ByteGo's names work) or `--config <file>`.
 * Without S3 settings it stores files on local disk under BYTEDROP_DATA_DIR and serves them from `/f/`.
 * When no access key is configured it generates one, saves it next to the data and prints it once.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type BytedropUploader, createUploader, isBytedropError } from '@bytedrop/core';
import {
  createFileJournal,
  createLocalDiskStore,
  loadConfigFile,
  loadConfigLayers,
} from '@bytedrop/core/node';
import { recoverLeftovers, SERVER_TEMP_PREFIX, startSweeps } from './_housekeeping';
import { type AccessKey, parseKeysFile } from './auth';
import { createMemoryBans } from './bans';
import type { HandlerOptions } from './handler';
import { createLogger } from './logger';
import { serve } from './node';
import { createRedisBans, type RedisBans } from './redis-bans';
import { type ServerSettings, serverEnvFromConfig, serverSettingsFromEnv } from './settings';

const HELP = `bytedrop-server: self-hosted upload endpoint and page

Usage: bytedrop-server [--config bytedrop.config.json] [--port 8000]

The config file holds the storage settings (as for the bytedrop CLI) and, optionally, a "server" object with
any of the variables below, e.g. {"bucket": "shots", "server": {"AUTH_KEY": "…", "MAX_FILE_SIZE_MB": 20}}.
The environment wins over the file. Without --config, ./bytedrop.config.json and ~/.config/bytedrop/config.json
are read for storage settings when they exist.

Environment (ByteGo names work as they are):
  PORT, HOST                      where to listen (default 8000, all interfaces)
  AUTH_KEY | KEYS_FILE            one access key, or a JSON keys file [{"name","key","prefix"}]
  S3_ENDPOINT S3_BUCKET S3_ACCESS_KEY S3_SECRET_KEY S3_REGION S3_ACL PUBLIC_DOMAIN   S3 storage
  BYTEDROP_DATA_DIR               local storage and generated key/secret (default ./data)
  MAX_FILE_SIZE_MB, MAX_FILES, ALLOWED_TYPES      limits (100, 10, all types)
  TRUST_PROXY                     hop count or proxy addresses whose X-Forwarded-For is believed
  REDIS_URL                       share bans between instances
  REDIS_TIMEOUT_MS                longest Redis command before keyed requests get 503 (1000)
  BAN_MAX_FAILURES, BAN_SECONDS   wrong keys before a ban, and its length (3, 3600)
  CORS_ORIGINS                    other web pages that may send keys, e.g. https://notes.example.com
  BYTEDROP_SECRET                 delete-link secret, at least 32 characters (default: generated)
  LOG_LEVEL, LOG_TO_FILE, LOG_DIR JSON logs on stdout, and rotated files
  IDLE_TIMEOUT_S                  client silence allowed while its body is read (60)
  HEADERS_TIMEOUT_S, REQUEST_TIMEOUT_S   time to send the headers, and the whole request (30, 900)
  STORAGE_TIMEOUT_S               storage silence before an upload is aborted with 504 (120)
  SHUTDOWN_GRACE_S                on SIGTERM/SIGINT, time for uploads in flight to finish (8)
  SWEEP_INTERVAL_S                how often to remove what dead uploads left in storage (3600)
  SWEEP_AFTER_S                   how old such a leftover must be (3600; at least REQUEST_TIMEOUT_S + STORAGE_TIMEOUT_S)
  BYTEDROP_SERVER_URL             the public URL of this server, when behind a proxy
`;

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The access keys, and the key itself when this start generated it (to print once). */
async function accessKeys(
  settings: ServerSettings,
  dataDir: string,
): Promise<{ keys: AccessKey[]; generated?: string; source: string }> {
  if (settings.authKey) return { keys: [{ name: 'default', key: settings.authKey }], source: 'AUTH_KEY' };
  const file = settings.keysFile ? resolve(settings.keysFile) : join(dataDir, 'keys.json');
  const text = await readIfExists(file);
  if (text !== undefined) return { keys: parseKeysFile(text, file), source: file };
  if (settings.keysFile) throw new Error(`KEYS_FILE ${file} does not exist: create it or unset KEYS_FILE`);
  const key = randomBytes(24).toString('base64url');
  await writeFile(file, `${JSON.stringify({ keys: [{ name: 'default', key }] }, null, 2)}\n`, {
    mode: 0o600,
  });
  return { keys: [{ name: 'default', key }], generated: key, source: file };
}

async function deleteSecret(settings: ServerSettings, dataDir: string): Promise<string> {
  if (settings.secret) return settings.secret;
  const file = join(dataDir, 'secret');
  const existing = (await readIfExists(file))?.trim();
  if (existing) return existing;
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const configFile = values.config ?? process.env.BYTEDROP_CONFIG;
  const fileEnv = configFile ? serverEnvFromConfig(await loadConfigFile(configFile), configFile) : {};
  const env = { ...fileEnv, ...process.env, ...(values.port ? { PORT: values.port } : {}) };
  const { input } = await loadConfigLayers({ env, ...(configFile ? { file: configFile } : {}) });
  const settings = serverSettingsFromEnv(env, input);
  const logger = await createLogger({
    level: settings.logLevel,
    toFile: settings.logToFile,
    dir: settings.logDir,
  });
  const dataDir = resolve(settings.dataDir);
  await mkdir(dataDir, { recursive: true });

  const useS3 = input.bucket !== undefined || input.endpoint !== undefined;
  const serverUrl = settings.serverUrl ?? `http://localhost:${settings.port}`;
  // What uploads have in flight (multipart upload ids, temporary keys), so a killed run's leftovers are found.
  const journal = createFileJournal(join(dataDir, 'journal'));

  let storage: Pick<HandlerOptions, 'files'> & { uploader: BytedropUploader };
  let where: string;
  if (useS3) {
    storage = {
      uploader: createUploader(
        { ...input, maxFileSize: settings.maxFileSize },
        { journal, tempPrefix: SERVER_TEMP_PREFIX },
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
        { store, tempPrefix: SERVER_TEMP_PREFIX },
      ),
      files: store,
    };
    where = `local disk at ${dir} (served from /f/)`;
  }
  const { store } = storage.uploader;
  // Before any request: recovery aborts every journaled upload of this store, which must all be a dead run's.
  await recoverLeftovers(store, logger);

  const { keys, generated, source } = await accessKeys(settings, dataDir);
  const secret = await deleteSecret(settings, dataDir);
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

  const server = await serve({
    ...storage,
    keys,
    secret,
    port: settings.port,
    ...(settings.host ? { hostname: settings.host } : {}),
    maxFileSize: settings.maxFileSize,
    maxFiles: settings.maxFiles,
    ...(settings.allowedTypes ? { allowedTypes: settings.allowedTypes } : {}),
    ...(settings.trustProxy ? { trustProxy: settings.trustProxy } : {}),
    ...(settings.serverUrl ? { serverUrl: settings.serverUrl } : {}),
    bans: redis ?? createMemoryBans({ maxFailures: settings.maxFailures, banSeconds: settings.banSeconds }),
    logger,
    requestTimeout: settings.requestTimeout * 1000,
    headersTimeout: settings.headersTimeout * 1000,
    idleTimeout: settings.idleTimeout * 1000,
    storageTimeoutMs: settings.storageTimeout * 1000,
    corsOrigins: settings.corsOrigins,
  });

  const sweeps = startSweeps({
    store,
    prefix: SERVER_TEMP_PREFIX,
    intervalMs: settings.sweepInterval * 1000,
    olderThanMs: settings.sweepAfter * 1000,
    logger,
  });

  const url = settings.serverUrl ?? `http://localhost:${server.port}`;
  logger.info(
    { port: server.port, storage: where, keys: keys.length, keySource: source },
    'bytedrop-server started',
  );
  // Plain lines on stderr for the person at the terminal; the key is printed here once and never logged.
  const lines = [``, `  Bytedrop is running: ${url}`, `  Storage: ${where}`];
  if (generated) {
    lines.push(`  Access key (generated, saved to ${source}): ${generated}`);
  } else {
    lines.push(`  Access keys: ${keys.length} from ${source}`);
  }
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
    await redis?.close();
    logger.info({}, 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = isBytedropError(error)
    ? `${error.code}: ${error.message}`
    : String((error as Error)?.stack ?? error);
  process.stderr.write(`bytedrop-server: ${message}\n`);
  process.exit(1);
});
