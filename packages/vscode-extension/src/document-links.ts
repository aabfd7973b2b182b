/**
 * The links of a document, as VS Code's Markdown preview resolves them: every form core's `findLinks` reads
 * (inline, reference definitions, `<img src>`), outside code, with the file a relative path means.
 */
import { posix } from 'node:path';
import { findLinks, type MarkdownLink } from '@bytedrop/core';
import * as vscode from 'vscode';

/**
 * Every link of a Markdown text, in order.
 *
 * @example
 * ```ts
 * linksOf('[r1]: a.png\n<img src="b.png">').map((link) => link.path); // ['a.png', 'b.png']
 * ```
 */
export function linksOf(text: string): MarkdownLink[] {
  return findLinks(text, { references: true, html: true });
}

/**
 * The file a local link's path means from `document`: relative to its folder, or to the workspace folder when it
 * starts with `/` (an untitled note's folder is the first workspace folder).
 *
 * @example
 * ```ts
 * resolveLink(Uri.file('/ws/notes/post.md'), 'img/a.png'); // Uri /ws/notes/img/a.png
 * ```
 */
export function resolveLink(document: vscode.Uri, path: string): vscode.Uri | undefined {
  const folder =
    vscode.workspace.getWorkspaceFolder(document)?.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  if (path.startsWith('/')) return folder?.with({ path: posix.join(folder.path, path) });
  if (document.scheme === 'untitled') return folder?.with({ path: posix.join(folder.path, path) });
  return document.with({ path: posix.join(posix.dirname(document.path), path) });
}

/**
 * The local links of `text` (in `document`) that point at `file`.
 *
 * @example
 * ```ts
 * linksTo(document.uri, document.getText(), Uri.file('/ws/notes/shot.png'));
 * ```
 */
export function linksTo(document: vscode.Uri, text: string, file: vscode.Uri): MarkdownLink[] {
  return linksOf(text).filter(
    (link) => link.local && resolveLink(document, link.path)?.toString() === file.toString(),
  );
}
