/**
 * `bytedrop-server keys add|list|revoke|rotate`: managed keys in the catalog the server uses (the SQLite file in
 * the data directory, or DATABASE_URL), so a running server sees a change at its next request. The keys of the keys
 * file or AUTH_KEY are listed as the server last mirrored them, and changed by editing the file; this command never
 * mirrors them itself, since its environment may not be the server's.
 */
import { parseArgs } from 'node:util';
import { BytedropError } from '@bytedrop/core';
import { openCatalog } from './_bin-catalog';
import { loadSetup } from './_bin-setup';
import { addKey, type KeyView, revokeKey, rotateKey, viewKey } from './_key-actions';
import { parseNewKey } from './_key-params';

const FLAGS: Record<string, string> = {
  name: '--name',
  prefix: '--prefix',
  scopes: '--scopes',
  quotaBytes: '--quota-bytes',
  quotaFiles: '--quota-files',
  uploadsPerHour: '--per-hour',
  uploadsPerDay: '--per-day',
  expires: '--expires',
};

const USAGE = `bytedrop-server keys add <name> [--prefix alice/] [--scopes upload,delete-own,list-own,admin]
                      [--quota-bytes 5GB] [--quota-files 1000] [--per-hour 100] [--per-day 1000] [--expires 30d|2027-01-31]
bytedrop-server keys list [--json]
bytedrop-server keys revoke <name>
bytedrop-server keys rotate <name>
bytedrop-server keys show            (the keys file's or the generated key, as before)`;

const OPTIONS = {
  config: { type: 'string' },
  name: { type: 'string' },
  prefix: { type: 'string' },
  scopes: { type: 'string' },
  'quota-bytes': { type: 'string' },
  'quota-files': { type: 'string' },
  'per-hour': { type: 'string' },
  'per-day': { type: 'string' },
  expires: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (error) {
    throw new BytedropError('ERR_INPUT', `${(error as Error).message}\n${USAGE}`);
  }
}

const limit = (value: number | null, unit = '') => (value === null ? '-' : `${value}${unit}`);

/** One line per key: what an operator scans for. */
function row(key: KeyView): string {
  return [
    key.name,
    key.status,
    key.source,
    key.scopes.join(','),
    key.prefix ?? '-',
    `${limit(key.quota.bytes, 'B')}/${limit(key.quota.files, ' files')}`,
    `${limit(key.rates.perHour)}/h ${limit(key.rates.perDay)}/d`,
    key.expiresAt ?? '-',
  ].join('\t');
}

/** Runs `bytedrop-server keys …` (`argv` after `keys`). */
export async function keysCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const [action, named, ...extra] = positionals;
  const name = named ?? values.name;
  const wantsName = action === 'add' || action === 'revoke' || action === 'rotate';
  if (!wantsName && action !== 'list') {
    throw new BytedropError('ERR_INPUT', `unknown keys command '${action ?? ''}': use one of\n${USAGE}`);
  }
  if (extra.length > 0 || (wantsName && !name)) {
    throw new BytedropError(
      'ERR_INPUT',
      `keys ${action} takes one key name: ${USAGE.split('\n')
        .find((l) => l.includes(`keys ${action}`))
        ?.trim()}`,
    );
  }
  if (action !== 'add') {
    const flag = Object.keys(OPTIONS).find(
      (option) =>
        !['config', 'json', 'name', 'help'].includes(option) &&
        values[option as keyof typeof values] !== undefined,
    );
    if (flag)
      throw new BytedropError(
        'ERR_INPUT',
        `--${flag} is for keys add only: keys ${action} ${action === 'list' ? '[--json]' : '<name>'}`,
      );
  }
  // Checked before the catalog is opened: a typo costs no database connection.
  const settings =
    action === 'add'
      ? parseNewKey(
          Object.fromEntries(
            Object.entries({
              name,
              prefix: values.prefix,
              scopes: values.scopes?.split(',').map((scope) => scope.trim()),
              quotaBytes: values['quota-bytes'],
              quotaFiles: values['quota-files'],
              uploadsPerHour: values['per-hour'],
              uploadsPerDay: values['per-day'],
              expires: values.expires,
            }).filter(([, value]) => value !== undefined),
          ),
          new Date(),
          (field) => FLAGS[field] ?? field,
        )
      : undefined;
  const setup = await loadSetup(values.config === undefined ? {} : { config: values.config });
  const { catalog, where } = await openCatalog(setup);
  try {
    if (settings) {
      const made = await addKey(catalog, settings);
      process.stderr.write(
        `Added access key '${made.key.name}' to the catalog (${where}), scopes ${made.key.scopes.join(', ')}.\nIts secret, shown this once (only its SHA-256 is kept):\n`,
      );
      process.stdout.write(`${made.secret}\n`);
    } else if (action === 'list') {
      const keys = (await catalog.accessKeys.list()).map((record) => viewKey(record));
      if (values.json) process.stdout.write(`${JSON.stringify(keys, null, 2)}\n`);
      else {
        process.stdout.write('NAME\tSTATUS\tSOURCE\tSCOPES\tPREFIX\tQUOTA\tRATES\tEXPIRES\n');
        for (const key of keys) process.stdout.write(`${row(key)}\n`);
      }
    } else if (action === 'revoke') {
      const key = await revokeKey(catalog, name!);
      process.stderr.write(
        `Access key '${key.name}' is revoked (since ${key.revokedAt}): it is answered 401 from now on.\n`,
      );
    } else {
      const made = await rotateKey(catalog, name!);
      process.stderr.write(
        `Access key '${made.key.name}' has a new secret; the old one no longer works. Shown this once:\n`,
      );
      process.stdout.write(`${made.secret}\n`);
    }
  } finally {
    await catalog.close();
  }
}
