/**
 * Local first, then upload, then swap: what an editor host (VS Code, Obsidian) keeps for a file pasted or dropped
 * into a note. The file is written somewhere durable and an entry is written down before any byte goes over the
 * network; the upload runs after, is verified against the object's recorded hash and size, and only then is the
 * note pointed at the upload and the entry closed. An entry still open at the next start is resumed from where it
 * stopped, so a crash or a reload never leaves a note pointing at nothing.
 *
 * Isomorphic: the host supplies where entries live (`PendingStorage`) and how to read the local copy and edit the
 * note (`PendingHost`); it holds no upload, hashing or verification logic of its own.
 */
import { randomId } from './_id';
import { BytedropError, isBytedropError } from './errors';
import type { BodyInput, ObjectStore, Uploader, UploadOptions, UploadResult } from './types';

/** What an upload left to remember: the result, and the server's delete URL when it gave one. */
export interface UploadedFile extends UploadResult {
  deleteUrl?: string;
}

/**
 * One file between its paste and its swap. Ids of notes and files are the host's own (a URI, a vault path).
 *
 * @example
 * ```ts
 * const entry: PendingUpload = { id: '3f2a…', note: 'file:///ws/post.md', file: 'file:///ws/shot.png', name: 'shot.png',
 *   size: 1024, text: '![shot.png](shot.png)', match: 'link', removeLocal: false, started: Date.now() };
 * ```
 */
export interface PendingUpload {
  readonly id: string;
  /** The note the file was pasted or dropped into. */
  note: string;
  /** The durable local copy the upload is read from. */
  file: string;
  /** Where the local copy was copied from, when that can be done again (a file dropped from disk). */
  source?: string;
  /** The file's name as the user knows it: the upload's filename. */
  name: string;
  /** The type the paste or drop declared, if any. */
  contentType?: string;
  /** The local copy's size once complete: a shorter copy was cut off (the app was killed while writing it). */
  size: number;
  /** The text inserted into the note for the file: a link to the local copy, or a placeholder. */
  text: string;
  /**
   * How the swap finds the file in the note: `link`, every link whose destination is the local copy (edits to its
   * text or title are kept); `text`, wherever `text` itself is.
   */
  match: 'link' | 'text';
  /** Delete the local copy once the note points at the upload. */
  removeLocal: boolean;
  /** Set once uploaded and verified: a resume then only swaps. */
  uploaded?: UploadedFile;
  /**
   * A resumable upload under way (a Bytedrop server's tus upload URL), written down before its first chunk: a resume
   * continues it from where the server stands instead of sending the local copy again.
   */
  resumeUrl?: string;
  /** When the entry was added (ms since the epoch). */
  started: number;
}

/** What a host gives to `PendingJournal.add`: the id and start time are the journal's. */
export type NewPendingUpload = Omit<PendingUpload, 'id' | 'started' | 'uploaded' | 'resumeUrl'>;

/**
 * Where a host keeps entries: a file per entry, a plugin's data folder, IndexedDB.
 *
 * @example
 * ```ts
 * const storage: PendingStorage = { write: (id, json) => fs.writeFile(`${dir}/${id}.json`, json), … };
 * ```
 */
export interface PendingStorage {
  /** Creates or replaces an entry. Must not resolve before the entry would survive the app being killed. */
  write(id: string, json: string): Promise<void>;
  delete(id: string): Promise<void>;
  /** Every stored entry. */
  list(): Promise<{ id: string; json: string }[]>;
}

/** An entry the journal could not read (a torn write, another version's format): left in storage, reported. */
export interface UnreadableEntry {
  id: string;
  reason: string;
}

/** The open entries of a host, over its `PendingStorage`. */
export interface PendingJournal {
  /** Writes a new entry down; resolves once it is durable. */
  add(entry: NewPendingUpload): Promise<PendingUpload>;
  update(entry: PendingUpload): Promise<void>;
  close(id: string): Promise<void>;
  /** Every open entry, oldest first, and those that could not be read. */
  open(): Promise<{ entries: PendingUpload[]; unreadable: UnreadableEntry[] }>;
}

