/**
 * Internal: the CLI's upload journal, in the user's state directory (`$XDG_STATE_HOME/bytedrop/journal`, else
 * `~/.local/state/bytedrop/journal`). Each run writes to a directory of its own named `<pid>@<host>`, and sees only
 * its own entries and those of runs that are gone: two `bytedrop upload`s at once (two quick pastes in Typora) must
 * never abort each other's uploads at start, and a home directory shared between machines must not make one
 * machine's runs look dead to another.
 */
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { JournalEntry, UploadJournal } from '../../journal';
import { createFileJournal, defaultJournalDir } from '../file-journal';

/** The journal of one CLI run. */
export interface CliJournal extends UploadJournal {
  /** The state directory's journal folder, every run's directory in it. */
  readonly dir: string;
  /** Removes this run's directory and the directories of runs that are gone, once nothing is left in them. */
  tidy(): Promise<void>;
}

/** True while process `pid` exists (EPERM: it exists but belongs to another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * Opens the journal of this run under `defaultJournalDir(env)`. Entry ids are `<run>/<id>`, so `remove` finds the
 * run directory an entry lives in.
 *
 * @example
 * ```ts
 * const journal = openCliJournal(process.env);
 * const uploader = createUploader(config, { journal });
 * await uploader.store.recover?.(); // what dead runs left
 * await journal.tidy();
 * ```
 */
export function openCliJournal(env: Record<string, string | undefined>): CliJournal {
  const dir = defaultJournalDir(env);
  const host = hostname();
  const own = `${process.pid}@${host}`;
  const journals = new Map<string, UploadJournal>();
  const journalOf = (run: string): UploadJournal => {
    let journal = journals.get(run);
    if (!journal) {
      journal = createFileJournal(join(dir, run));
      journals.set(run, journal);
    }
    return journal;
  };

  /** Directories of runs on this host whose process is gone. */
  async function deadRuns(): Promise<string[]> {
    let names: string[];
    try {
      names = (await readdir(dir, { withFileTypes: true }))
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name);
    } catch {
      return [];
    }
    return names.filter((name) => {
      const match = /^(\d+)@(.+)$/.exec(name);
      return match !== null && match[2] === host && name !== own && !running(Number(match[1]));
    });
  }

  return {
    dir,
    async add(entry) {
      return `${own}/${await journalOf(own).add(entry)}`;
    },
    async update(id, entry) {
      const slash = id.indexOf('/');
      await journalOf(id.slice(0, slash)).update?.(id.slice(slash + 1), entry);
    },
    async remove(id) {
      const slash = id.indexOf('/');
      await journalOf(id.slice(0, slash)).remove(id.slice(slash + 1));
    },
    async entries() {
      const found: (JournalEntry & { id: string })[] = [];
      for (const run of [own, ...(await deadRuns())]) {
        for (const entry of await journalOf(run).entries())
          found.push({ ...entry, id: `${run}/${entry.id}` });
      }
      return found;
    },
    async claim(id) {
      const slash = id.indexOf('/');
      const run = id.slice(0, slash);
      const name = id.slice(slash + 1);
      if (run === own) return id;
      // A rename is atomic: of two runs that found the same dead run's entry, one moves it into its own directory and
      // the other finds it gone (and starts its own upload instead of racing this one to the same parts).
      await mkdir(join(dir, own), { recursive: true });
      try {
        await rename(join(dir, run, `${name}.json`), join(dir, own, `${name}.json`));
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') return undefined;
        throw error;
      }
      return `${own}/${name}`;
    },
    async tidy() {
      for (const run of await deadRuns()) {
        // Besides entries (`.json`) a dead run's directory may hold an entry it was killed writing (`.tmp`, renamed
        // into place only once whole): that one names nothing to clean up.
        const names = await readdir(join(dir, run)).catch(() => ['unreadable.json']);
        if (!names.some((name) => name.endsWith('.json'))) {
          await rm(join(dir, run), { recursive: true, force: true });
        }
      }
      // Only when empty: an entry left means an upload this run could not abort, for a later run to retry.
      await rmdir(join(dir, own)).catch(() => undefined);
    },
  };
}
