/**
 * Internal: where a key's file lives under the local store's root (never outside it), and how a finished write is
 * put there: a temporary file in the store's partial-writes folder, moved into place (a link for a create-only write,
 * which fails when the key exists), then its metadata. A failed move leaves nothing.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { BytedropError, isBytedropError } from '../../errors';
import { diskError, errno } from './_disk-errors';
import { keyProblem, TMP_DIR } from './_disk-keys';
import type { DiskMeta, metaTree } from './_disk-meta';

/** `pathOf`, `tempPath` and `commit` of the store at `root`. */
export function diskPlacer(root: string, meta: ReturnType<typeof metaTree>) {
  const pathOf = (key: string): string => {
    const problem = keyProblem(key);
    if (problem !== undefined) throw new BytedropError('ERR_INPUT', `key '${key}' ${problem}`);
    const target = resolve(root, ...key.split('/'));
    // Defence in depth: core renders safe keys, but this store also serves files, so never leave `root`.
    const rel = relative(root, target);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new BytedropError(
        'ERR_INPUT',
        `key '${key}' resolves outside ${root}: use a relative key without '..'`,
      );
    }
    return target;
  };

  const tempPath = async (): Promise<string> => {
    const dir = join(root, TMP_DIR);
    await mkdir(dir, { recursive: true });
    return join(dir, randomUUID());
  };

  /** Puts the finished temp file at `key`: a link for a create-only write (fails if the key exists), else a rename. */
  const place = async (temp: string, target: string, key: string, ifAbsent: boolean): Promise<void> => {
    if (!ifAbsent) return rename(temp, target);
    try {
      await link(temp, target);
    } catch (error) {
      if (errno(error) === 'EEXIST') {
        throw new BytedropError('ERR_CONFLICT', `an object already exists at '${key}' and was not replaced`);
      }
      throw error;
    }
    await rm(temp, { force: true });
  };

  /** Moves a finished temp file into place, then its metadata; a failed move leaves nothing. */
  const commit = async (key: string, temp: string, entry: DiskMeta, ifAbsent: boolean): Promise<void> => {
    const target = pathOf(key);
    try {
      await mkdir(dirname(target), { recursive: true });
      await mkdir(dirname(meta.pathOf(key)), { recursive: true });
      await place(temp, target, key, ifAbsent);
      await meta.write(key, entry, `${temp}.json`);
    } catch (error) {
      await rm(temp, { force: true });
      await rm(`${temp}.json`, { force: true });
      throw isBytedropError(error) ? error : diskError(error, 'write', target);
    }
  };

  return { pathOf, tempPath, commit };
}
