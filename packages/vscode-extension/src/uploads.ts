/**
 * The background half of a paste, drop or command: uploads the local copies of journal entries under one
 * cancellable notification, each through core's `finishPendingUpload` (upload, verify, swap, close). Nothing is lost
 * on the way: the note links the local copy until the swap, a failed entry stays in the journal for Retry and the
 * next start, and a cancelled one stays local until Retry.
 */
import { posix } from 'node:path';
import {
  type BytedropError,
  type ErrorCode,
  FINAL_ERROR_CODES,
  finishPendingUpload,
  isBytedropError,
  type PendingHost,
  type PendingJournal,
  type PendingUpload,
  toBytedropError,
  type Uploader,
  type UploadProgress,
} from '@bytedrop/core';
import * as vscode from 'vscode';
import { contentOf } from './content';
import { relativePath } from './destination';
import type { Ledger } from './ledger';
import type { Secrets } from './secrets';
import { readSettings } from './settings';
import { runFix } from './setup';
import { swapIn } from './swap';
import { createTargetUploader } from './target';
import { word } from './wording';

/** Files uploaded at once; each large one is multipart with its own queue already. */
const CONCURRENCY = 3;
/** Files from this size get their own percentage in the notification. */
const LARGE_FILE_BYTES = 1024 * 1024;
export const RETRY = 'Retry upload';

/**
 * Failures that another try cannot fix: the entry is closed, the file stays local, Retry stays offered. Core's list,
 * and a cancel: the user pressed Cancel on the notification, so the next start does not upload it behind their back.
 */
const isFinal = (code: ErrorCode) => code === 'ERR_ABORTED' || FINAL_ERROR_CODES.has(code);

function templateVars(note: vscode.Uri): Record<string, string> {
  const base = posix.basename(note.path);
  return {
    doc: base.slice(0, base.length - posix.extname(base).length),
    workspace: vscode.workspace.getWorkspaceFolder(note)?.name ?? '',
  };
}

/** What `finishPendingUpload` asks of VS Code: read the copy, swap it in, delete it. */
function vscodeHost(storage: vscode.Uri): PendingHost {
  return {
    read: (entry) => contentOf(vscode.Uri.parse(entry.file), entry.contentType ?? ''),
    swap: swapIn,
    async removeLocal(entry) {
      const file = vscode.Uri.parse(entry.file);
      // A copy in the extension's storage sits in a folder of its own.
      const inStorage = file.path.startsWith(`${storage.path}/`);
      const target = inStorage ? vscode.Uri.joinPath(file, '..') : file;
      await vscode.workspace.fs.delete(target, { recursive: inStorage, useTrash: false });
    },
  };
}

/** Where the local copy of a failed entry is, in the user's terms. */
function whereKept(entry: PendingUpload, storage: vscode.Uri): string | undefined {
  const file = vscode.Uri.parse(entry.file);
  if (file.path.startsWith(`${storage.path}/`)) return undefined;
  return relativePath(vscode.Uri.parse(entry.note), file);
}

/**
 * Runs journal entries in the background.
 *
 * @example
 * ```ts
 * const runner = new UploadRunner(journal, secrets, ledger, storage);
 * await runner.run(entries); // swapped in, or kept local with a "Retry upload" message
 * ```
 */
export class UploadRunner {
  /** Entries being finished now: a Retry or a resume never runs one twice at once. */
  private readonly running = new Set<string>();
  /** One per batch in flight, so `stop` can cut them all off. */
  private readonly batches = new Set<AbortController>();
  /** Set by `stop`: what is cut off from here on stays open in the journal for the next start, unreported. */
  private stopping = false;
  private readonly settling = new Set<Promise<unknown>>();

  constructor(
    private readonly journal: PendingJournal,
    private readonly secrets: Secrets,
    private readonly ledger: Ledger,
    private readonly storage: vscode.Uri,
  ) {}

  /**
   * Finishes `entries` under one notification. Resolves when each is swapped in or has failed; the failure message
   * with "Retry upload" stays open independently.
   */
  async run(entries: PendingUpload[]): Promise<void> {
    const mine = entries.filter((entry) => !this.running.has(entry.id));
    if (mine.length === 0 || this.stopping) return;
    for (const entry of mine) this.running.add(entry.id);
    const batch = this.upload(mine);
    this.settling.add(batch);
    try {
      const failures = await batch;
      if (failures.length && !this.stopping) await this.report(failures);
    } finally {
      this.settling.delete(batch);
      for (const entry of mine) this.running.delete(entry.id);
    }
  }

