/**
 * What Bytedrop uploaded from this vault, by URL: the key, the delete URL a Bytedrop server gave (the only way to
 * delete a server's file), and the local copy kept in the vault. "Delete remote file" and "Bring files back" read
 * it; a link it does not know is still handled when it is under the bucket's public base URL.
 */
import type { UploadResult } from '@bytedrop/core';
import type { PluginFolder } from './plugin-folder';

/** One upload, as remembered. */
export interface UploadRecord {
  url: string;
  key: string;
  filename: string;
  size: number;
  /** Hex digest of the configured algorithm, when the target reported one. */
  hash?: string;
  /** A Bytedrop server's delete URL: a capability for this one file. */
  deleteUrl?: string;
  /** The vault path of the local copy, when one was kept. */
  local?: string;
}

const FILE = 'uploads.json';
const DAMAGED = 'uploads.damaged.json';

/** The record for an upload result (a server's result carries its `deleteUrl`). */
export function recordOf(result: UploadResult & { deleteUrl?: string }, local?: string): UploadRecord {
  return {
    url: result.url,
    key: result.key,
    filename: result.filename,
    size: result.size,
    ...(result.hash ? { hash: result.hash } : {}),
    ...(result.deleteUrl ? { deleteUrl: result.deleteUrl } : {}),
    ...(local ? { local } : {}),
  };
}

export class UploadLedger {
  readonly #folder: PluginFolder;
  #records: Promise<Map<string, UploadRecord>> | undefined;
  // Writes one at a time, each of the whole ledger as it is then: two uploads finishing together lose nothing.
  #writing: Promise<void> = Promise.resolve();

  constructor(folder: PluginFolder) {
    this.#folder = folder;
  }

  find(url: string): Promise<UploadRecord | undefined> {
    return this.#load().then((records) => records.get(url));
  }

  record(record: UploadRecord): Promise<void> {
    return this.#change((records) => records.set(record.url, record));
  }

  forget(url: string): Promise<void> {
    return this.#change((records) => records.delete(url));
  }

  /** Re-keys records whose URL changed (`old → new`), as "Change link base URL" rewrites links. */
  move(urls: ReadonlyMap<string, string>): Promise<void> {
    return this.#change((records) => {
      for (const [from, to] of urls) {
        const record = records.get(from);
        if (record === undefined) continue;
        records.delete(from);
        records.set(to, { ...record, url: to });
      }
    });
  }

  #load(): Promise<Map<string, UploadRecord>> {
    this.#records ??= this.#folder.read(FILE).then(async (text) => {
      let list: UploadRecord[] = [];
      try {
        const parsed: unknown = text === undefined ? [] : JSON.parse(text);
        if (!Array.isArray(parsed)) throw new TypeError('not a list');
        list = parsed as UploadRecord[];
      } catch {
        // A damaged file (a hand edit, a sync conflict) is kept aside rather than overwritten by the next record.
        await this.#folder.write(DAMAGED, text ?? '');
      }
      return new Map(list.map((record) => [record.url, record]));
    });
    return this.#records;
  }

  #change(edit: (records: Map<string, UploadRecord>) => unknown): Promise<void> {
    const next = this.#writing.then(async () => {
      const records = await this.#load();
      edit(records);
      await this.#folder.write(FILE, JSON.stringify([...records.values()]));
    });
    // A failed write must not stop the next one; the caller still sees its own failure.
    this.#writing = next.catch(() => undefined);
    return next;
  }
}
