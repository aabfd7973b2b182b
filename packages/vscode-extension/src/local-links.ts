/**
 * Finds the Markdown links of a document that point at local files, for "Upload local images in this document".
 * Inline links only (`![alt](path)`, `[text](path "title")`): reference definitions and HTML are left alone.
 */
import { posix } from 'node:path';
import * as vscode from 'vscode';

/** `!?[text](destination "title")`, with `<…>` destinations and one level of balanced parentheses. */
const INLINE_LINK =
  /(!?)\[((?:\\.|[^\]\\\n])*)\]\([ \t]*(<[^<>\n]*>|(?:[^\s()<>\\]|\\.|\([^\s()]*\))+)((?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*)\)/dg;

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

function localTarget(document: vscode.Uri, destination: string): vscode.Uri | undefined {
  let path = destination.startsWith('<') ? destination.slice(1, -1) : destination.replace(/\\(.)/g, '$1');
  // Schemes (http:, data:, mailto:), protocol-relative URLs and in-page anchors are not local files.
  if (/^[a-z][a-z\d+.-]*:/i.test(path) || path.startsWith('//') || path.startsWith('#') || path === '')
    return undefined;
  path = path.replace(/[?#].*$/, '');
  try {
    path = decodeURIComponent(path);
  } catch {
    // A lone `%` is a literal character in a file name.
  }
  if (DOCUMENT_EXTENSIONS.has(posix.extname(path).toLowerCase())) return undefined;
  // `/x.png` is relative to the workspace folder, as in VS Code's Markdown preview.
  const root = path.startsWith('/')
    ? vscode.workspace.getWorkspaceFolder(document)?.uri.path
    : posix.dirname(document.path);
  return root === undefined ? undefined : document.with({ path: posix.join(root, path) });
}

/** Wraps a URL in `<…>` when Markdown would otherwise end the destination early. */
function markdownDestination(url: string): string {
  return /[\s()<>]/.test(url) ? `<${url.replace(/[<>]/g, (char) => encodeURIComponent(char))}>` : url;
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
  for (const match of document.getText().matchAll(INLINE_LINK)) {
    const text = match[0];
    const destination = match[3] as string;
    const target = localTarget(document.uri, destination);
    const span = match.indices?.[3];
    if (!target || !span || links.has(text)) continue;
    const start = span[0] - match.index;
    const end = span[1] - match.index;
    links.set(text, {
      text,
      target,
      withUrl: (url) => `${text.slice(0, start)}${markdownDestination(url)}${text.slice(end)}`,
    });
  }
  return [...links.values()];
}
