/**
 * The upload journal: what an upload has started that would outlive a crash (a multipart upload's parts, a temporary
 * object), written down before it exists and crossed out once it is gone. At the next start a store's `recover()`
 * aborts or deletes whatever a dead process left. Stores keep the journal themselves; hosts only choose where it
 * lives (`createFileJournal` in `@bytedrop/core/node`, or memory).
 */

/**
 * Where uploads stage what they cannot name yet (a one-shot stream longer than `multipartThreshold`, whose key
 * depends on its hash). Objects here live only for the length of one upload; sweeps remove older ones, and a lifecycle
 * rule expiring this prefix after a day (`bytedrop gc --lifecycle`) covers the rest.
 *
 * @example
 * ```ts
 * `${TEMP_KEY_PREFIX}${id}`; // '.bytedrop-tmp/3f2a…'
 * ```
 */
export const TEMP_KEY_PREFIX = '.bytedrop-tmp/';

/**
 * One thing in flight. `store` names the bucket or directory it belongs to (`ObjectStore.id`), so a journal shared
 * by several configurations is recovered store by store.
 *
 * @example
 * ```ts
 * const entry: JournalEntry = { kind: 'multipart', store: 's3:http://127.0.0.1:9000/notes', key: 'a.bin', uploadId: 'VXBs…', started: Date.now() };
 * ```
 */
export type JournalEntry =
  | {
      kind: 'multipart';
      store: string;
      key: string;
      uploadId: string;
      started: number;
      resume?: ResumeRecord;
    }
  | { kind: 'temp'; store: string; key: string; started: number };

/**
 * What a resumable multipart upload needs to be continued by a later run: which bytes it is of and how they were cut.
 * `parts` lists the part numbers the provider confirmed, as they finish (ListParts stays the authority).
 *
 * @example
 * ```ts
 * const record: ResumeRecord = { source: '/home/me/big.iso', version: '41943040:1717236000000', hash: '9f86…', size: 41943040, partSize: 5242880, parts: [1, 2] };
 * ```
 */
export interface ResumeRecord {
  source: string;
  version: string;
  hash: string;
  size: number;
  partSize: number;
  parts: number[];
}

/**
 * How long the journal keeps an interrupted upload for a resume: a day, as long as the lifecycle rule
 * `bytedrop gc --lifecycle` installs lets the bucket keep it. After that recovery aborts it.
 *
 * @example
 * ```ts
 * Date.now() - entry.started < RESUME_WINDOW; // still offered for a resume
 * ```
 */
export const RESUME_WINDOW = 24 * 3600_000;

/**
 * True while `entry` is an upload a later run intends to continue, so neither recovery nor gc may abort it.
 *
 * @example
 * ```ts
 * const kept = (await journal.entries()).filter((entry) => awaitsResume(entry));
 * ```
 */
export function awaitsResume(entry: JournalEntry, now = Date.now()): boolean {
  return entry.kind === 'multipart' && entry.resume !== undefined && now - entry.started < RESUME_WINDOW;
}

/**
 * Where journal entries live. `add` must not resolve before the entry would survive the process being killed.
 *
 * @example
 * ```ts
 * const id = await journal.add({ kind: 'temp', store: store.id, key: '.bytedrop-tmp/3f2a', started: Date.now() });
 * await journal.remove(id);
 * ```
 */
export interface UploadJournal {
  add(entry: JournalEntry): Promise<string>;
  /** Replaces an entry as a whole (a resumable upload's finished parts); like `add`, durable once resolved. */
  update?(id: string, entry: JournalEntry): Promise<void>;
  remove(id: string): Promise<void>;
  /** Every open entry, of every store. */
  entries(): Promise<(JournalEntry & { id: string })[]>;
  /**
   * Takes an entry that `entries()` listed from a writer that is gone (a CLI run that died) into this writer's
   * keeping, atomically: of two writers that claim one entry at once, one gets its new id, the other `undefined`
   * (and leaves the upload alone). Without `claim`, entries are this writer's already.
   */
  claim?(id: string): Promise<string | undefined>;
}

/**
 * A journal in memory: entries survive a failed abort within this process, not the process itself. The default
 * where a host gives none (browsers, Obsidian mobile); a crash there is covered by the bucket's lifecycle rule.
 *
 * @example
 * ```ts
 * const store = createS3Store(config, { journal: createMemoryJournal() });
 * ```
 */
export function createMemoryJournal(): UploadJournal {
  const open = new Map<string, JournalEntry>();
  let next = 0;
  return {
    async add(entry) {
      const id = String(++next);
      open.set(id, entry);
      return id;
    },
    async update(id, entry) {
      if (open.has(id)) open.set(id, entry);
    },
    async remove(id) {
      open.delete(id);
    },
    async entries() {
      return [...open].map(([id, entry]) => ({ ...entry, id }));
    },
  };
}
