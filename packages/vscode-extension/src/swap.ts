/**
 * The swap: once a file is uploaded and verified, the note is pointed at the upload wherever it holds the file.
 * The link Bytedrop wrote, still as written, and a placeholder become a link in `bytedrop.linkFormat` (the bare URL
 * in a language Bytedrop does not format), so they get what only the upload knows: an image's width and height. A
 * link to the local copy the user edited or wrote keeps its text and title where the link format allows.
 */
import {
  formatLink,
  type LinkSource,
  type MarkdownLink,
  type NewPendingUpload,
  type PendingUpload,
} from '@bytedrop/core';
import * as vscode from 'vscode';
import { linksTo } from './document-links';
import { editDocument, type TextChange } from './patch';
import { readSettings } from './settings';

/**
 * The text that stands for an uploaded file in `document`: a link in `bytedrop.linkFormat`, or the bare URL where
 * the document's language is not one Bytedrop formats links for (a `.ts` file).
 *
 * @example
 * ```ts
 * finalText(document, result); // '![shot.png](https://cdn.example.com/2026/11/22/shot-1a2b3c4d.png)'
 * ```
 */
export function finalText(document: vscode.TextDocument, uploaded: LinkSource, alt?: string): string {
  const settings = readSettings(document.uri);
  if (!settings.languages.includes(document.languageId)) return uploaded.url;
  return formatLink(uploaded, settings.linkFormat, {
    template: settings.linkTemplate,
    hidpi: settings.retinaAtScreenSize,
    ...(alt === undefined ? {} : { alt }),
  });
}

/**
 * A link to the local copy, pointed at the upload. The one Bytedrop wrote, unchanged, is written again in full with
 * the name it had as alt: its local form could not know the image's size. One the user edited or wrote keeps its own
 * text where the link format allows.
 */
function relinked(
  link: MarkdownLink,
  entry: PendingUpload,
  document: vscode.TextDocument,
  uploaded: LinkSource,
): string {
  if (link.text === entry.text) return finalText(document, uploaded, entry.name);
  const { linkFormat } = readSettings(document.uri);
  const keepsText = linkFormat === 'markdown' || linkFormat === 'html' || link.kind === 'reference';
  return keepsText ? link.withUrl(uploaded.url) : finalText(document, uploaded);
}

/**
 * Points the entry's note at `uploaded`. True when it did, or when the note already links the upload (a resume after
 * a swap whose entry was not closed yet); false when the note holds the file nowhere (the user removed it).
 *
 * @example
 * ```ts
 * await finishPendingUpload(journal, entry, uploader, { read, swap: swapIn, removeLocal });
 * ```
 */
export async function swapIn(entry: PendingUpload, uploaded: LinkSource): Promise<boolean> {
  const note = vscode.Uri.parse(entry.note);
  // A note deleted meanwhile holds the file nowhere.
  if (!(await noteExists(note))) return false;
  let linked = false;
  const changed = await editDocument(note, (text, document) => {
    linked = text.includes(uploaded.url);
    if (entry.match === 'text') {
      const replacement = finalText(document, uploaded);
      const changes: TextChange[] = [];
      for (
        let at = text.indexOf(entry.text);
        at !== -1;
        at = text.indexOf(entry.text, at + entry.text.length)
      ) {
        changes.push({ start: at, end: at + entry.text.length, text: replacement });
      }
      return changes;
    }
    return linksTo(note, text, vscode.Uri.parse(entry.file)).map((link) => ({
      start: link.start,
      end: link.end,
      text: relinked(link, entry, document, uploaded),
    }));
  });
  return changed || linked;
}

async function noteExists(note: vscode.Uri): Promise<boolean> {
  if (vscode.workspace.textDocuments.some((document) => document.uri.toString() === note.toString()))
    return true;
  try {
    await vscode.workspace.fs.stat(note);
    return true;
  } catch {
    return false;
  }
}

/**
 * Takes the text standing for an entry's file out of its note: the file could not be saved, so the link would point
 * at nothing.
 *
 * @example
 * ```ts
 * await removeStandIn(entry); // '![shot.png](shot.png)' removed, wherever it is now
 * ```
 */
export async function removeStandIn(entry: NewPendingUpload): Promise<boolean> {
  const note = vscode.Uri.parse(entry.note);
  if (!(await noteExists(note))) return false;
  return editDocument(note, (text) => {
    if (entry.match === 'link') {
      return linksTo(note, text, vscode.Uri.parse(entry.file)).map(({ start, end }) => ({
        start,
        end,
        text: '',
      }));
    }
    const changes: TextChange[] = [];
    for (
      let at = text.indexOf(entry.text);
      at !== -1;
      at = text.indexOf(entry.text, at + entry.text.length)
    ) {
      changes.push({ start: at, end: at + entry.text.length, text: '' });
    }
    return changes;
  });
}
