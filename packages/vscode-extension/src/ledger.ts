/**
 * What Bytedrop uploaded from this machine, by URL: the key, the delete URL a Bytedrop server gave, and the local copy
 * kept in the workspace. "Delete remote" needs the delete URL (a server's files can be deleted with it only) and puts
 * the local copy back in place of the link; "Bring files back" relinks a kept copy instead of downloading it.
 */
import type { PendingUpload, UploadedFile } from '@bytedrop/core';
import type * as vscode from 'vscode';

/** One upload, as remembered. */
export interface LedgerRecord {
  url: string;
  key: string;
  size: number;
  /** A Bytedrop server's delete URL (a capability for this one file). */
  deleteUrl?: string;
  /** The local copy in the workspace, when it was kept. */
  local?: string;
}

const STATE_KEY = 'bytedrop.uploads';

/**
 * The uploads remembered in the extension's global state (a local database that is not synced).
 *
 * @example
 * ```ts
 * const ledger = new Ledger(context.globalState);
 * ledger.find('https://cdn.example.com/2026/11/22/shot-1a2b.png')?.deleteUrl;
 * ```
 */
export class Ledger {
  constructor(private readonly state: vscode.Memento) {}

  private all(): Record<string, LedgerRecord> {
    return this.state.get<Record<string, LedgerRecord>>(STATE_KEY) ?? {};
  }

  /** Remembers an upload and the copy it came from, unless that copy is to be removed. */
  async record(uploaded: UploadedFile, entry: PendingUpload): Promise<void> {
    const record: LedgerRecord = {
      url: uploaded.url,
      key: uploaded.key,
      size: uploaded.size,
      ...(uploaded.deleteUrl ? { deleteUrl: uploaded.deleteUrl } : {}),
      ...(entry.removeLocal || entry.match === 'text' ? {} : { local: entry.file }),
    };
    await this.state.update(STATE_KEY, { ...this.all(), [uploaded.url]: record });
  }

  find(url: string): LedgerRecord | undefined {
    return this.all()[url];
  }

  async forget(url: string): Promise<void> {
    const { [url]: _gone, ...rest } = this.all();
    await this.state.update(STATE_KEY, rest);
  }

  /** Files now served from another base URL ("Change link base URL") are remembered under their new URLs. */
  async rebase(from: string, to: string): Promise<void> {
    const moved = Object.values(this.all()).map((record) =>
      record.url.startsWith(from) ? { ...record, url: `${to}${record.url.slice(from.length)}` } : record,
    );
    await this.state.update(STATE_KEY, Object.fromEntries(moved.map((record) => [record.url, record])));
  }
}
