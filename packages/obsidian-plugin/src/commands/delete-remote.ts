/**
 * "Delete remote file": deletes the uploaded files of the link under the cursor (or of the selected links) from
 * storage, then points the note at the local copy when one was kept, or removes the link. A file another note
 * still links is never deleted: the notice says which notes. Nothing happens before the user confirmed, in a dialog
 * that says what will become of each link.
 */
import { BytedropError, type BytedropUploader, findLinks } from '@bytedrop/core';
import { type Editor, requestUrl, type TFile } from 'obsidian';
import { confirm } from '../confirm';
import { localLinkFor } from '../local-link';
import { noAnswerError } from '../net-errors';
import { EVERY_LINK, rewriteLinks } from '../note-edit';
import { notify } from '../notices';
import type { UploadHost } from '../paste-flow';
import { bucketBase, notesLinking, type RemoteFile, remoteFileOf, sameUrl, urlOf } from '../remote-links';
import { wordError } from '../wording';

/** The URLs of the links the cursor touches or the selection overlaps, in order, once each. */
function pickedUrls(editor: Editor): string[] {
  const from = editor.posToOffset(editor.getCursor('from'));
  const to = editor.posToOffset(editor.getCursor('to'));
  const touches = (start: number, end: number) =>
    from === to ? start <= from && from <= end : start < to && end > from;
  const urls = findLinks(editor.getValue(), EVERY_LINK)
    .filter((link) => touches(link.start, link.end))
    .map(urlOf)
    .filter((url): url is string => url !== undefined);
  return [...new Set(urls)];
}

/** The file's name as the user knows it. */
function nameOf(file: RemoteFile): string {
  return (
    file.record?.filename ??
    decodeURIComponent(
      file.url
        .replace(/[?#].*$/s, '')
        .split('/')
        .pop() ?? file.url,
    )
  );
}

/** Deletes one file: with the server's delete URL, or by its key in the bucket. */
async function deleteFile(host: UploadHost, file: RemoteFile): Promise<void> {
  const deleteUrl = file.record?.deleteUrl;
  if (deleteUrl !== undefined) {
    const response = await requestUrl({ url: deleteUrl, method: 'DELETE', throw: false }).catch(
      (error: unknown) => {
        const cause = noAnswerError(error, `DELETE ${new URL(deleteUrl).host}`);
        throw new BytedropError('ERR_NETWORK', `could not reach the Bytedrop server (${cause.message})`, {
          cause,
        });
      },
    );
    // 404: already gone, which is what was asked.
    if (response.status >= 400 && response.status !== 404) {
      throw new BytedropError(
        response.status === 403 ? 'ERR_FORBIDDEN' : 'ERR_PROVIDER',
        `the Bytedrop server refused the delete (HTTP ${response.status})`,
        { status: response.status },
      );
    }
    return;
  }
  await (host.uploader() as BytedropUploader).store.delete(file.key as string);
}

/** Runs the command on the links under the cursor or in the selection of `note`. */
export async function deleteRemote(host: UploadHost, editor: Editor, note: TFile): Promise<void> {
  const { app } = host;
  const base = bucketBase(() => host.uploader());
  const files: RemoteFile[] = [];
  for (const url of pickedUrls(editor)) {
    const file = await remoteFileOf(url, host.ledger, base);
    if (file) files.push(file);
  }
  if (files.length === 0) {
    notify(
      host,
      'Bytedrop: no uploaded file here. Put the cursor on a link to a file Bytedrop uploaded, or select such links.',
    );
    return;
  }
  const users = await notesLinking(
    app,
    files.map((file) => file.url),
    note,
  );
  const lines: string[] = [];
  const deletable: { file: RemoteFile; local: TFile | null }[] = [];
  for (const file of files) {
    const others = users.get(file.url);
    if (others)
      lines.push(
        `${nameOf(file)} stays: ${others.join(', ')} still link${others.length === 1 ? 's' : ''} to it.`,
      );
    else if (file.record?.deleteUrl === undefined && file.key === undefined) {
      lines.push(
        `${nameOf(file)} stays: the server gave no delete link for it to this device; delete it on the server.`,
      );
    } else {
      const local = file.record?.local ? app.vault.getFileByPath(file.record.local) : null;
      deletable.push({ file, local });
      lines.push(
        local
          ? `${nameOf(file)}: deleted from storage; the link will show the local copy ${local.path}.`
          : `${nameOf(file)}: deleted from storage; there is no local copy, so the link will be removed and the file gone.`,
      );
    }
  }
  if (deletable.length === 0) {
    notify(host, `Bytedrop: nothing deleted. ${lines.join(' ')}`, [], 0);
    return;
  }
  const count = `${deletable.length} file${deletable.length === 1 ? '' : 's'}`;
  if (
    !(await confirm(app, {
      title: `Delete ${count} from storage?`,
      lines,
      action: `Delete ${count}`,
      destructive: true,
    }))
  ) {
    return;
  }

  const failures: string[] = [];
  let relinked = 0;
  let removed = 0;
  for (const { file, local } of deletable) {
    try {
      await deleteFile(host, file);
      await host.ledger.forget(file.url);
      await rewriteLinks(app, note, (link) => {
        if (!sameUrl(urlOf(link) ?? '', file.url)) return undefined;
        if (local) {
          relinked++;
          return localLinkFor(app, link, local, note, file.record?.filename);
        }
        removed++;
        return '';
      });
    } catch (error) {
      failures.push(`${nameOf(file)}: ${wordError(error, host.settings, app.secretStorage).message}`);
    }
  }
  const done = deletable.length - failures.length;
  const outcome = [
    `Bytedrop: deleted ${done} of ${count} from storage`,
    relinked > 0
      ? `, ${relinked} link${relinked === 1 ? '' : 's'} now show${relinked === 1 ? 's' : ''} the local copy`
      : '',
    removed > 0 ? `, ${removed} link${removed === 1 ? '' : 's'} removed` : '',
    '.',
    failures.length > 0 ? ` Not deleted: ${failures.join('; ')}.` : '',
  ].join('');
  notify(host, outcome, [], failures.length > 0 ? 0 : undefined);
}
