/**
 * From a paste, drop or picked file to a journal entry with a local copy, in two halves. The fast half runs inside
 * the paste or drop provider (VS Code drops a pending paste on the first key press): it only decides where each
 * copy goes and what text stands for it. VS Code itself writes the copy of a pasted file, from the paste's own data,
 * as part of applying the edit (its additional edit), so no byte crosses to the extension first. The slow half runs
 * once the edit has landed: it waits for that copy (or copies a file from disk), writes the journal entry, and
 * uploads.
 */
import type { NewPendingUpload, PendingJournal, PendingUpload } from '@bytedrop/core';
import * as vscode from 'vscode';
import { type IncomingFile, planCopy, writeCopy } from './local-copy';
import { waitForText } from './patch';
import { removeStandIn } from './swap';
import type { UploadRunner } from './uploads';

/** How long VS Code may take to write a pasted file's copy after the text landed (a large file to a remote disk). */
const COPY_TIMEOUT_MS = 120_000;

async function exists(uri: vscode.Uri): Promise<boolean> {
  return Promise.resolve(vscode.workspace.fs.stat(uri)).then(
    () => true,
    () => false,
  );
}

/** A paste or drop planned, whose text is about to be inserted. */
export interface PlannedFiles {
  document: vscode.TextDocument;
  /** The text the edit inserts: each file's stand-in, space-separated. */
  text: string;
  /** Files VS Code writes as it applies the edit (`additionalEdit`); undefined when there is none. */
  edit: vscode.WorkspaceEdit | undefined;
  items: { fields: NewPendingUpload; file: IncomingFile; created?: Promise<boolean> }[];
}

/**
 * The two halves of taking files in.
 *
 * @example
 * ```ts
 * const planned = await intake.plan(document, files); // inside provideDocumentPasteEdits
 * void intake.land(planned);                           // after it returned
 * edit.additionalEdit = planned.edit;
 * ```
 */
export class Intake implements vscode.Disposable {
  /** Copies promised to the workspace but not written yet, so two pastes a moment apart get two names. */
  private readonly reserved = new Set<string>();
  /** Copies VS Code is to write, by URI: resolved when it has. */
  private readonly awaited = new Map<string, (created: boolean) => void>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly journal: PendingJournal,
    private readonly runner: UploadRunner,
    private readonly storage: vscode.Uri,
  ) {
    this.subscription = vscode.workspace.onDidCreateFiles(({ files }) => {
      for (const uri of files) this.awaited.get(uri.toString())?.(true);
    });
  }

  /** The fast half: where each copy goes and the text standing for it; no write, no read. */
  async plan(document: vscode.TextDocument, files: IncomingFile[]): Promise<PlannedFiles> {
    let edit: vscode.WorkspaceEdit | undefined;
    const items: PlannedFiles['items'] = [];
    // One after the other: each name is reserved before the next is chosen.
    for (const file of files) {
      const fields = await planCopy(document, file, this.reserved, this.storage);
      if (!file.transfer) {
        items.push({ fields, file });
        continue;
      }
      const target = vscode.Uri.parse(fields.file);
      edit ??= new vscode.WorkspaceEdit();
      // The name was chosen free (or the user chose to overwrite).
      edit.createFile(target, { contents: file.transfer, overwrite: true });
      items.push({ fields, file, created: this.created(target) });
    }
    return { document, text: items.map(({ fields }) => fields.text).join(' '), edit, items };
  }

  /** Settles true once VS Code has written `uri`, false after COPY_TIMEOUT_MS. */
  private created(uri: vscode.Uri): Promise<boolean> {
    return new Promise((resolve) => {
      const key = uri.toString();
      const done = (created: boolean) => {
        clearTimeout(timer);
        this.awaited.delete(key);
        resolve(created);
      };
      const timer = setTimeout(() => done(false), COPY_TIMEOUT_MS);
      this.awaited.set(key, done);
    });
  }

  /**
   * The slow half. Waits for the edit to land unless it is known to have (a command inserted it itself); an edit
   * that never lands (the user typed first, or picked another paste option) leaves no copy and no entry.
   */
  async land(planned: PlannedFiles, options: { inserted?: boolean } = {}): Promise<void> {
    try {
      if (!options.inserted && !(await waitForText(planned.document.uri, planned.text))) {
        this.abandon(planned);
        return;
      }
      const entries = await Promise.all(planned.items.map((item) => this.save(item)));
      await this.runner.run(entries.filter((entry): entry is PendingUpload => entry !== undefined));
    } finally {
      this.abandon(planned);
    }
  }

  /** Forgets the names and copies an edit promised (it was not taken, or it is done). */
  abandon(planned: PlannedFiles): void {
    for (const { fields } of planned.items) {
      this.reserved.delete(fields.file);
      this.awaited.get(fields.file)?.(false);
    }
  }

  /** The copy made whole and measured, then the entry written down; a copy that never came is taken out again. */
  private async save({
    fields,
    file,
    created,
  }: PlannedFiles['items'][number]): Promise<PendingUpload | undefined> {
    try {
      if (created && !(await created) && !(await exists(vscode.Uri.parse(fields.file))))
        throw new Error('VS Code did not write the copy');
      return await this.journal.add({ ...fields, size: await writeCopy(fields) });
    } catch (error) {
      await removeStandIn(fields);
      void vscode.window.showErrorMessage(
        `Bytedrop: could not save ${fields.name} from the ${file.uri ? 'file' : 'paste'} (${(error as Error).message}), so its link was taken out again: paste or drop it once more.`,
      );
      return undefined;
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
