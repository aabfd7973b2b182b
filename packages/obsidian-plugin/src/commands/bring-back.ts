/**
 * "Bring files back": the uploaded files linked from a note (or from every note) come back into the vault as local
 * attachments, and the links point at them, so leaving a provider is one command. A local copy kept at upload is
 * used as it is; any other file is downloaded from its link and checked against the size and hash recorded at
 * upload. The uploads stay in storage: "Delete remote file" removes them once nothing needs them.
 */
import { BytedropError, findLinks, hashBody } from '@bytedrop/core';
import { type App, requestUrl, type TFile } from 'obsidian';
import { confirm } from '../confirm';
import type { UploadRecord } from '../ledger';
import { localLinkFor } from '../local-link';
import { noAnswerError } from '../net-errors';
import { currentText, EVERY_LINK, rewriteLinks } from '../note-edit';
import { notify } from '../notices';
import type { UploadHost } from '../paste-flow';
import { bucketBase, type RemoteFile, remoteFileOf, urlOf } from '../remote-links';
import { wordError } from '../wording';

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The file's name for the vault: as uploaded when the ledger knows it, else the URL's last segment. */
function nameOf(file: RemoteFile): string {
  if (file.record?.filename) return file.record.filename;
  const last =
    file.url
      .replace(/[?#].*$/s, '')
      .split('/')
      .pop() ?? '';
  try {
    return decodeURIComponent(last) || 'file';
  } catch {
    return last || 'file';
  }
}

/** The uploads the notes link, by URL, with the first note linking each (its attachment folder is used). */
async function linkedUploads(host: UploadHost, notes: readonly TFile[]) {
  const base = bucketBase(() => host.uploader());
  const files = new Map<string, { file: RemoteFile; note: TFile }>();
  const notesWith = new Set<TFile>();
  for (const note of notes) {
    for (const link of findLinks(await currentText(host.app, note), EVERY_LINK)) {
      const url = urlOf(link);
      if (url === undefined) continue;
      const file = files.get(url)?.file ?? (await remoteFileOf(url, host.ledger, base));
      if (file === undefined) continue;
      if (!files.has(url)) files.set(url, { file, note });
      notesWith.add(note);
    }
  }
  return { files, notes: [...notesWith] };
}

/** The bytes are those uploaded: the size and the full hash recorded at upload, when they were. */
async function check(bytes: ArrayBuffer, record: UploadRecord | undefined, url: string): Promise<void> {
  if (record === undefined) return;
  const algorithm = record.hash?.length === 32 ? 'md5' : 'sha256';
  const actual = record.hash ? (await hashBody(new Uint8Array(bytes), algorithm)).hash : undefined;
  if (bytes.byteLength !== record.size || (record.hash && actual !== record.hash)) {
    throw new BytedropError(
      'ERR_CHECKSUM',
      `${url} served ${bytes.byteLength} bytes that are not the ${record.size} uploaded: nothing was saved`,
    );
  }
}

/** The file in the vault: the kept local copy, or a new attachment of `note` with the downloaded bytes. */
async function localFileOf(
  app: App,
  file: RemoteFile,
  note: TFile,
): Promise<{ local: TFile; downloaded: boolean }> {
  const kept = file.record?.local ? app.vault.getFileByPath(file.record.local) : null;
  if (kept !== null && kept.stat.size === file.record?.size) return { local: kept, downloaded: false };
  const response = await requestUrl({ url: file.url, throw: false }).catch((error: unknown) => {
    const cause = noAnswerError(error, `GET ${new URL(file.url).host}`);
    throw new BytedropError('ERR_NETWORK', `could not reach ${file.url} (${cause.message})`, { cause });
  });
  if (response.status !== 200) {
    throw new BytedropError(
      response.status === 404 ? 'ERR_NOT_FOUND' : 'ERR_PROVIDER',
      `${file.url} answered HTTP ${response.status}`,
      { status: response.status },
    );
  }
  await check(response.arrayBuffer, file.record, file.url);
  const path = await app.fileManager.getAvailablePathForAttachment(nameOf(file), note.path);
  return { local: await app.vault.createBinary(path, response.arrayBuffer), downloaded: true };
}

/** Why a file could not come back, in the user's words. */
function reasonOf(host: UploadHost, error: unknown): string {
  if (error instanceof BytedropError && error.code === 'ERR_NOT_FOUND') return 'it is no longer at its URL';
  if (error instanceof BytedropError && error.code === 'ERR_CHECKSUM') return 'its URL serves other bytes';
  return wordError(error, host.settings, host.app.secretStorage).message;
}

/** Runs the command on `notes` (one note, or every note after a confirmation). */
export async function bringFilesBack(
  host: UploadHost,
  notes: readonly TFile[],
  everyNote: boolean,
): Promise<void> {
  const { app } = host;
  const { files, notes: linking } = await linkedUploads(host, notes);
  if (files.size === 0) {
    notify(host, `Bytedrop: no uploaded files are linked from ${everyNote ? 'any note' : 'this note'}.`);
    return;
  }
  if (
    everyNote &&
    !(await confirm(app, {
      title: 'Bring files back into the vault?',
      lines: [
        `${plural(files.size, 'uploaded file')} linked from ${plural(linking.length, 'note')} will be saved in the vault (kept copies are used as they are), and the links will point at them.`,
        'The uploads stay in storage.',
      ],
      action: `Bring back ${plural(files.size, 'file')}`,
    }))
  ) {
    return;
  }

  const locals = new Map<string, { local: TFile; record?: UploadRecord }>();
  const failures: string[] = [];
  let downloaded = 0;
  for (const [url, { file, note }] of files) {
    try {
      const { local, downloaded: fresh } = await localFileOf(app, file, note);
      if (fresh) downloaded++;
      locals.set(url, { local, ...(file.record ? { record: file.record } : {}) });
      if (file.record) await host.ledger.record({ ...file.record, local: local.path });
    } catch (error) {
      failures.push(`${nameOf(file)} (${reasonOf(host, error)})`);
    }
  }
  let relinked = 0;
  for (const note of linking) {
    relinked += await rewriteLinks(app, note, (link) => {
      const found = locals.get(urlOf(link) ?? '');
      return found ? localLinkFor(app, link, found.local, note, found.record?.filename) : undefined;
    });
  }
  const kept = locals.size - downloaded;
  notify(
    host,
    [
      `Bytedrop: brought back ${plural(locals.size, 'file')} (${downloaded} downloaded, ${kept} from kept copies); ${plural(relinked, 'link')} now point${relinked === 1 ? 's' : ''} into the vault.`,
      failures.length > 0 ? ` Still remote: ${failures.join('; ')}.` : '',
    ].join(''),
    [],
    failures.length > 0 ? 0 : undefined,
  );
}
