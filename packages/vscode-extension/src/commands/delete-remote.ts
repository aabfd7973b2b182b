/**
 * "Bytedrop: Delete remote": deletes the uploaded files the links under the cursor (or in the selections) point at,
 * after checking that no other note of the workspace still links them. S3 objects are deleted with the user's keys;
 * a Bytedrop server's files with the delete URL it gave at upload. The links then point at the local copy when one
 * was kept, or are removed: the confirmation says which.
 */
import { toBytedropError } from '@bytedrop/core';
import * as vscode from 'vscode';
import { relativePath } from '../destination';
import type { Ledger } from '../ledger';
import { editDocument } from '../patch';
import { keyUnder, type RemoteLink, remoteLinks } from '../remote-links';
import type { Secrets } from '../secrets';
import { listed, settingName } from '../setting-names';
import { readSettings } from '../settings';
import { publicBase, s3Target } from '../target';
import { word } from '../wording';
import { noteText, workspaceNotes } from '../workspace-notes';
import { activeEditor } from './editor';

const DELETE = 'Delete';
const DELETE_ANYWAY = 'Delete anyway';

/** The web links under the cursors or inside the selections. */
function linksAtSelections(editor: vscode.TextEditor): RemoteLink[] {
  const { document } = editor;
  const spans = editor.selections.map((selection) => [
    document.offsetAt(selection.start),
    document.offsetAt(selection.end),
  ]);
  return remoteLinks(document.getText()).filter(({ link }) =>
    spans.some(([from, to]) => link.start <= (to as number) && link.end >= (from as number)),
  );
}

/** The notes other than `self` that link `url`, as workspace-relative paths. */
async function linkedElsewhere(url: string, self: vscode.Uri): Promise<string[]> {
  const notes = (await workspaceNotes()).filter((note) => note.toString() !== self.toString());
  const linking: string[] = [];
  for (const note of notes) {
    if (remoteLinks(await noteText(note)).some((link) => link.url === url))
      linking.push(vscode.workspace.asRelativePath(note));
  }
  return linking;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  return Promise.resolve(vscode.workspace.fs.stat(uri)).then(
    () => true,
    () => false,
  );
}

/** One file to delete: how (an S3 key or a server's delete URL) and what the links become. */
interface Doomed {
  url: string;
  key?: string;
  deleteUrl?: string;
  local?: vscode.Uri;
}

/**
 * Runs the command.
 *
 * @example
 * ```ts
 * vscode.commands.registerCommand('bytedrop.deleteRemote', () => deleteRemote(secrets, ledger));
 * ```
 */
export async function deleteRemote(secrets: Secrets, ledger: Ledger): Promise<void> {
  const editor = activeEditor();
  if (!editor) return;
  const { document } = editor;
  const urls = [...new Set(linksAtSelections(editor).map(({ url }) => url))];
  if (urls.length === 0) {
    void vscode.window.showInformationMessage(
      'Bytedrop: put the cursor on a link to an uploaded file (or select links), then run Delete remote again.',
    );
    return;
  }
  const s3 = await s3Target(document.uri, secrets);
  const doomed: Doomed[] = [];
  const unknown: string[] = [];
  for (const url of urls) {
    const record = ledger.find(url);
    const key = s3 ? keyUnder(url, publicBase(s3)) : undefined;
    const local = record?.local ? vscode.Uri.parse(record.local) : undefined;
    const keptLocal = local && (await exists(local)) ? local : undefined;
    if (record?.deleteUrl)
      doomed.push({ url, deleteUrl: record.deleteUrl, ...(keptLocal ? { local: keptLocal } : {}) });
    else if (key) doomed.push({ url, key, ...(keptLocal ? { local: keptLocal } : {}) });
    else unknown.push(url);
  }
  if (unknown.length) {
    const where =
      readSettings(document.uri).target === 's3' ? settingName('bytedrop.publicBaseUrl') : 'this machine';
    void vscode.window.showErrorMessage(
      `Bytedrop: not deleted: ${listed(unknown)} ${unknown.length > 1 ? 'are' : 'is'} not a file Bytedrop uploaded (not under ${where}).`,
    );
    if (doomed.length === 0) return;
  }
  for (const file of doomed) {
    const linking = await linkedElsewhere(file.url, document.uri);
    if (linking.length === 0) continue;
    const choice = await vscode.window.showWarningMessage(
      `Bytedrop: ${file.url} is still linked from ${listed(linking)}; deleting it breaks those links.`,
      { modal: true },
      DELETE_ANYWAY,
    );
    if (choice !== DELETE_ANYWAY) return;
  }
  const becomes = doomed.every((file) => file.local)
    ? 'The links will point at the local copies kept in the workspace.'
    : doomed.some((file) => file.local)
      ? 'Links to files with a local copy will point at it; the others are removed from the note.'
      : 'The links are removed from the note.';
  const confirmed = await vscode.window.showWarningMessage(
    `Bytedrop: delete ${listed(doomed.map((file) => file.url))} from ${s3 ? `the bucket '${s3.config.bucket}'` : 'the Bytedrop server'}? ${becomes}`,
    { modal: true },
    DELETE,
  );
  if (confirmed !== DELETE) return;
  const deleted = new Map<string, Doomed>();
  try {
    for (const file of doomed) {
      if (file.deleteUrl) {
        const response = await fetch(file.deleteUrl, { method: 'DELETE' });
        if (!response.ok && response.status !== 404)
          throw new Error(`the server answered HTTP ${response.status}`);
      } else await s3?.store.delete(file.key as string);
      deleted.set(file.url, file);
      await ledger.forget(file.url);
    }
  } catch (error) {
    const { message, actions } = word(toBytedropError(error), readSettings(document.uri));
    void vscode.window.showErrorMessage(
      `Bytedrop: could not delete ${doomed[deleted.size]?.url}: ${message}.`,
      ...actions,
    );
  }
  await editDocument(document.uri, (text) =>
    remoteLinks(text)
      .filter(({ url }) => deleted.has(url))
      .map(({ link, url }) => {
        const local = deleted.get(url)?.local;
        return {
          start: link.start,
          end: link.end,
          text: local ? link.withUrl(relativePath(document.uri, local)) : '',
        };
      }),
  );
  if (deleted.size)
    void vscode.window.showInformationMessage(`Bytedrop: deleted ${listed([...deleted.keys()])}.`);
}
