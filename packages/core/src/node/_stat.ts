/**
 * Internal: `stat` a user-given path with errors that name it. Shared by `uploadFile` and `bytedrop hash`.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { BytedropError } from '../errors';

/** Stats a regular file, or throws `ERR_INPUT` naming the path: not found, unreadable, or not a file. */
export async function statFile(path: string): Promise<Stats> {
  let stats: Stats;
  try {
    stats = await stat(path);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new BytedropError('ERR_INPUT', `file not found: '${path}': check the path`, { cause: error });
    }
    throw new BytedropError(
      'ERR_INPUT',
      `cannot read '${path}' (${String(code ?? error)}): check its permissions`,
      {
        cause: error,
      },
    );
  }
  if (!stats.isFile()) {
    throw new BytedropError('ERR_INPUT', `'${path}' is not a file: pass the path of a file, not a directory`);
  }
  return stats;
}