  private async upload(entries: PendingUpload[]): Promise<{ entry: PendingUpload; error: BytedropError }[]> {
    const title =
      entries.length === 1
        ? `Bytedrop: uploading ${entries[0]?.name}`
        : `Bytedrop: uploading ${entries.length} files`;
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const failures: { entry: PendingUpload; error: BytedropError }[] = [];
        const controller = new AbortController();
        this.batches.add(controller);
        const cancel = token.onCancellationRequested(() => controller.abort());
        // One uploader per note's settings, built on first use; a broken setting fails each entry that needs it.
        const uploaders = new Map<string, Promise<Uploader>>();
        const uploaderFor = (note: vscode.Uri) => {
          const key = note.toString();
          if (!uploaders.has(key)) uploaders.set(key, createTargetUploader(note, this.secrets));
          return uploaders.get(key) as Promise<Uploader>;
        };
        const total = entries.reduce((sum, entry) => sum + Math.max(entry.size, 0), 0) || 1;
        let finished = 0;
        let next = 0;
        const worker = async () => {
          while (next < entries.length) {
            const entry = entries[next++] as PendingUpload;
            let loaded = 0;
            const onProgress = (update: UploadProgress) => {
              const size = update.total ?? entry.size;
              progress.report({
                increment: (100 * (update.loaded - loaded)) / total,
                ...(size >= LARGE_FILE_BYTES
                  ? { message: `${entry.name} ${Math.round((100 * update.loaded) / size)}%` }
                  : {}),
              });
              loaded = update.loaded;
            };
            try {
              const note = vscode.Uri.parse(entry.note);
              const uploader = await uploaderFor(note);
              const { uploaded } = await finishPendingUpload(
                this.journal,
                entry,
                uploader,
                vscodeHost(this.storage),
                {
                  signal: controller.signal,
                  onProgress,
                  vars: templateVars(note),
                },
              );
              await this.ledger.record(uploaded, entry);
            } catch (error) {
              failures.push({ entry, error: toBytedropError(error) });
            } finally {
              finished++;
              if (entries.length > 1) progress.report({ message: `${finished}/${entries.length} done` });
            }
          }
        };
        try {
          await Promise.all(Array.from({ length: Math.min(CONCURRENCY, entries.length) }, worker));
        } finally {
          cancel.dispose();
          this.batches.delete(controller);
        }
        return failures;
      },
    );
  }

  /**
   * Cuts off every upload in flight when the extension host shuts down (window reload, VS Code quitting): each
   * aborts its multipart upload, so no parts are left in the bucket, and its entry stays open in the journal for the
   * next start to resume. Without this, a reloaded window's old extension host can keep uploading for minutes.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const controller of this.batches) controller.abort();
    await Promise.allSettled(this.settling);
  }

  /** One message for the batch; "Retry upload" runs the failed entries again, reopened. */
  private async report(failures: { entry: PendingUpload; error: BytedropError }[]): Promise<void> {
    const entries = failures.map(({ entry }) => entry);
    const cancelled = failures.every(({ error }) => isBytedropError(error, 'ERR_ABORTED'));
    // What another try cannot fix leaves the journal; what it can stays, for Retry and the next start.
    for (const { entry, error } of failures) {
      if (isFinal(error.code)) await this.journal.close(entry.id);
    }
    const names = entries.map((entry) => entry.name).join(', ');
    const kept = entries
      .map((entry) => whereKept(entry, this.storage))
      .filter((where) => where !== undefined);
    const where = kept.length ? ` Kept in the workspace and linked from the note: ${kept.join(', ')}.` : '';
    const first = failures[0]?.error as BytedropError;
    const worded = word(first, readSettings(vscode.Uri.parse(entries[0]?.note as string)));
    const retriedAtStart = failures.some(({ error }) => !isFinal(error.code))
      ? ' Bytedrop tries again when VS Code starts.'
      : '';
    const shown = cancelled
      ? vscode.window.showWarningMessage(`Bytedrop: upload of ${names} cancelled.${where}`, RETRY)
      : vscode.window.showErrorMessage(
          `Bytedrop: could not upload ${names}: ${worded.message}.${where}${retriedAtStart}`,
          RETRY,
          ...worded.actions,
        );
    void Promise.resolve(shown).then(async (choice) => {
      if (choice !== RETRY) return runFix(choice);
      // Reopened: a cancelled or finally failed entry was closed.
      for (const entry of entries) await this.journal.update(entry);
      return this.run(entries);
    });
  }
}
