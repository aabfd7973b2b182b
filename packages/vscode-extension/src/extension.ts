/**
 * Entry point: builds the parts (secrets, journal, runner, intake), registers the paste/drop provider for the
 * configured languages (again when they change) and the commands, and resumes every upload the journal still holds
 * from a previous run.
 */
import { createPendingJournal } from '@bytedrop/core';
import * as vscode from 'vscode';
import { bringBack } from './commands/bring-back';
import { changeBaseUrl } from './commands/change-base-url';
import { deleteRemote } from './commands/delete-remote';
import { makeDefault } from './commands/make-default';
import { setSecret } from './commands/secrets';
import { testConnection } from './commands/test-connection';
import { uploadFiles } from './commands/upload-files';
import { uploadLocalFiles } from './commands/upload-local';
import { BYTEDROP_KIND } from './constants';
import { Intake } from './intake';
import { journalDir, journalStorage } from './journal-storage';
import { Ledger } from './ledger';
import { BytedropEditProvider } from './provider';
import { resumePending } from './resume';
import { Secrets } from './secrets';
import { readSettings } from './settings';
import { SetupNotices } from './setup';
import { UploadRunner } from './uploads';

/** Mime types offered to the provider: any file, and images put on the clipboard without a file. */
const MIME_TYPES = ['files', 'image/*'];

/** What `activate` hands back: for tests, the resume of the previous run's uploads. */
export interface BytedropApi {
  resumed: Promise<void>;
}

/**
 * Called by VS Code on the first Markdown document (or after startup).
 *
 * @example
 * ```ts
 * // package.json: "main": "./dist/extension.js", "activationEvents": ["onLanguage:markdown", "onStartupFinished"]
 * ```
 */
export function activate(context: vscode.ExtensionContext): BytedropApi {
  const output = vscode.window.createOutputChannel('Bytedrop');
  const secrets = new Secrets(context.secrets);
  const journal = createPendingJournal(journalStorage(journalDir(context)));
  // Copies that have no place in the workspace (no folder open) wait here until uploaded.
  const storage = vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'files');
  const ledger = new Ledger(context.globalState);
  const runner = new UploadRunner(journal, secrets, ledger, storage);
  const intake = new Intake(journal, runner, storage);
  const provider = new BytedropEditProvider(intake, secrets, new SetupNotices(context.globalState));

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

  const command = (id: string, run: () => unknown) => vscode.commands.registerCommand(id, run);
  context.subscriptions.push(
    output,
    secrets,
    intake,
    { dispose: () => vscode.Disposable.from(...registrations).dispose() },
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('bytedrop.languages')) register();
    }),
    command('bytedrop.uploadFiles', () => uploadFiles(intake)),
    command('bytedrop.uploadLocalFiles', () => uploadLocalFiles(journal, runner)),
    command('bytedrop.setSecretAccessKey', () => setSecret(secrets, 's3')),
    command('bytedrop.setServerAccessKey', () => setSecret(secrets, 'server')),
    command('bytedrop.testConnection', () => testConnection(secrets, output)),
    command('bytedrop.makeDefault', () => makeDefault()),
    command('bytedrop.deleteRemote', () => deleteRemote(secrets, ledger)),
    command('bytedrop.changeBaseUrl', () => changeBaseUrl(ledger, output)),
    command('bytedrop.bringBack', () => bringBack(secrets, ledger)),
  );
  const resumed = secrets.loaded.then(() => resumePending(journal, runner, output));
  stopUploads = () => runner.stop();
  return { resumed };
}

/** Set by `activate`: cuts off the uploads in flight. */
let stopUploads: (() => Promise<void>) | undefined;

/**
 * Called by VS Code when the extension host shuts down (desktop reload, quit): uploads in flight are aborted (no
 * parts left in the bucket) and stay in the journal, which the next start resumes. VS Code waits for the promise.
 */
export async function deactivate(): Promise<void> {
  await stopUploads?.();
  stopUploads = undefined;
}
