/**
 * Replaces a piece of text (a placeholder or a link) wherever it is in a document now, however the user edited
 * around it meanwhile. Offsets are found afresh on every attempt, and an edit refused because the document changed
 * in flight (VS Code checks the version) is retried against the new text.
 */
import * as vscode from 'vscode';

/** How long to wait for the text to appear: the paste edit is applied only after the provider answered. */
const APPEAR_TIMEOUT_MS = 10_000;
const MAX_ATTEMPTS = 20;

function currentDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
}

/**
 * Resolves true when `search` is in the open document, or false after `timeoutMs`: a paste edit is applied only
 * after the provider answered, and not at all when the user picked another paste option or typed first.
 *
 * @example
 * ```ts
 * if (!(await waitForText(document.uri, placeholder))) return; // the paste never landed: do not upload
 * ```
 */
export function waitForText(
  uri: vscode.Uri,
  search: string,
  timeoutMs = APPEAR_TIMEOUT_MS,
): Promise<boolean> {
  if (currentDocument(uri)?.getText().includes(search)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (found: boolean) => {
      clearTimeout(timer);
      subscription.dispose();
      resolve(found);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    const subscription = vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document.uri.toString() === uri.toString() && event.document.getText().includes(search))
        done(true);
    });
  });
}

/**
 * Replaces every occurrence of `search` (a paste at several cursors inserts it several times) with `replacement`.
 * When the document is not open (closed before the upload finished), it is opened, patched and saved, so the
 * change is not left in an invisible dirty buffer. Returns false when `search` is not there (the user deleted or
 * undid it): there is nothing to patch then.
 *
 * @example
 * ```ts
 * await replaceText(document.uri, '![Uploading shot.png…](bytedrop:1a2b)', '![shot.png](https://cdn/…)');
 * ```
 */
export async function replaceText(
  uri: vscode.Uri,
  search: string,
  replacement: string,
  options: { appearTimeoutMs?: number } = {},
): Promise<boolean> {
  const wasOpen = currentDocument(uri) !== undefined;
  if (wasOpen && !(await waitForText(uri, search, options.appearTimeoutMs ?? APPEAR_TIMEOUT_MS)))
    return false;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const document = currentDocument(uri) ?? (await vscode.workspace.openTextDocument(uri));
    const text = document.getText();
    const edit = new vscode.WorkspaceEdit();
    for (
      let index = text.indexOf(search);
      index !== -1;
      index = text.indexOf(search, index + search.length)
    ) {
      edit.replace(
        uri,
        new vscode.Range(document.positionAt(index), document.positionAt(index + search.length)),
        replacement,
      );
    }
    if (edit.size === 0) return false;
    // Refused when the document changed between reading it and the edit arriving: read again and retry.
    if (await vscode.workspace.applyEdit(edit)) {
      if (!wasOpen) await document.save();
      return true;
    }
  }
  return false;
}