const STRING_FIELDS = ['id', 'note', 'file', 'name', 'text'] as const;

/** Why `value` is not a `PendingUpload`, or undefined when it is one. */
function problemOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const entry = value as Record<string, unknown>;
  for (const field of STRING_FIELDS) {
    if (typeof entry[field] !== 'string' || entry[field] === '') return `'${field}' is missing`;
  }
  if (typeof entry.size !== 'number' || typeof entry.started !== 'number')
    return "'size' or 'started' is missing";
  if (entry.match !== 'link' && entry.match !== 'text') return `'match' is ${JSON.stringify(entry.match)}`;
  if (typeof entry.removeLocal !== 'boolean') return "'removeLocal' is missing";
  return undefined;
}

/**
 * A journal of pending uploads over a host's storage, one record per entry.
 *
 * @example
 * ```ts
 * const journal = createPendingJournal(storage);
 * const entry = await journal.add({ note, file, name: 'shot.png', size, text, match: 'link', removeLocal: false });
 * // …write the local copy, insert `text` into the note, then:
 * await finishPendingUpload(journal, entry, uploader, host);
 * ```
 */
export function createPendingJournal(storage: PendingStorage): PendingJournal {
  const save = (entry: PendingUpload) => storage.write(entry.id, JSON.stringify(entry));
  return {
    async add(fields) {
      const entry: PendingUpload = { ...fields, id: randomId(), started: Date.now() };
      await save(entry);
      return entry;
    },
    update: save,
    close: (id) => storage.delete(id),
    async open() {
      const entries: PendingUpload[] = [];
      const unreadable: UnreadableEntry[] = [];
      for (const { id, json } of await storage.list()) {
        let value: unknown;
        try {
          value = JSON.parse(json);
        } catch (error) {
          unreadable.push({ id, reason: `not JSON (${(error as Error).message})` });
          continue;
        }
        const problem = problemOf(value) ?? ((value as PendingUpload).id === id ? undefined : 'another id');
        if (problem) unreadable.push({ id, reason: problem });
        else entries.push(value as PendingUpload);
      }
      return { entries: entries.sort((a, b) => a.started - b.started), unreadable };
    },
  };
}

/** The parts of an uploader that can look at what it stored (`createUploader`'s; a server's cannot). */
interface InspectableUploader {
  store: Pick<ObjectStore, 'head'>;
  config: { hashAlgorithm: string };
}

function isInspectable(uploader: Uploader): uploader is Uploader & InspectableUploader {
  const candidate = uploader as Partial<InspectableUploader>;
  return typeof candidate.store?.head === 'function' && typeof candidate.config?.hashAlgorithm === 'string';
}

/**
 * Checks with a HEAD that the object of `result` is stored with the size and the full hash recorded at upload.
 * `ERR_NOT_FOUND` when it is gone, `ERR_CHECKSUM` when it holds other bytes. An uploader that cannot look at its
 * store (a Bytedrop server, which verifies its own writes) and credentials that may not HEAD pass unchecked.
 *
 * @example
 * ```ts
 * const result = await uploader.upload(file, { filename: 'shot.png' });
 * await verifyUpload(uploader, result); // throws unless the bucket holds exactly these bytes at result.key
 * ```
 */
export async function verifyUpload(
  uploader: Uploader,
  result: UploadResult,
  signal?: AbortSignal,
): Promise<void> {
  if (!isInspectable(uploader)) return;
  let found: Awaited<ReturnType<ObjectStore['head']>>;
  try {
    found = await uploader.store.head(result.key, signal);
  } catch (error) {
    if (isBytedropError(error, 'ERR_FORBIDDEN')) return;
    throw error;
  }
  if (found === undefined) {
    throw new BytedropError(
      'ERR_NOT_FOUND',
      `'${result.key}' is not in the bucket after its upload: upload the file again`,
    );
  }
  const expected = `${uploader.config.hashAlgorithm}:${result.hash}`;
  if (found.size !== result.size || found.meta?.hash !== expected) {
    throw new BytedropError(
      'ERR_CHECKSUM',
      `'${result.key}' holds ${found.size} bytes recorded as ${found.meta?.hash ?? 'no hash'}, not the ${result.size} bytes of ${expected} just uploaded: upload the file again`,
    );
  }
}

