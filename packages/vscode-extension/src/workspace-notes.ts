/**
 * The notes of the workspace, for the commands that look across all of them (is this upload linked anywhere else,
 * rewrite a base URL everywhere, bring every file back): Markdown files found on disk, read as the editor shows them
 * when they are open (unsaved changes included).
 */
import * as vscode from 'vscode';

const NOTES = '**/*.{md,markdown,mdx}';
const NOT_NOTES = '**/node_modules/**';

/**
 * Every Markdown file of the workspace folders, plus open Markdown documents that are not saved in them.
 *
 * @example
 * ```ts
 * for (const note of await workspaceNotes()) console.log(note.toString());
 * ```
 */
export async function workspaceNotes(): Promise<vscode.Uri[]> {
  const found = await vscode.workspace.findFiles(NOTES, NOT_NOTES);
  const seen = new Set(found.map((uri) => uri.toString()));
  const open = vscode.workspace.textDocuments
    .filter((document) => document.languageId === 'markdown' && !seen.has(document.uri.toString()))
    .map((document) => document.uri);
  return [...found, ...open];
}

/**
 * A note's text: the open document's (with unsaved edits), else the file's.
 *
 * @example
 * ```ts
 * const text = await noteText(note);
 * ```
 */
export async function noteText(note: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === note.toString());
  if (open) return open.getText();
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(note));
}
