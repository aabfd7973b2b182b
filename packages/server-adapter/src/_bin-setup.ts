/**
 * What every `bytedrop-server` command reads first: the settings (config file, then the environment), the access
 * keys and the delete-link secret, generated into the data directory on the first start.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BytedropError, type ImageConversion } from '@bytedrop/core';
import { conversionFromEnv, loadConfigFile, loadConfigLayers } from '@bytedrop/core/node';
import { thumbnailsFromEnv } from './_thumbnail-settings';
import { type AccessKey, parseKeysFile } from './auth';
import { type ServerSettings, serverEnvFromConfig, serverSettingsFromEnv } from './settings';
import type { Thumbnails } from './thumbnails';

/** The settings and storage config of one run, and the data directory. */
export interface Setup {
  settings: ServerSettings;
  /** The storage config (core's config input, from the file and the environment). */
  input: Awaited<ReturnType<typeof loadConfigLayers>>['input'];
  dataDir: string;
  /** Image conversion (`BYTEDROP_CONVERT`, …), when it is on. */
  convert?: ImageConversion;
  /** WebP thumbnails next to images (`BYTEDROP_THUMBNAILS`), unless turned off. */
  thumbnails?: Thumbnails;
}

/** Reads `--config` (or BYTEDROP_CONFIG), the environment and `--port`, in that order of precedence, lowest first. */
export async function loadSetup(values: { config?: string; port?: string }): Promise<Setup> {
  const configFile = values.config ?? process.env.BYTEDROP_CONFIG;
  const fileEnv = configFile ? serverEnvFromConfig(await loadConfigFile(configFile), configFile) : {};
  const env = { ...fileEnv, ...process.env, ...(values.port ? { PORT: values.port } : {}) };
  const { input } = await loadConfigLayers({ env, ...(configFile ? { file: configFile } : {}) });
  const settings = serverSettingsFromEnv(env, input);
  const convert = conversionFromEnv(env);
  const thumbnails = thumbnailsFromEnv(env);
  return {
    settings,
    input,
    dataDir: resolve(settings.dataDir),
    ...(convert ? { convert } : {}),
    ...(thumbnails ? { thumbnails } : {}),
  };
}

export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The access keys and where they come from; `unused` is a generated key no request has used yet (printed at start). */
export interface Keys {
  keys: AccessKey[];
  source: string;
  /** The generated key while no request has proven it: printed on every start until then. */
  unused?: string;
  /** Call once the generated key was used: it stops being printed. */
  markUsed(): Promise<void>;
}

/** Marks a generated key no request has used yet; removed by the first request that proves it. */
const UNUSED_MARK = 'keys.json.unused';

/** Where the keys come from: AUTH_KEY, KEYS_FILE or `<data>/keys.json`; `file` is undefined for AUTH_KEY. */
export function keysFileOf(setup: Setup): string | undefined {
  if (setup.settings.authKey) return undefined;
  return setup.settings.keysFile ? resolve(setup.settings.keysFile) : join(setup.dataDir, 'keys.json');
}

/** Reads the access keys without generating any (`keys show`); undefined when there are none yet. */
export async function readKeys(setup: Setup): Promise<Omit<Keys, 'markUsed'> | undefined> {
  const { settings, dataDir } = setup;
  if (settings.authKey) return { keys: [{ name: 'default', key: settings.authKey }], source: 'AUTH_KEY' };
  const file = keysFileOf(setup)!;
  const text = await readIfExists(file);
  if (text === undefined) {
    if (settings.keysFile)
      throw new BytedropError('ERR_CONFIG', `KEYS_FILE ${file} does not exist: create it or unset KEYS_FILE`);
    return undefined;
  }
  const keys = parseKeysFile(text, file);
  const generated = !settings.keysFile && (await readIfExists(join(dataDir, UNUSED_MARK))) !== undefined;
  return { keys, source: file, ...(generated && keys[0] ? { unused: keys[0].key } : {}) };
}

/** The access keys, generating one into the data directory when none is configured. */
export async function accessKeys(setup: Setup): Promise<Keys> {
  const mark = join(setup.dataDir, UNUSED_MARK);
  let used = false;
  const markUsed = async () => {
    if (used) return;
    used = true;
    await rm(mark, { force: true });
  };
  const existing = await readKeys(setup);
  if (existing) return { ...existing, markUsed: existing.unused ? markUsed : async () => undefined };
  const file = keysFileOf(setup)!;
  const key = randomBytes(24).toString('base64url');
  // The mark first: a start killed between the two writes prints the key again rather than never.
  await writeFile(mark, '', { mode: 0o600 });
  await writeFile(file, `${JSON.stringify({ keys: [{ name: 'default', key }] }, null, 2)}\n`, {
    mode: 0o600,
  });
  return { keys: [{ name: 'default', key }], source: file, unused: key, markUsed };
}

/** The delete-link secret: BYTEDROP_SECRET, or `<data>/secret`, generated there on the first start. */
export async function deleteSecret(setup: Setup, generate = true): Promise<string | undefined> {
  if (setup.settings.secret) return setup.settings.secret;
  const file = join(setup.dataDir, 'secret');
  const existing = (await readIfExists(file))?.trim();
  if (existing || !generate) return existing || undefined;
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
