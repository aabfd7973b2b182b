/**
 * Internal: `stat` a user-given path with errors that name it. Shared by `uploadFile` and `bytedrop hash`.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { BytedropError } from '../errors';

/**
 * Stats a regular file, or throws `ERR_INPUT` naming it as `shown` (the path as the user typed it, before it was
 * resolved against their directory): not found, unreadable, or not a file.
 */
export async function statFile(path: string, shown = path): Promise<Stats> {
  let stats: Stats;
  try {
    stats = await stat(path);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new BytedropError('ERR_INPUT', `file not found: '${shown}': check the path`, { cause: error });
    }
    throw new BytedropError(
      'ERR_INPUT',
      `cannot read '${shown}' (${String(code ?? error)}): check its permissions`,
      {
        cause: error,
      },
    );
  }
  if (!stats.isFile()) {
    throw new BytedropError(
      'ERR_INPUT',
      `'${shown}' is not a file: pass the path of a file, not a directory`,
    );
  }
  return stats;
}
