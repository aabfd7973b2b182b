/**
 * The command palette entries: upload picked files, upload a document's local files, store the secrets, test the
 * connection, and make Bytedrop the default paste/drop.
 */
import { posix } from 'node:path';
import { runDoctor } from '@bytedrop/core/node';
import * as vscode from 'vscode';
import {
  BYTEDROP_KIND,
  SECRET_ACCESS_KEY,
  SECRET_ACCESS_KEY_ENV,
  SERVER_ACCESS_KEY,
  SERVER_ACCESS_KEY_ENV,
} from './constants';
import { contentOf } from './content';
import { findLocalLinks } from './local-links';
import { placeholder } from './provider';
import { readSettings } from './settings';
import { s3Input } from './target';
import type { UploadJob, UploadRunner } from './uploads';

function activeDocumentEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor)
    void vscode.window.showErrorMessage(
      'Bytedrop: open a Markdown document first, then run the command again.',
    );
  return editor;
}

function isInWorkspace(uri: vscode.Uri): boolean {
  return vscode.workspace.getWorkspaceFolder(uri) !== undefined;
}

/**
 * "Bytedrop: Upload files…": pick files, insert placeholders at the cursor, upload them in the background.
 *
 * @example
 * ```ts
 * await vscode.commands.executeCommand('bytedrop.uploadFiles');
 * ```
 */
export async function uploadFiles(runner: UploadRunner): Promise<void> {
  const editor = activeDocumentEditor();
  if (!editor) return;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: true,
    canSelectFiles: true,
    canSelectFolders: false,
    openLabel: 'Upload',
    title: 'Bytedrop: files to upload',
  });
  if (!picked?.length) return;
  const document = editor.document;
  const jobs: UploadJob[] = await Promise.all(
    picked.map(async (uri) => {
      const name = posix.basename(uri.path);
      return {
        document: document.uri,
        name,
        contentType: '',
        body: await contentOf(uri, () => vscode.workspace.fs.readFile(uri)),
        text: placeholder(name),
        // A picked file already in the workspace is linked where it is if the upload fails, not copied.
        ...(isInWorkspace(uri) ? { local: uri } : {}),
      };
    }),
  );
  const selection = editor.selection;
  await editor.edit((builder) => builder.replace(selection, jobs.map((job) => job.text).join(' ')));
  await runner.run(jobs);
}

/**
 * "Bytedrop: Upload local images in this document": every relative link to a local file (images, PDFs…; not other
 * notes) is uploaded and its destination replaced by the public URL. Files that fail keep their local link.
 *
 * @example
 * ```ts
 * await vscode.commands.executeCommand('bytedrop.uploadLocalFiles');
 * ```
 */
export async function uploadLocalFiles(runner: UploadRunner): Promise<void> {
  const editor = activeDocumentEditor();
  if (!editor) return;
  const jobs: UploadJob[] = [];
  for (const link of findLocalLinks(editor.document)) {
    let body: Uint8Array | Blob;
    try {
      if ((await vscode.workspace.fs.stat(link.target)).type !== vscode.FileType.File) continue;
      body = await contentOf(link.target, () => vscode.workspace.fs.readFile(link.target));
    } catch {
      continue; // a broken link: nothing to upload
    }
    jobs.push({
      document: editor.document.uri,
      name: posix.basename(link.target.path),
      contentType: '',
      body,
      text: link.text,
      local: link.target,
      link: link.withUrl,
    });
  }
  if (jobs.length === 0) {
    void vscode.window.showInformationMessage('Bytedrop: this document links no local images or files.');
    return;
  }
  await runner.run(jobs);
}

/**
 * "Bytedrop: Set secret access key" / "Set server access key": a password box; the value goes to SecretStorage
 * (the OS keychain, or the remote's secret store), never to settings. An empty answer removes the stored key.
 *
 * @example
 * ```ts
 * await setSecret(context.secrets, 's3');
 * ```
 */
export async function setSecret(secrets: vscode.SecretStorage, which: 's3' | 'server'): Promise<void> {
  const [key, envName, what] =
    which === 's3'
      ? [SECRET_ACCESS_KEY, SECRET_ACCESS_KEY_ENV, 'secret access key']
      : [SERVER_ACCESS_KEY, SERVER_ACCESS_KEY_ENV, 'server access key'];
  const value = await vscode.window.showInputBox({
    title: `Bytedrop: ${what}`,
    prompt: `Stored in VS Code's secret storage (OS keychain), never in settings. Leave empty to remove it (then ${envName} applies, if set).`,
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return;
  if (value.trim() === '') {
    await secrets.delete(key);
    void vscode.window.showInformationMessage(`Bytedrop: ${what} removed.`);
    return;
  }
  await secrets.store(key, value.trim());
  void vscode.window.showInformationMessage(`Bytedrop: ${what} saved in secret storage.`);
}

/**
 * "Bytedrop: Test connection": core's doctor for S3 (endpoint, keys, bucket, clock, public URL), or the server's
 * health endpoint. Each check goes to the Bytedrop output channel; the summary to a message.
 *
 * @example
 * ```ts
 * await testConnection(context.secrets, output);
 * ```
 */
export async function testConnection(
  secrets: vscode.SecretStorage,
  output: vscode.OutputChannel,
): Promise<boolean> {
  const scope = vscode.window.activeTextEditor?.document.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  const settings = readSettings(scope);
  output.appendLine(`Bytedrop: testing the ${settings.target} target…`);
  const lines: string[] = [];
  let ok: boolean;
  try {
    if (settings.target === 'server') {
      const url = `${(settings.serverUrl ?? '').replace(/\/+$/, '')}/health`;
      if (!settings.serverUrl)
        throw new Error('bytedrop.serverUrl is empty: set it to your Bytedrop server URL');
      const response = await fetch(url);
      ok = response.ok;
      lines.push(`${ok ? 'ok  ' : 'FAIL'} GET ${url}: HTTP ${response.status}`);
      if (!(await secrets.get(SERVER_ACCESS_KEY)) && !process.env[SERVER_ACCESS_KEY_ENV]) {
        ok = false;
        lines.push("FAIL no server access key: run 'Bytedrop: Set server access key'");
      }
    } else {
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Bytedrop: testing the connection…' },
        async () => runDoctor(await s3Input(settings, secrets)),
      );
      ok = report.ok;
      for (const check of report.checks) {
        const status = check.status === 'ok' ? 'ok  ' : check.status === 'fail' ? 'FAIL' : 'skip';
        lines.push(`${status} ${check.title}: ${check.message}${check.fix ? ` — fix: ${check.fix}` : ''}`);
      }
    }
  } catch (error) {
    ok = false;
    lines.push(`FAIL ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const line of lines) output.appendLine(line);
  const failed = lines.find((line) => line.startsWith('FAIL'));
  const shown = ok
    ? vscode.window.showInformationMessage('Bytedrop: connection OK — uploads will work.', 'Show details')
    : vscode.window.showErrorMessage(
        `Bytedrop: ${failed?.slice(5) ?? 'connection test failed'}`,
        'Show details',
      );
  void Promise.resolve(shown).then((choice) => choice && output.show());
  return ok;
}

/**
 * "Bytedrop: Make Bytedrop the default paste/drop": puts Bytedrop's kind first in `editor.pasteAs.preferences` and
 * `editor.dropIntoEditor.preferences` (user settings), keeping the user's other preferences after it.
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
