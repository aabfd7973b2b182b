/**
 * The upload journal on disk: one small JSON file per entry, written to a temporary name, flushed to disk and renamed
 * into place, so an entry is either whole or absent even if the process is killed (or the machine loses power)
 * mid-write. The CLI keeps it in the user's state
 * directory, the server in its data directory.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BytedropError } from '../errors';
import type { JournalEntry, UploadJournal } from '../journal';

/**
 * The CLI's default journal directory: `$XDG_STATE_HOME/bytedrop/journal`, else `~/.local/state/bytedrop/journal`
 * (the XDG Base Directory spec's place for state that should survive a restart).
 *
 * @example
 * ```ts
 * const journal = createFileJournal(defaultJournalDir());
 * ```
 */
export function defaultJournalDir(env: Record<string, string | undefined> = process.env): string {
  const state = env.XDG_STATE_HOME?.trim() || join(homedir(), '.local', 'state');
  return join(state, 'bytedrop', 'journal');
}

function isEntry(value: unknown): value is JournalEntry {
  const entry = value as Partial<JournalEntry> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.store === 'string' &&
    typeof entry.key === 'string' &&
    typeof entry.started === 'number' &&
    (entry.kind === 'temp' || (entry.kind === 'multipart' && typeof entry.uploadId === 'string'))
  );
}

/**
 * A journal whose entries are files in `dir` (created on first use).
 *
 * @example
 * ```ts
 * import { createUploader } from '@bytedrop/core';
 * import { createFileJournal } from '@bytedrop/core/node';
 *
 * const uploader = createUploader(config, { journal: createFileJournal('./data/journal') });
 * await uploader.store.recover?.(); // at start: abort what a killed run left
 * ```
 */
export function createFileJournal(dir: string): UploadJournal {
  let ready: Promise<unknown> | undefined;
  const ensure = () => {
    ready ??= mkdir(dir, { recursive: true }).catch((error: unknown) => {
      ready = undefined;
      throw new BytedropError(
        'ERR_CONFIG',
        `cannot create the upload journal in ${dir} (${(error as { code?: string }).code ?? String(error)}): make it writable, or point the journal elsewhere`,
        { cause: error },
      );
    });
    return ready;
  };
  /** Writes `<id>.json` whole or not at all: a flushed temporary file renamed over it. */
  async function write(id: string, entry: JournalEntry): Promise<void> {
    await ensure();
    const temp = join(dir, `.${id}.${randomUUID()}.tmp`);
    const file = await open(temp, 'w');
    try {
      await file.writeFile(JSON.stringify(entry));
      // A resumable upload trusts this entry after a power cut too, not only after a killed process; the others only
      // lead a recovery to leftovers, which the sweeps find anyway.
      if (entry.kind === 'multipart' && entry.resume !== undefined) await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, join(dir, `${id}.json`));
  }
  return {
    async add(entry) {
      const id = randomUUID();
      await write(id, entry);
      return id;
    },
    async update(id, entry) {
      await write(id, entry);
    },
    async remove(id) {
      await rm(join(dir, `${id}.json`), { force: true });
    },
    async entries() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return [];
      }
      const found: (JournalEntry & { id: string })[] = [];
      for (const name of names) {
        if (!name.endsWith('.json')) continue;
        try {
          const parsed: unknown = JSON.parse(await readFile(join(dir, name), 'utf8'));
          // A damaged entry cannot be acted on; it is left for a person to look at rather than guessed at.
          if (isEntry(parsed)) found.push({ ...parsed, id: name.slice(0, -5) });
        } catch {
          // Removed by a concurrent remove(), or unreadable: nothing to do with it here.
        }
      }
      return found;
    },
  };
}
