/**
 * The link to a vault file that takes the place of a link to its upload ("Delete remote file", "Bring files back"):
 * in the user's own link style (wikilink or Markdown, from Obsidian's `generateMarkdownLink`), an embed when the
 * link showed the file, keeping its alt text and its size.
 */
import type { MarkdownLink } from '@bytedrop/core';
import type { App, TFile } from 'obsidian';
import { splitLabel } from './link-text';

/** The size an HTML `<img>` gives, as Obsidian writes it (`300`, `300x200`). */
function htmlSize(tag: string): string | undefined {
  const width = /\swidth\s*=\s*["']?(\d+)/i.exec(tag)?.[1];
  const height = /\sheight\s*=\s*["']?(\d+)/i.exec(tag)?.[1];
  return width ? `${width}${height ? `x${height}` : ''}` : undefined;
}

/**
 * The local link for `link`, now pointing at `file`. A reference definition keeps its form with the file's path;
 * anything else becomes Obsidian's own link. Alt text equal to a file name adds nothing and is dropped.
 */
export function localLinkFor(
  app: App,
  link: MarkdownLink,
  file: TFile,
  note: TFile,
  uploadedName?: string,
): string {
  if (link.kind === 'reference') return link.withUrl(file.path);
  const label = splitLabel(link.label);
  const size = link.kind === 'html' ? htmlSize(link.text) : label.size;
  const alt = label.alt === file.name || label.alt === uploadedName ? undefined : label.alt;
  const alias = [alt, link.image ? size : undefined].filter(Boolean).join('|');
  return `${link.image ? '!' : ''}${app.fileManager.generateMarkdownLink(file, note.path, '', alias || undefined)}`;
}
