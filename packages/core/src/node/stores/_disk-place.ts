/**
 * Internal: where a key's file lives under the local store's root (never outside it), and how a finished write is
 * put there: a temporary file in the store's partial-writes folder, moved into place (a link for a create-only write,
 * which fails when the key exists), then its metadata. A failed move leaves nothing. The metadata is staged in the
 * same folder first, naming its key and file: a process killed between placing the file and its metadata leaves a
 * record that reads as the file's metadata (`_disk-meta.ts`) and that `finishCommit` puts in place later (the sweeps
 * call it), not an object without its type, ETag or owner.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { BytedropError, isBytedropError } from '../../errors';
import { diskError, errno } from './_disk-errors';
import { keyProblem, TMP_DIR } from './_disk-keys';
import { type DiskMeta, identityOf, type metaTree, readStaged, sameFile, statExact } from './_disk-meta';

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
    // The file is in place: a temp name left behind is only a partial write, which the sweeps remove.
    await rm(temp, { force: true }).catch(() => undefined);
  };

  /** Moves a finished temp file into place, then its metadata; a failed move leaves nothing. */
  const commit = async (key: string, temp: string, entry: DiskMeta, ifAbsent: boolean): Promise<void> => {
    const target = pathOf(key);
    const staged = meta.stagedPath(key);
    let placed = false;
    try {
      await mkdir(dirname(target), { recursive: true });
      await mkdir(dirname(meta.pathOf(key)), { recursive: true });
      await meta.stage(staged, { ...entry, key, file: identityOf(await stat(temp, { bigint: true })) });
      await place(temp, target, key, ifAbsent);
      placed = true;
      await meta.finish(staged, key);
    } catch (error) {
      // Once the file is placed, its staged record is its metadata: kept for reads and the next sweep, which may even
      // have put it in place already (a `bytedrop gc` on a directory a server shares), and then the write is done.
      if (placed && (await finished(key, target))) return;
      if (!placed) {
        await rm(staged, { force: true });
        await rm(temp, { force: true });
      }
      throw isBytedropError(error) ? error : diskError(error, 'write', target);
    }
  };

  /** Whether `key`'s record in the tree is the one written for the file at `target`. */
  const finished = async (key: string, target: string): Promise<boolean> => {
    const [placed, record] = await Promise.all([statExact(target), meta.read(key)]);
    return placed !== undefined && record?.file !== undefined && sameFile(record.file, identityOf(placed));
  };

  /**
   * Finishes the commit a staged record (a `.json` in the partial-writes folder) was left by: puts its metadata in
   * place when the file at its key is still the one it was staged with. Any other record (its file never placed, or
   * replaced or deleted since) is left for the caller to remove.
   */
  const finishCommit = async (staged: string): Promise<void> => {
    const record = await readStaged(staged);
    if (record === undefined || keyProblem(record.key) !== undefined) return;
    const placed = await statExact(pathOf(record.key));
    if (placed === undefined || !sameFile(identityOf(placed), record.file)) return;
    await mkdir(dirname(meta.pathOf(record.key)), { recursive: true });
    await meta.finish(staged, record.key);
  };

  return { pathOf, tempPath, commit, finishCommit };
}
