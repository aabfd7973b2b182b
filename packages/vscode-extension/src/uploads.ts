/**
 * The background half of a paste, drop or command: uploads under a cancellable progress notification, then swaps
 * the placeholder (or local link) for the uploaded link — or, when the paste already inserted the final link (a
 * prepared, content-addressed upload), leaves it be. Nothing is lost: a file that could not be uploaded is written
 * into the workspace where VS Code's own paste would put it, linked from there, and a "Retry upload" action uploads
 * it again later.
 */
import { posix } from 'node:path';
import {
  type BytedropError,
  canPrepare,
  formatLink,
  isBytedropError,
  type LinkSource,
  type PreparedUpload,
  SNIFF_BYTES,
  sniffContentType,
  toBytedropError,
  type Uploader,
  type UploadOptions,
  type UploadProgress,
} from '@bytedrop/core';
import * as vscode from 'vscode';
import { fallbackDestination, relativePath } from './destination';
import { replaceText, waitForText } from './patch';
import { readSettings } from './settings';
import { createTargetUploader } from './target';

/**
 * A file's name, declared type and content, as a paste, drop or picker hands it over. The content is bytes, or a
 * lazy Blob over a file on disk (a dropped file the extension host can read): then nothing is held in memory.
 */
export interface UploadFile {
  /** The file's name as the user knows it (`image.png` for a screenshot). */
  name: string;
  /** The type the clipboard or drop declared; may be empty. */
  contentType: string;
  body: Uint8Array | Blob;
}

/** One file to upload and the text that stands for it in a document. */
export interface UploadJob extends UploadFile {
  document: vscode.Uri;
  /**
   * The text in the document that the link replaces: a placeholder, the final link itself (a prepared upload), or
   * the relative link after a failure.
   */
  text: string;
  /** The upload as named at paste time (key and URL fixed); sent as is instead of being hashed again. */
  prepared?: PreparedUpload;
  /** The file's copy in the workspace, once there is one (saved by the fallback, or already there). */
  local?: vscode.Uri;
  /** Turns the uploaded URL into the replacement text; by default `bytedrop.linkFormat` over the upload result. */
  link?: (url: string) => string;
}

function sizeOf(file: UploadFile): number {
  return ArrayBuffer.isView(file.body) ? file.body.byteLength : file.body.size;
}

/** The content as bytes (the first `length` only, when given): read from disk for a file-backed Blob. */
async function bytesOf(file: UploadFile, length?: number): Promise<Uint8Array> {
  const { body } = file;
  if (ArrayBuffer.isView(body)) return length === undefined ? body : body.subarray(0, length);
  return new Uint8Array(await (length === undefined ? body : body.slice(0, length)).arrayBuffer());
}

/** Files above this size get their own percentage in the notification. */
const LARGE_FILE_BYTES = 1024 * 1024;
/** Files uploaded at once; each large one is multipart with its own queue already. */
const CONCURRENCY = 3;

const RETRY = 'Retry upload';
const OPEN_SETTINGS = 'Open settings';

function templateVars(document: vscode.Uri): Record<string, string> {
  const base = posix.basename(document.path);
  return {
    doc: base.slice(0, base.length - posix.extname(base).length),
    workspace: vscode.workspace.getWorkspaceFolder(document)?.name ?? '',
  };
}

/** What core needs besides the bytes, the same whether the upload is prepared at paste time or sent later. */
function uploadOptions(document: vscode.Uri, file: UploadFile): UploadOptions {
  return {
    filename: file.name,
    ...(file.contentType ? { contentType: file.contentType } : {}),
    size: sizeOf(file),
    vars: templateVars(document),
  };
}

/** The link text `bytedrop.linkFormat` makes of an upload (or of a local copy). */
function linkOf(document: vscode.Uri, source: LinkSource): string {
  const settings = readSettings(document);
  return formatLink(source, settings.linkFormat, { template: settings.linkTemplate });
}

