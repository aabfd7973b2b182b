/**
 * Internal: where a key's file lives under the local store's root (never outside it), and how a finished write is
 * put there: a temporary file in the store's partial-writes folder, moved into place (a link for a create-only write,
 * which fails when the key exists), then its metadata. A failed move leaves nothing. The metadata is staged beside
 * the file first, naming its key and file: a process killed between placing the file and its metadata leaves what
 * `finishCommit` needs to put the metadata in place later (the sweeps call it), not an object without its type,
 * ETag or owner.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { BytedropError, isBytedropError } from '../../errors';
import { diskError, errno } from './_disk-errors';
import { keyProblem, TMP_DIR } from './_disk-keys';
import { type DiskMeta, identityOf, type metaTree, sameFile } from './_disk-meta';

/** `pathOf`, `tempPath`, `commit` and `finishCommit` of the store at `root`. */
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
    const staged = `${temp}.json`;
    try {
      await mkdir(dirname(target), { recursive: true });
      await mkdir(dirname(meta.pathOf(key)), { recursive: true });
      await meta.stage(staged, { ...entry, key, file: identityOf(await stat(temp, { bigint: true })) });
      await place(temp, target, key, ifAbsent);
      await meta.finish(staged, key);
    } catch (error) {
      // The staged record first: left alone beside no temp file, it would read as a commit to finish.
      await rm(staged, { force: true });
      await rm(temp, { force: true });
      throw isBytedropError(error) ? error : diskError(error, 'write', target);
    }
  };

  /**
   * Finishes the commit a staged record (a `.json` in the partial-writes folder) was left by: puts its metadata in
   * place when the file at its key is still the one it was staged with. Answers whether it did; any other record
   * (its file never placed, or replaced or deleted since) is left for the caller to remove.
   */
  const finishCommit = async (staged: string): Promise<boolean> => {
    const record = await meta.readStaged(staged);
    if (record === undefined || keyProblem(record.key) !== undefined) return false;
    const placed = await stat(pathOf(record.key), { bigint: true }).catch(() => undefined);
    if (placed === undefined || !sameFile(identityOf(placed), record.file)) return false;
    await mkdir(dirname(meta.pathOf(record.key)), { recursive: true });
    await meta.finish(staged, record.key);
    return true;
  };

  return { pathOf, tempPath, commit, finishCommit };
}
