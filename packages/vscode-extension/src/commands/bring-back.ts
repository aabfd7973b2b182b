/**
 * "Bytedrop: Bring files back": the uploaded files linked from this note (or from every note of the workspace) are
 * put back into the workspace, where VS Code's paste would put them, and the links pointed at them, so leaving a
 * provider is one command. A copy kept at upload is relinked as it is; others are downloaded (through a presigned
 * link when the bucket is private). The uploads themselves are left in place.
 */
import { posix } from 'node:path';
import type { BytedropUploader } from '@bytedrop/core';
import * as vscode from 'vscode';
import { fallbackDestination, relativePath } from '../destination';
import type { Ledger } from '../ledger';
import { editDocument } from '../patch';
import { keyUnder, remoteLinks } from '../remote-links';
import type { Secrets } from '../secrets';
import { publicBase, s3Target } from '../target';
import { noteText, workspaceNotes } from '../workspace-notes';

const THIS_NOTE = 'This note';
const EVERY_NOTE = 'Every note in the workspace';

/** The response for `url`, through a presigned link when the public one is refused (a private bucket). */
async function download(
  url: string,
  key: string | undefined,
  s3: BytedropUploader | undefined,
): Promise<Response> {
  const response = await fetch(url);
  if (response.ok || !s3 || key === undefined) return response;
  return fetch(await s3.presign(key));
}

/**
 * Runs the command.
 *
 * @example
 * ```ts
 * vscode.commands.registerCommand('bytedrop.bringBack', () => bringBack(secrets, ledger));
 * ```
 */
export async function bringBack(secrets: Secrets, ledger: Ledger): Promise<void> {
  const active = vscode.window.activeTextEditor?.document;
  const scope = active
    ? await vscode.window.showQuickPick([THIS_NOTE, EVERY_NOTE], {
        title: 'Bytedrop: Bring files back from…',
      })
    : EVERY_NOTE;
  if (!scope) return;
  const notes = scope === THIS_NOTE && active ? [active.uri] : await workspaceNotes();
  const s3 = await s3Target(active?.uri ?? notes[0] ?? vscode.Uri.file('/'), secrets);
  const base = s3 ? publicBase(s3) : undefined;
  const isOurs = (url: string) =>
    ledger.find(url) !== undefined || (base !== undefined && url.startsWith(base));

  // Each file once, even when several notes link it: placed for the first note that does.
  const files = new Map<string, vscode.Uri>();
  const failed: string[] = [];
  let downloaded = 0;
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: 'Bytedrop: bringing files back',
      cancellable: true,
    },
    async (progress, token) => {
      for (const note of notes) {
        for (const { url } of remoteLinks(await noteText(note)).filter(({ url }) => isOurs(url))) {
          if (token.isCancellationRequested || files.has(url) || failed.some((line) => line.startsWith(url)))
            continue;
          const kept = ledger.find(url)?.local;
          if (
            kept &&
            (await Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.parse(kept))).then(
              () => true,
              () => false,
            ))
          ) {
            files.set(url, vscode.Uri.parse(kept));
            continue;
          }
          const key = base ? keyUnder(url, base) : undefined;
          progress.report({ message: posix.basename(key ?? new URL(url).pathname) });
          try {
            const response = await download(url, key, s3);
            if (!response.ok) throw new Error(`HTTP ${response.status}`);
            const target = await fallbackDestination(
              note,
              decodeURIComponent(posix.basename(new URL(url).pathname)),
            );
            // Through workspace.fs, like every other write of the extension (remote and virtual workspaces too).
            await vscode.workspace.fs.writeFile(target, new Uint8Array(await response.arrayBuffer()));
            files.set(url, target);
            downloaded++;
          } catch (error) {
            failed.push(`${url} (${(error as Error).message})`);
          }
        }
      }
    },
  );
  let relinked = 0;
  for (const note of notes) {
    let changed = 0;
    const done = await editDocument(note, (text) => {
      const changes = remoteLinks(text).flatMap(({ link, url }) => {
        const file = files.get(url);
        return file
          ? [{ start: link.start, end: link.end, text: link.withUrl(relativePath(note, file)) }]
          : [];
      });
      changed = changes.length;
      return changes;
    });
    if (done) relinked += changed;
  }
  const summary = `Bytedrop: brought back ${files.size} file${files.size === 1 ? '' : 's'} (${downloaded} downloaded, ${files.size - downloaded} kept copies) and relinked ${relinked} link${relinked === 1 ? '' : 's'}.`;
  if (failed.length)
    void vscode.window.showErrorMessage(
      `${summary} Could not download ${failed.join(', ')}: those links still point at the uploads.`,
    );
  else void vscode.window.showInformationMessage(summary);
}