async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function names(jobs: readonly UploadJob[]): string {
  return jobs.map((job) => job.name).join(', ');
}

/**
 * Runs upload jobs in the background and keeps every file, uploaded or saved locally.
 *
 * @example
 * ```ts
 * const runner = new UploadRunner(context.secrets);
 * await runner.run(jobs); // links patched in, or files saved and linked locally with a "Retry upload" message
 * ```
 */
export class UploadRunner {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /**
   * Names the uploads of pasted or dropped files before they run, when the target can (S3: core hashes and renders
   * the key, no request; a server picks its own keys). `link` is the final link, given only when it is safe to
   * insert before the upload finishes: the key is content-addressed, so the URL serves these bytes or nothing, where
   * a key like `{name}.{ext}` may still serve an older file until the upload replaces it.
   * Undefined for a file when the target cannot prepare or preparing failed (settings, secret, size): its upload
   * then fails the same way and reports it, with the file kept in the workspace.
   *
   * @example
   * ```ts
   * const [early] = await runner.prepare(document.uri, [{ name: 'shot.png', contentType: 'image/png', body: bytes }]);
   * const text = early?.link ?? placeholder('shot.png');
   * ```
   */
  async prepare(
    document: vscode.Uri,
    files: readonly UploadFile[],
  ): Promise<({ prepared: PreparedUpload; link?: string } | undefined)[]> {
    const uploader = await createTargetUploader(document, this.secrets).catch(() => undefined);
    return Promise.all(
      files.map(async (file) => {
        if (!uploader || !canPrepare(uploader)) return undefined;
        const prepared = await uploader
          .prepare(file.body, uploadOptions(document, file))
          .catch(() => undefined);
        if (!prepared) return undefined;
        return prepared.contentAddressed ? { prepared, link: linkOf(document, prepared) } : { prepared };
      }),
    );
  }

  /**
   * Uploads `jobs` (all of one document) under a cancellable notification and patches the document.
   * With `awaitInsert`, first waits for each job's text to appear (a paste edit lands after its provider answered);
   * jobs whose text never appears are dropped, so a cancelled paste uploads nothing.
   * Resolves when every job is uploaded or saved; the error message with "Retry upload" stays open independently.
   *
   * @example
   * ```ts
   * void runner.run([{ document: doc.uri, name: 'shot.png', contentType: 'image/png', body: bytes, text: placeholder }], { awaitInsert: true });
   * ```
   */
  async run(jobs: UploadJob[], options: { awaitInsert?: boolean } = {}): Promise<void> {
    const inserted = options.awaitInsert
      ? (
          await Promise.all(
            jobs.map(async (job) => ((await waitForText(job.document, job.text)) ? job : undefined)),
          )
        ).filter((job): job is UploadJob => job !== undefined)
      : jobs;
    if (inserted.length === 0) return;
    const failures = await this.upload(inserted);
    if (failures.length === 0) return;
    const unsaved: string[] = [];
    for (const { job } of failures) {
      // A retry starts afresh from the settings and secrets of then (the user may just have fixed them).
      delete job.prepared;
      try {
        await this.keepLocally(job);
      } catch (error) {
        // E.g. an untitled note outside any folder: the content stays for Retry, the text stays put.
        unsaved.push(`${job.name} (${toBytedropError(error).message})`);
      }
    }
    this.report(failures, unsaved);
  }

