/**
 * Names shared by the extension's parts: the edit kind users put in their paste/drop preferences, the keys of the
 * secrets, and the environment variables read as a fallback for the secrets.
 */
import * as vscode from 'vscode';

/**
 * The kind of Bytedrop's paste and drop edits. A sub-kind of the built-in `markdown.link.image`, so asking for image
 * links still offers it, while `editor.pasteAs.preferences: ["markdown.link.image.bytedrop"]` picks it by default.
 *
 * @example
 * ```ts
 * if (context.only && !context.only.contains(BYTEDROP_KIND)) return undefined; // "Paste As" asked for another kind
 * ```
 */
export const BYTEDROP_KIND = vscode.DocumentDropOrPasteEditKind.Empty.append(
  'markdown',
  'link',
  'image',
  'bytedrop',
);

/** The title VS Code shows in the paste/drop widget. */
export const EDIT_TITLE = 'Upload with Bytedrop';

/** SecretStorage keys. Secrets live in the OS keychain through `context.secrets`, never in settings. */
export const SECRET_ACCESS_KEY = 'bytedrop.secretAccessKey';
export const SERVER_ACCESS_KEY = 'bytedrop.serverAccessKey';

/**
 * Environment fallbacks, read by the extension host (where the workspace is): Codespaces secrets and CI arrive as
 * environment variables, and a remote host may have no keychain.
 */
export const SECRET_ACCESS_KEY_ENV = 'BYTEDROP_SECRET_ACCESS_KEY';
export const SERVER_ACCESS_KEY_ENV = 'BYTEDROP_SERVER_ACCESS_KEY';
