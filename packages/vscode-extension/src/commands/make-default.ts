/**
 * "Bytedrop: Make Bytedrop the default paste/drop": the only way Bytedrop becomes the default. It puts Bytedrop's
 * kind first in `editor.pasteAs.preferences` and `editor.dropIntoEditor.preferences` (user settings), keeping the
 * user's other preferences after it.
 */
import * as vscode from 'vscode';
import { BYTEDROP_KIND } from '../constants';

/**
 * Runs the command.
 *
 * @example
 * ```ts
 * await makeDefault(); // editor.pasteAs.preferences: ["markdown.link.image.bytedrop", …]
 * ```
 */
export async function makeDefault(): Promise<void> {
  const editor = vscode.workspace.getConfiguration('editor');
  for (const setting of ['pasteAs.preferences', 'dropIntoEditor.preferences']) {
    const current = editor.get<string[]>(setting) ?? [];
    const next = [BYTEDROP_KIND.value, ...current.filter((kind) => kind !== BYTEDROP_KIND.value)];
    await editor.update(setting, next, vscode.ConfigurationTarget.Global);
  }
  void vscode.window.showInformationMessage(
    'Bytedrop: pasting or dropping files into Markdown now uploads them. Use "Paste As…" for the built-in copy.',
  );
}
