/**
 * "Bytedrop: Upload files…": pick files, put a link to each at the cursor, upload them in the background. The same
 * local-first path as a paste: in a Markdown document the link points at the file in the workspace until the upload
 * replaces it. In any other language (a `.ts` file) no Markdown is written: a placeholder token stands in and the
 * bare URL replaces it.
 */
import { posix } from 'node:path';
import * as vscode from 'vscode';
import type { Intake } from '../intake';
import { activeEditor } from './editor';

/**
 * Runs the command.
 *
 * @example
 * ```ts
 * vscode.commands.registerCommand('bytedrop.uploadFiles', () => uploadFiles(intake));
 * ```
 */
export async function uploadFiles(intake: Intake): Promise<void> {
  const editor = activeEditor();
  if (!editor) return;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: true,
    canSelectFiles: true,
    canSelectFolders: false,
    openLabel: 'Upload',
    title: 'Bytedrop: files to upload',
  });
  if (!picked?.length) return;
  const planned = await intake.plan(
    editor.document,
    picked.map((uri) => ({ name: posix.basename(uri.path), contentType: '', uri })),
  );
  const selection = editor.selection;
  if (!(await editor.edit((builder) => builder.replace(selection, planned.text)))) {
    await intake.abandon(planned);
    return;
  }
  await intake.land(planned, { inserted: true });
}
