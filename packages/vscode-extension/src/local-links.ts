/**
 * Finds the Markdown links of a document that point at local files, for "Upload local images in this document".
 * Core's `findLinks` reads the Markdown; this file only decides which file a path means in VS Code.
 */
import { posix } from 'node:path';
import { findLinks } from '@bytedrop/core';
import * as vscode from 'vscode';

/** Targets that are documents, not assets: linking to another note must stay a link to the note. */
const DOCUMENT_EXTENSIONS = new Set(['.md', '.markdown', '.mdx', '.txt']);

/** A link to a local file. */
export interface LocalLink {
  /** The whole link as written. */
  text: string;
  /** The file it points at. */
  target: vscode.Uri;
  /** The link with its destination replaced by `url`, title and text kept. */
  withUrl(url: string): string;
}

function localTarget(document: vscode.Uri, path: string): vscode.Uri | undefined {
  if (DOCUMENT_EXTENSIONS.has(posix.extname(path).toLowerCase())) return undefined;
  // `/x.png` is relative to the workspace folder, as in VS Code's Markdown preview.
  const root = path.startsWith('/')
    ? vscode.workspace.getWorkspaceFolder(document)?.uri.path
    : posix.dirname(document.path);
  return root === undefined ? undefined : document.with({ path: posix.join(root, path) });
}

/**
 * The distinct links of `document` whose destination is a local, non-Markdown path (existence is checked later).
 *
 * @example
 * ```ts
 * findLocalLinks(document)[0]?.withUrl('https://cdn.example.com/a.png'); // '![chart](https://cdn.example.com/a.png)'
 * ```
 */
export function findLocalLinks(document: vscode.TextDocument): LocalLink[] {
  const links = new Map<string, LocalLink>();
  for (const link of findLinks(document.getText())) {
    if (!link.local || links.has(link.text)) continue;
    const target = localTarget(document.uri, link.path);
    if (target) links.set(link.text, { text: link.text, target, withUrl: link.withUrl });
  }
  return [...links.values()];
}
