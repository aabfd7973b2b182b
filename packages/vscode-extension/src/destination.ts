/**
 * Where a file goes when it cannot be uploaded: the place VS Code's own Markdown paste would copy it to.
 * Follows `markdown.copyFiles.destination` (glob of the document → destination with `${…}` variables) and
 * `markdown.copyFiles.overwriteBehavior`, else the document's folder. Mirrors VS Code's copyFiles.ts.
 */
import { posix } from 'node:path';
import { BytedropError } from '@bytedrop/core';
import * as vscode from 'vscode';
import { globToRegExp } from './glob';
import { statHere } from './local-fs';

/** Relative globs match anywhere (`**\/` in front); globs starting with `/` are anchored to the workspace folders. */
function globsOf(rawGlob: string): string[] {
  if (rawGlob.startsWith('/')) {
    return (vscode.workspace.workspaceFolders ?? []).map((folder) => posix.join(folder.uri.path, rawGlob));
  }
  return rawGlob.startsWith('**') ? [rawGlob] : [`**/${rawGlob}`];
}

function resolveVariables(document: vscode.Uri, fileName: string, destination: string): string {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: VS Code's own `${variable}` syntax, not a template literal.
  let out = destination.trim() || '${fileName}';
  // A destination starting with `/` is relative to the workspace folder; one ending with `/` is a folder.
  if (out.startsWith('/')) out = `\${documentWorkspaceFolder}/${out.slice(1)}`;
  // biome-ignore lint/suspicious/noTemplateCurlyInString: VS Code's `${variable}` syntax.
  if (out.endsWith('/')) out += '${fileName}';
  const documentDir = posix.dirname(document.path);
  const documentFile = posix.basename(document.path);
  const documentExt = posix.extname(document.path);
  const folder = vscode.workspace.getWorkspaceFolder(document)?.uri.path;
  const now = new Date();
  const variables: Record<string, string> = {
    documentDirName: documentDir,
    documentRelativeDirName: folder ? posix.relative(folder, documentDir) : documentDir,
    documentFileName: documentFile,
    documentBaseName: documentFile.slice(0, documentFile.length - documentExt.length),
    documentExtName: documentExt.replace('.', ''),
    documentFilePath: document.path,
    documentRelativeFilePath: folder ? posix.relative(folder, document.path) : document.path,
    documentWorkspaceFolder: folder ?? documentDir,
    fileName,
    fileExtName: posix.extname(fileName).replace('.', ''),
    unixTime: String(now.getTime()),
    isoTime: now.toISOString(),
  };
  // `${name}` or `${name/pattern/replacement/}`; `\$` escapes a dollar, as in VS Code.
  return out.replace(
    /(\\\$)|(?<!\\)\$\{(\w+)(?:\/((?:\\\/|[^}/])+)\/((?:\\\/|[^}/])*)\/)?\}/g,
    (match, escaped: string | undefined, name: string, pattern?: string, replacement?: string) => {
      if (escaped) return '$';
      const value = variables[name];
      if (value === undefined) return match;
      if (pattern === undefined) return value;
      try {
        return value.replace(
          new RegExp(pattern.replace(/\\\//g, '/')),
          (replacement ?? '').replace(/\\\//g, '/'),
        );
      } catch {
        return value;
      }
    },
  );
}

/** Taken: promised to a copy not written yet, or on disk (asked without waiting where possible: see local-fs.ts). */
async function exists(uri: vscode.Uri, reserved: ReadonlySet<string>): Promise<boolean> {
  return reserved.has(uri.toString()) || (await statHere(uri)) !== undefined;
}

/**
 * The URI VS Code's Markdown paste would give `fileName` pasted into `document`, made unique with `-1`, `-2`…
 * unless `markdown.copyFiles.overwriteBehavior` is `overwrite`. `reserved` holds URIs promised to files not written
 * yet (two pastes a moment apart must not get the same name); they count as taken whatever the setting says.
 *
 * @example
 * ```ts
 * await fallbackDestination(Uri.file('/ws/docs/post.md'), 'image.png'); // Uri /ws/docs/image.png (or image-1.png)
 * ```
 */
export async function fallbackDestination(
  document: vscode.Uri,
  fileName: string,
  reserved: ReadonlySet<string> = new Set(),
): Promise<vscode.Uri> {
  const config = vscode.workspace.getConfiguration('markdown', document);
  const destinations = config.get<Record<string, string>>('copyFiles.destination') ?? {};
  const overwrite = config.get<string>('copyFiles.overwriteBehavior') === 'overwrite';
  // biome-ignore lint/suspicious/noTemplateCurlyInString: VS Code's `${variable}` syntax.
  let destination = '${fileName}';
  for (const [rawGlob, value] of Object.entries(destinations)) {
    if (globsOf(rawGlob).some((glob) => globToRegExp(glob).test(document.path))) {
      destination = value;
      break;
    }
  }
  // An untitled note has no folder: like VS Code, use the first workspace folder's root.
  if (document.scheme === 'untitled') {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (!folder) {
      throw new BytedropError(
        'ERR_INPUT',
        `'${fileName}' has no place to go: save the note or open a folder first`,
      );
    }
    return unique(vscode.Uri.joinPath(folder, fileName), overwrite, reserved);
  }
  const resolved = resolveVariables(document, fileName, destination);
  const target = resolved.startsWith('/')
    ? document.with({ path: posix.normalize(resolved) })
    : document.with({ path: posix.join(posix.dirname(document.path), resolved) });
  return unique(target, overwrite, reserved);
}

/** `target`, or `name-1.ext`, `name-2.ext`… when taken (VS Code's `nameIncrementally`). */
async function unique(
  target: vscode.Uri,
  overwrite: boolean,
  reserved: ReadonlySet<string>,
): Promise<vscode.Uri> {
  if (overwrite ? !reserved.has(target.toString()) : !(await exists(target, reserved))) return target;
  const ext = posix.extname(target.path);
  const base = target.path.slice(0, target.path.length - ext.length);
  for (let n = 1; ; n++) {
    const candidate = target.with({ path: `${base}-${n}${ext}` });
    if (!(await exists(candidate, reserved))) return candidate;
  }
}

/**
 * The link destination from a document to a file: a relative posix path (what VS Code's Markdown paste inserts).
 *
 * @example
 * ```ts
 * relativePath(Uri.file('/ws/docs/post.md'), Uri.file('/ws/docs/images/a.png')); // 'images/a.png'
 * ```
 */
export function relativePath(document: vscode.Uri, file: vscode.Uri): string {
  if (document.scheme === 'untitled') {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.path;
    return folder ? posix.relative(folder, file.path) : file.path;
  }
  return posix.relative(posix.dirname(document.path), file.path);
}
