/**
 * From a paste, drop or picked file to a journal entry with a local copy, in two halves. The fast half runs inside
 * the paste or drop provider (VS Code drops a pending paste on the first key press): it decides where each copy goes
 * and writes the entries down, nothing more. The slow half runs after the edit has landed: it writes the copies from
 * the bytes VS Code hands over (requested before the provider returned) or from the file on disk, then uploads.
 */
import type { PendingJournal, PendingUpload } from '@bytedrop/core';
import * as vscode from 'vscode';
import { type IncomingFile, planCopy, writeCopy } from './local-copy';
import { waitForText } from './patch';
import { removeStandIn } from './swap';
import type { UploadRunner } from './uploads';

/** A paste or drop whose entries are written down and whose text is about to be inserted. */
export interface PlannedFiles {
  document: vscode.TextDocument;
  /** The text the edit inserts: each file's stand-in, space-separated. */
  text: string;
  items: { entry: PendingUpload; file: IncomingFile }[];
}

/**
 * The two halves of taking files in.
 *
 * @example
 * ```ts
 * const planned = await intake.plan(document, files); // inside provideDocumentPasteEdits
 * void intake.land(planned);                           // after it returned
 * return [new DocumentPasteEdit(planned.text, …)];
 * ```
 */
export class Intake {
  /** Copies promised to the workspace but not written yet, so two pastes a moment apart get two names. */
  private readonly reserved = new Set<string>();

  constructor(
    private readonly journal: PendingJournal,
    private readonly runner: UploadRunner,
    private readonly storage: vscode.Uri,
  ) {}

  /** The fast half: where each copy goes, and an entry written down for each (a few small writes). */
  async plan(document: vscode.TextDocument, files: IncomingFile[]): Promise<PlannedFiles> {
    const items: PlannedFiles['items'] = [];
    // One after the other: each name is reserved before the next is chosen.
    for (const file of files) {
      const fields = await planCopy(document, file, this.reserved, this.storage);
      items.push({ entry: await this.journal.add(fields), file });
    }
    return { document, text: items.map(({ entry }) => entry.text).join(' '), items };
  }

  /**
   * The slow half. Waits for the edit to land unless it is known to have (a command inserted it itself); an edit
   * that never lands (the user typed first, or picked another paste option) leaves no copy and no entry.
   */
  async land(planned: PlannedFiles, options: { inserted?: boolean } = {}): Promise<void> {
    const { document, items } = planned;
    try {
      if (!options.inserted && !(await waitForText(document.uri, planned.text))) {
        await this.abandon(planned);
        return;
      }
      const ready = await Promise.all(items.map((item) => this.save(item)));
      await this.runner.run(ready.filter((entry): entry is PendingUpload => entry !== undefined));
    } finally {
      for (const { entry } of items) this.reserved.delete(entry.file);
    }
  }

  /** Closes the entries of an edit that was not taken. */
  async abandon(planned: PlannedFiles): Promise<void> {
    for (const { entry } of planned.items) {
      this.reserved.delete(entry.file);
      await this.journal.close(entry.id);
    }
  }

  /** Writes one copy and records its size; a file whose bytes cannot be had is taken out of the note again. */
  private async save({ entry, file }: PlannedFiles['items'][number]): Promise<PendingUpload | undefined> {
    try {
      entry.size = await writeCopy(entry, file);
      await this.journal.update(entry);
      return entry;
    } catch (error) {
      await removeStandIn(entry);
      await this.journal.close(entry.id);
      void vscode.window.showErrorMessage(
        `Bytedrop: could not read ${entry.name} from the ${file.uri ? 'file' : 'paste'} (${(error as Error).message}), so its link was taken out again: paste or drop it once more.`,
      );
      return undefined;
    }
  }
}
