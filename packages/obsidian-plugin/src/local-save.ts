/**
 * Saving a file into the vault the way Obsidian itself would: at the attachment location from "Files and links",
 * deduplicated, embedded with the user's link style. This is what keeps a failed upload from losing anything.
 */
import type { App, TFile } from 'obsidian';

const CLIPBOARD_NAME = /^image\.(\w+)$/i;

/** Clipboard images arrive as `image.png`; Obsidian names them `Pasted image 20240131093015.png`. */
export function attachmentName(name: string, now = new Date()): string {
  const clipboard = CLIPBOARD_NAME.exec(name);
  if (clipboard === null) return name.trim() || `Pasted file ${stamp(now)}`;
  return `Pasted image ${stamp(now)}.${clipboard[1]?.toLowerCase()}`;
}

function stamp(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}${pad(date.getHours())}${pad(
    date.getMinutes(),
  )}${pad(date.getSeconds())}`;
}

/** Writes `blob` as an attachment of `note` and returns the new file and its embed (`![[…]]` or `![](…)`). */
export async function saveAttachment(
  app: App,
  blob: Blob,
  name: string,
  note: TFile | null,
): Promise<{ file: TFile; embed: string }> {
  const sourcePath = note?.path ?? '';
  const path = await app.fileManager.getAvailablePathForAttachment(attachmentName(name), sourcePath);
  const file = await app.vault.createBinary(path, await blob.arrayBuffer());
  return { file, embed: `!${app.fileManager.generateMarkdownLink(file, sourcePath)}` };
}