  private async upload(jobs: UploadJob[]): Promise<{ job: UploadJob; error: BytedropError }[]> {
    const title =
      jobs.length === 1 ? `Bytedrop: uploading ${jobs[0]?.name}` : `Bytedrop: uploading ${jobs.length} files`;
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const failures: { job: UploadJob; error: BytedropError }[] = [];
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => controller.abort());
        // Built on first use: prepared jobs carry their own. A broken setting then fails each job that needs it.
        let uploader: Promise<Uploader> | undefined;
        const target = () => {
          uploader ??= createTargetUploader((jobs[0] as UploadJob).document, this.secrets);
          return uploader;
        };
        const total = jobs.reduce((sum, job) => sum + sizeOf(job), 0) || 1;
        let finished = 0;
        await eachLimited(jobs, CONCURRENCY, async (job) => {
          let loaded = 0;
          try {
            const sending = {
              signal: controller.signal,
              onProgress: (update: UploadProgress) => {
                const delta = update.loaded - loaded;
                loaded = update.loaded;
                const percent = Math.round((100 * update.loaded) / (update.total ?? sizeOf(job)));
                progress.report({
                  increment: (100 * delta) / total,
                  ...(sizeOf(job) >= LARGE_FILE_BYTES ? { message: `${job.name} ${percent}%` } : {}),
                });
              },
            };
            const result = job.prepared
              ? await job.prepared.upload(sending)
              : await (await target()).upload(job.body, {
                  ...uploadOptions(job.document, job),
                  ...sending,
                });
            const link = job.link ? job.link(result.url) : linkOf(job.document, result);
            // A paste that inserted the final link has nothing left to patch.
            if (link !== job.text) await replaceText(job.document, job.text, link);
          } catch (error) {
            failures.push({ job, error: toBytedropError(error) });
          } finally {
            finished++;
            if (jobs.length > 1) progress.report({ message: `${finished}/${jobs.length} done` });
          }
        });
        cancel.dispose();
        return failures;
      },
    );
  }

  /**
   * Writes the file where VS Code's paste would have (unless it is in the workspace already) and points the
   * placeholder, or the final link a prepared paste inserted, at it. A link the user wrote (`job.link`) already
   * points at the local file and stays.
   */
  private async keepLocally(job: UploadJob): Promise<void> {
    if (!job.local) {
      const target = await fallbackDestination(job.document, job.name);
      await vscode.workspace.fs.writeFile(target, await bytesOf(job));
      job.local = target;
    }
    if (job.link) return;
    const contentType =
      job.contentType || (await sniffContentType(await bytesOf(job, SNIFF_BYTES), job.name)).contentType;
    const link = linkOf(job.document, {
      url: relativePath(job.document, job.local),
      key: '',
      size: sizeOf(job),
      contentType,
      filename: job.name,
    });
    if (link === job.text) return;
    await replaceText(job.document, job.text, link);
    job.text = link;
  }

  /** One message for the batch; "Retry upload" runs the failed jobs again from their workspace copies. */
  private report(failures: { job: UploadJob; error: BytedropError }[], unsaved: string[]): void {
    const jobs = failures.map(({ job }) => job);
    const saved = jobs
      .filter((job) => job.local)
      .map((job) => relativePath(job.document, job.local as vscode.Uri));
    const where =
      (saved.length ? ` Kept in the workspace: ${saved.join(', ')}.` : '') +
      (unsaved.length ? ` Could not save ${unsaved.join(', ')} either: keep this message to retry.` : '');
    const cancelled = failures.every(({ error }) => isBytedropError(error, 'ERR_ABORTED'));
    const first = failures[0]?.error as BytedropError;
    const actions = first.code === 'ERR_CONFIG' ? [RETRY, OPEN_SETTINGS] : [RETRY];
    const shown = cancelled
      ? vscode.window.showWarningMessage(`Bytedrop: upload of ${names(jobs)} cancelled.${where}`, ...actions)
      : vscode.window.showErrorMessage(
          `Bytedrop: could not upload ${names(jobs)}: ${first.message.replace(/\.$/, '')}.${where}`,
          ...actions,
        );
    void Promise.resolve(shown).then((choice) => {
      if (choice === RETRY) return this.run(jobs);
      if (choice === OPEN_SETTINGS)
        return vscode.commands.executeCommand('workbench.action.openSettings', 'bytedrop');
      return undefined;
    });
  }
}
