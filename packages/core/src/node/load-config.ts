/**
 * The Node way to get a config: defaults ← JSON file ← environment ← code, validated once by `parseConfig`.
 */
import { type BytedropConfig, parseConfig } from '../config';
import { configFromEnv } from '../config-env';
import type { BytedropConfigInput } from '../config-input';
import { findConfigFile, loadConfigFile } from './config-file';

/** Options of `loadConfig` and `loadConfigLayers`. */
export interface LoadConfigOptions {
  /** A JSON config file; must exist when given. Without it the default locations are tried (see `findConfigFile`). */
  file?: string;
  /** Environment to read `BYTEDROP_*` / ByteGo variables from; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Values from code (CLI flags, host settings); they win over file and env. */
  overrides?: Partial<BytedropConfigInput>;
  /** Directory the default `./bytedrop.config.json` is looked for in; defaults to `process.cwd()`. */
  cwd?: string;
}

/** The merged, not yet validated config, and the file it came from (if any). */
export interface ConfigLayers {
  input: Partial<BytedropConfigInput>;
  file?: string;
}

/**
 * Merges file ← env ← overrides without validating, so a caller can inspect what the user set
 * (the CLI uses it to fall back to local disk when nothing about S3 is set). Unset and empty values never
 * clobber values from a lower layer.
 *
 * @example
 * ```ts
 * const { input, file } = await loadConfigLayers({ env: process.env });
 * if (input.endpoint === undefined && input.bucket === undefined) console.error('no S3 configured');
 * ```
 */
export async function loadConfigLayers(options: LoadConfigOptions = {}): Promise<ConfigLayers> {
  const env = options.env ?? process.env;
  const file = options.file ?? (await findConfigFile({ env, ...(options.cwd ? { cwd: options.cwd } : {}) }));
  const loaded: Partial<BytedropConfigInput> & { server?: unknown } =
    file === undefined ? {} : await loadConfigFile(file);
  // The file's "server" section is bytedrop-server's own (`serverEnvFromConfig`); the rest is storage settings.
  const { server: _server, ...fromFile } = loaded;
  const input = merge(fromFile, configFromEnv(env), options.overrides ?? {});
  return file === undefined ? { input } : { input, file };
}

/**
 * Loads the config for Node hosts: schema defaults ← JSON file ← environment (`BYTEDROP_*` and ByteGo's
 * `S3_ENDPOINT`, `S3_ACCESS_KEY`, `S3_SECRET_KEY`, `S3_BUCKET`, `PUBLIC_DOMAIN`, …) ← overrides, then `parseConfig`.
 * Throws one `ERR_CONFIG` naming every bad field and its fix.
 *
 * @example
 * ```ts
 * const config = await loadConfig({ file: './bytedrop.config.json', overrides: { hashAlgorithm: 'md5' } });
 * const uploader = createUploader(config);
 * ```
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<BytedropConfig> {
  const { input } = await loadConfigLayers(options);
  return parseConfig(input);
}

function merge(...layers: Partial<BytedropConfigInput>[]): Partial<BytedropConfigInput> {
  const result: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [field, value] of Object.entries(layer)) {
      if (value !== undefined && value !== null && value !== '') result[field] = value;
    }
  }
  return result as Partial<BytedropConfigInput>;
}