/** What a host does for `finishPendingUpload`: read the local copy, edit the note, delete the copy. */
export interface PendingHost {
  /** The local copy's content (a lazy Blob where the host can). */
  read(entry: PendingUpload): Promise<BodyInput>;
  /** Points the note at `uploaded` wherever it holds the file (see `match`); false when it holds it nowhere now. */
  swap(entry: PendingUpload, uploaded: UploadedFile): Promise<boolean>;
  removeLocal(entry: PendingUpload): Promise<void>;
}

/** Upload options a host may add (template variables, cancel, progress…); filename, type and size are the entry's. */
export type FinishOptions = Omit<UploadOptions, 'filename' | 'contentType' | 'size'>;

/** How an entry ended. */
export interface FinishedUpload {
  uploaded: UploadedFile;
  /** False when the note held the file nowhere (the user deleted or undid it): the local copy is then kept. */
  swapped: boolean;
  localRemoved: boolean;
}

/** The entry's upload: the recorded one when its object is still there as recorded, else a new, verified one. */
async function uploadOf(
  journal: PendingJournal,
  entry: PendingUpload,
  uploader: Uploader,
  host: PendingHost,
  options: FinishOptions,
): Promise<UploadedFile> {
  if (entry.uploaded) {
    try {
      await verifyUpload(uploader, entry.uploaded, options.signal);
      return entry.uploaded;
    } catch (error) {
      if (!isBytedropError(error, 'ERR_NOT_FOUND') && !isBytedropError(error, 'ERR_CHECKSUM')) throw error;
    }
  }
  const result = await uploader.upload(await host.read(entry), {
    ...options,
    filename: entry.name,
    size: entry.size,
    ...(entry.contentType ? { contentType: entry.contentType } : {}),
    resumable: {
      ...(entry.resumeUrl === undefined ? {} : { url: entry.resumeUrl }),
      async save(url) {
        entry.resumeUrl = url;
        await journal.update(entry);
      },
    },
  });
  // The upload may have proved its object already (a create-only write the provider enforced, or a reuse compared by
  // HEAD): a HEAD now would say the same. A recorded upload resumed above is always checked, since time has passed.
  if (!result.verified) await verifyUpload(uploader, result, options.signal);
  // Written down before the swap: a crash in between resumes with the swap, never a second upload (which, under a
  // key with {uuid}, would store the file twice).
  entry.uploaded = result;
  delete entry.resumeUrl;
  await journal.update(entry);
  return result;
}

/**
 * Uploads an entry's local copy (or reuses its recorded upload), verifies it, swaps it into the note, deletes the
 * local copy when the entry says so and the swap found the file, and closes the entry. On any failure the entry
 * stays open for a retry or the next start. Call it for new entries and, at start, for every `journal.open()` entry.
 *
 * @example
 * ```ts
 * const { entries } = await journal.open();
 * for (const entry of entries) await finishPendingUpload(journal, entry, uploader, host, { vars: { doc: 'post' } });
 * ```
 */
export async function finishPendingUpload(
  journal: PendingJournal,
  entry: PendingUpload,
  uploader: Uploader,
  host: PendingHost,
  options: FinishOptions = {},
): Promise<FinishedUpload> {
  const uploaded = await uploadOf(journal, entry, uploader, host, options);
  const swapped = await host.swap(entry, uploaded);
  const localRemoved = swapped && entry.removeLocal;
  if (localRemoved) await host.removeLocal(entry);
  await journal.close(entry.id);
  return { uploaded, swapped, localRemoved };
}
