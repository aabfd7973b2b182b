/**
 * Paste and drop into Markdown. The provider answers without waiting for the network (VS Code cancels a slow paste
 * provider as soon as the user types): with the final link when core can name the object up front (S3 with a
 * content-addressed key), else with placeholder text. It starts the upload only when its edit is resolved, i.e.
 * about to be applied: a paste where the user picked another option uploads nothing.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { BYTEDROP_KIND, EDIT_TITLE } from './constants';
import { contentOf } from './content';
import { readSettings } from './settings';
import type { UploadFile, UploadJob, UploadRunner } from './uploads';

/**
 * Placeholder text for a file being uploaded: a Markdown image that previews as "Uploading name…" and carries a
 * random id, so several pastes of the same file are told apart when their links are patched in.
 *
 * @example
 * ```ts
 * placeholder('shot.png'); // '![Uploading shot.png…](bytedrop:upload/3f9c1a2e)'
 * ```
 */
export function placeholder(name: string): string {
  return `![Uploading ${name.replace(/[[\]\\\r\n]/g, '')}…](bytedrop:upload/${randomUUID().slice(0, 8)})`;
}

/** The files of a DataTransfer, read from it (never from the OS clipboard, which a remote host cannot see). */
async function readFiles(
  dataTransfer: vscode.DataTransfer,
  token: vscode.CancellationToken,
): Promise<UploadFile[]> {
  const entries: { mime: string; file: vscode.DataTransferFile }[] = [];
  const seen = new Set<vscode.DataTransferFile>();
  for (const [mime, item] of dataTransfer) {
    const file = item.asFile();
    if (!file || seen.has(file)) continue;
    seen.add(file);
    entries.push({ mime, file });
  }
  const files = await Promise.all(
    entries.map(async ({ mime, file }) => {
      const contentType = mime === 'files' || !mime.includes('/') ? '' : mime;
      const body = await contentOf(file.uri, () => file.data(), contentType);
      return { name: file.name || 'image.png', contentType, body };
    }),
  );
  return token.isCancellationRequested ? [] : files;
}

class BytedropPasteEdit extends vscode.DocumentPasteEdit {
  constructor(
    insertText: string,
    readonly jobs: UploadJob[],
  ) {
    super(insertText, EDIT_TITLE, BYTEDROP_KIND);
  }
}

class BytedropDropEdit extends vscode.DocumentDropEdit {
  constructor(
    insertText: string,
    readonly jobs: UploadJob[],
  ) {
    super(insertText, EDIT_TITLE, BYTEDROP_KIND);
  }
}

/**
 * The paste and drop provider for the languages in `bytedrop.languages`.
 *
 * @example
 * ```ts
 * const provider = new BytedropEditProvider(new UploadRunner(context.secrets));
 * vscode.languages.registerDocumentPasteEditProvider({ language: 'markdown' }, provider, {
 *   providedPasteEditKinds: [BYTEDROP_KIND], pasteMimeTypes: ['files', 'image/*'] });
 * ```
 */
export class BytedropEditProvider
  implements
    vscode.DocumentPasteEditProvider<BytedropPasteEdit>,
    vscode.DocumentDropEditProvider<BytedropDropEdit>
{
  constructor(private readonly runner: UploadRunner) {}

  async provideDocumentPasteEdits(
    document: vscode.TextDocument,
    _ranges: readonly vscode.Range[],
    dataTransfer: vscode.DataTransfer,
    context: vscode.DocumentPasteEditContext,
    token: vscode.CancellationToken,
  ): Promise<BytedropPasteEdit[] | undefined> {
    // "Paste as…" another kind (plain text, a workspace copy): not ours to answer.
    if (context.only && !context.only.contains(BYTEDROP_KIND)) return undefined;
    const prepared = await this.editFor(document, dataTransfer, token);
    return prepared && [new BytedropPasteEdit(prepared.text, prepared.jobs)];
  }

  resolveDocumentPasteEdit(edit: BytedropPasteEdit): BytedropPasteEdit {
    void this.runner.run(edit.jobs, { awaitInsert: true });
    return edit;
  }

  async provideDocumentDropEdits(
    document: vscode.TextDocument,
    _position: vscode.Position,
    dataTransfer: vscode.DataTransfer,
    token: vscode.CancellationToken,
  ): Promise<BytedropDropEdit[] | undefined> {
    const prepared = await this.editFor(document, dataTransfer, token);
    return prepared && [new BytedropDropEdit(prepared.text, prepared.jobs)];
  }

  resolveDocumentDropEdit(edit: BytedropDropEdit): BytedropDropEdit {
    void this.runner.run(edit.jobs, { awaitInsert: true });
    return edit;
  }

  private async editFor(
    document: vscode.TextDocument,
    dataTransfer: vscode.DataTransfer,
    token: vscode.CancellationToken,
  ): Promise<{ text: string; jobs: UploadJob[] } | undefined> {
    if (!readSettings(document.uri).languages.includes(document.languageId)) return undefined;
    const files = await readFiles(dataTransfer, token);
    if (files.length === 0) return undefined;
    const early = await this.runner.prepare(document.uri, files);
    if (token.isCancellationRequested) return undefined;
    const inDocument = document.getText();
    const jobs: UploadJob[] = [];
    for (const [index, file] of files.entries()) {
      const { prepared, link } = early[index] ?? {};
      // The link is found by its text after the upload. One that the document (or this paste) holds already,
      // like the same image pasted before, would be patched along with it on a failure; a placeholder is unique.
      const unique =
        link !== undefined && !inDocument.includes(link) && !jobs.some((job) => job.text === link);
      jobs.push({
        document: document.uri,
        ...file,
        text: unique ? link : placeholder(file.name),
        ...(prepared ? { prepared } : {}),
      });
    }
    return { text: jobs.map((job) => job.text).join(' '), jobs };
  }
}
