/**
 * "Bytedrop: Upload local images in this document": every link to a local file (inline, reference definitions,
 * `<img src>`; images, PDFs…, not other notes; never inside code) is uploaded and pointed at the public URL, its text
 * and title kept. Links whose file is missing or is a folder are left as they are, and the user is told which.
 */
import { posix } from 'node:path';
import type { PendingJournal, PendingUpload } from '@bytedrop/core';
import * as vscode from 'vscode';
import { linksOf, resolveLink } from '../document-links';
import type { UploadRunner } from '../uploads';
import { activeEditor } from './editor';

/** Targets that are documents, not assets: linking to another note must stay a link to the note. */
const DOCUMENT_EXTENSIONS = new Set(['.md', '.markdown', '.mdx', '.txt']);

/** Why a linked file is not uploaded, or undefined when it is a file. */
async function skipReason(target: vscode.Uri): Promise<string | undefined> {
  try {
    const stat = await vscode.workspace.fs.stat(target);
    return stat.type === vscode.FileType.File ? undefined : 'a folder';
  } catch {
    return 'no such file';
  }
}

/**
 * Runs the command.
 *
 * @example
 * ```ts
 * vscode.commands.registerCommand('bytedrop.uploadLocalFiles', () => uploadLocalFiles(journal, runner));
 * ```
 */
export async function uploadLocalFiles(journal: PendingJournal, runner: UploadRunner): Promise<void> {
  const editor = activeEditor();
  if (!editor) return;
  const document = editor.document;
  const targets = new Map<string, { target: vscode.Uri; path: string }>();
  for (const link of linksOf(document.getText())) {
    if (!link.local || DOCUMENT_EXTENSIONS.has(posix.extname(link.path).toLowerCase())) continue;
    const target = resolveLink(document.uri, link.path);
    if (target && !targets.has(target.toString()))
      targets.set(target.toString(), { target, path: link.path });
  }
  const entries: PendingUpload[] = [];
  const skipped: string[] = [];
  for (const { target, path } of targets.values()) {
    const reason = await skipReason(target);
    if (reason) {
      skipped.push(`${path} (${reason})`);
      continue;
    }
    entries.push(
      await journal.add({
        note: document.uri.toString(),
        file: target.toString(),
        // The user's own file: uploaded from where it is, never removed.
        source: target.toString(),
        name: posix.basename(target.path),
        size: (await vscode.workspace.fs.stat(target)).size,
        text: path,
        match: 'link',
        removeLocal: false,
      }),
    );
  }
  const skippedNote = skipped.length ? ` Left as they are: ${skipped.join(', ')}.` : '';
  if (entries.length === 0) {
    void vscode.window.showInformationMessage(
      `Bytedrop: this document links no local images or files to upload.${skippedNote}`,
    );
    return;
  }
  if (skipped.length)
    void vscode.window.showWarningMessage(
      `Bytedrop: uploading ${entries.length} linked files.${skippedNote}`,
    );
  await runner.run(entries);
}
