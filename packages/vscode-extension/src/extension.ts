/**
 * Entry point: registers the paste/drop provider for the configured languages (again when they change) and the
 * commands. Everything else happens on demand.
 */
import * as vscode from 'vscode';
import { makeDefault, setSecret, testConnection, uploadFiles, uploadLocalFiles } from './commands';
import { BYTEDROP_KIND } from './constants';
import { BytedropEditProvider } from './provider';
import { readSettings } from './settings';
import { UploadRunner } from './uploads';

/** Mime types offered to the provider: any file, and images put on the clipboard without a file. */
const MIME_TYPES = ['files', 'image/*'];

/**
 * Called by VS Code on the first Markdown document (or after startup).
 *
 * @example
 * ```ts
 * // package.json: "main": "./dist/extension.js", "activationEvents": ["onLanguage:markdown", "onStartupFinished"]
 * ```
 */
export function activate(context: vscode.ExtensionContext): void {
  const runner = new UploadRunner(context.secrets);
  const provider = new BytedropEditProvider(runner);
  const output = vscode.window.createOutputChannel('Bytedrop');

  let registrations: vscode.Disposable[] = [];
  const register = () => {
    for (const registration of registrations) registration.dispose();
    const selector = readSettings().languages.map((language) => ({ language }));
    registrations = [
      vscode.languages.registerDocumentPasteEditProvider(selector, provider, {
        providedPasteEditKinds: [BYTEDROP_KIND],
        pasteMimeTypes: MIME_TYPES,
      }),
      vscode.languages.registerDocumentDropEditProvider(selector, provider, {
        providedDropEditKinds: [BYTEDROP_KIND],
        dropMimeTypes: MIME_TYPES,
      }),
    ];
  };
  register();

  context.subscriptions.push(
    output,
    {
      dispose: () => {
        for (const registration of registrations) registration.dispose();
      },
    },
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('bytedrop.languages')) register();
    }),
    vscode.commands.registerCommand('bytedrop.uploadFiles', () => uploadFiles(runner)),
    vscode.commands.registerCommand('bytedrop.uploadLocalFiles', () => uploadLocalFiles(runner)),
    vscode.commands.registerCommand('bytedrop.setSecretAccessKey', () => setSecret(context.secrets, 's3')),
    vscode.commands.registerCommand('bytedrop.setServerAccessKey', () =>
      setSecret(context.secrets, 'server'),
    ),
    vscode.commands.registerCommand('bytedrop.testConnection', () => testConnection(context.secrets, output)),
    vscode.commands.registerCommand('bytedrop.makeDefault', () => makeDefault()),
  );
}

/** Nothing to tear down beyond `context.subscriptions`. */
export function deactivate(): void {}
