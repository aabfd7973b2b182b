/**
 * "Bytedrop: Set secret access key" / "Set server access key": a password box; the value goes to SecretStorage (the
 * OS keychain, or the remote's secret store), never to settings. An empty answer removes the stored key.
 */
import * as vscode from 'vscode';
import type { SecretKind, Secrets } from '../secrets';

/**
 * Runs the command for one secret.
 *
 * @example
 * ```ts
 * vscode.commands.registerCommand('bytedrop.setSecretAccessKey', () => setSecret(secrets, 's3'));
 * ```
 */
export async function setSecret(secrets: Secrets, which: SecretKind): Promise<void> {
  const what = which === 's3' ? 'secret access key' : 'server access key';
  const value = await vscode.window.showInputBox({
    title: `Bytedrop: ${what}`,
    prompt: `Stored in VS Code's secret storage (the OS keychain), never in settings. Leave it empty to remove the stored key.`,
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return;
  await secrets.store(which, value.trim());
  void vscode.window.showInformationMessage(
    value.trim() === '' ? `Bytedrop: ${what} removed.` : `Bytedrop: ${what} saved in secret storage.`,
  );
}
