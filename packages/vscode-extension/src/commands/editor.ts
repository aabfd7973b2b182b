/** What the commands share: the editor they act on. */
import * as vscode from 'vscode';

/**
 * The active text editor, or undefined after telling the user to open one.
 *
 * @example
 * ```ts
 * const editor = activeEditor();
 * if (!editor) return;
 * ```
 */
export function activeEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor)
    void vscode.window.showErrorMessage(
      'Bytedrop: open a Markdown document first, then run the command again.',
    );
  return editor;
}
