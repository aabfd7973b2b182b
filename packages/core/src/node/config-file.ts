/**
 * JSON config files: reading one with errors that point at the broken spot, and finding the default one.
 */
import { access, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BytedropConfigInput } from '../config-input';
import { BytedropError } from '../errors';

/**
 * The file name looked for in the working directory when no `--config` is given.
 *
 * @example
 * ```ts
 * await writeFile(CONFIG_FILE_NAME, JSON.stringify({ bucket: 'notes' })); // picked up by loadConfig()
 * ```
 */
export const CONFIG_FILE_NAME = 'bytedrop.config.json';

/**
 * Reads a JSON config file. The result is unvalidated (pass it through `parseConfig`, or use `loadConfig`).
 * Missing file, unreadable file, malformed JSON (with line and column) and a non-object all fail with `ERR_CONFIG`
 * naming the path. A `$schema` key, for editor completion, is dropped.
 *
 * @example
 * ```ts
 * const fromFile = await loadConfigFile('./bytedrop.config.json');
 * const config = parseConfig({ ...fromFile, bucket: 'override' });
 * ```
 */
export async function loadConfigFile(path: string): Promise<Partial<BytedropConfigInput>> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const why =
      code === 'ENOENT'
        ? 'does not exist: check the path, or drop --config to use the environment'
        : `cannot be read (${String(code ?? error)}): check its permissions`;
    throw new BytedropError('ERR_CONFIG', `config file ${absolute} ${why}`, { cause: error });
  }
  let parsed: unknown;
  try {
    // A BOM is legal in files saved by Windows editors but not in JSON.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new BytedropError(
      'ERR_CONFIG',
      `config file ${absolute} is not valid JSON (${describeJsonError(error, text)}): fix it there`,
      { cause: error },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BytedropError(
      'ERR_CONFIG',
      `config file ${absolute} must hold a JSON object like {"bucket": "notes"}, not ${Array.isArray(parsed) ? 'an array' : String(parsed === null ? 'null' : typeof parsed)}`,
    );
  }
  const { $schema: _schema, ...config } = parsed as Record<string, unknown>;
  return config as Partial<BytedropConfigInput>;
}

/**
 * Where a config file is looked for when none is given: `./bytedrop.config.json`, then
 * `$XDG_CONFIG_HOME/bytedrop/config.json` (`~/.config/bytedrop/config.json`). Returns the first that exists.
 *
 * @example
 * ```ts
 * const file = await findConfigFile({ cwd: process.cwd(), env: process.env });
 * if (file) console.error(`using ${file}`);
 * ```
 */
export async function findConfigFile(
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  const candidates = [
    resolve(options.cwd ?? process.cwd(), CONFIG_FILE_NAME),
    join(configHome, 'bytedrop', 'config.json'),
  ];
  for (const candidate of candidates) {
    const exists = await access(candidate).then(
      () => true,
      () => false,
    );
    if (exists) return candidate;
  }
  return undefined;
}

/** `message (line L, column C)`, computing the position when the engine's message only gives an offset. */
function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  // Node 24's V8 already says where: '… at position 24 (line 3 column 3)'; one wording on every Node.
  const where = /\(line (\d+) column (\d+)\)/.exec(message);
  if (where) return message.replace(where[0], `(line ${where[1]}, column ${where[2]})`);
  if (/line \d+/i.test(message)) return message;
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position === undefined) {
    return text.trim() === '' ? 'the file is empty; write at least {}' : message;
  }
  const before = text.replace(/^\uFEFF/, '').slice(0, Number(position));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}
