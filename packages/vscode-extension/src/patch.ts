/**
 * Edits a document wherever the text to change is now, however the user edited around it meanwhile. Offsets are
 * found afresh on every attempt, and an edit refused because the document changed in flight (VS Code checks the
 * version) is retried against the new text. A document that is not open is opened, edited and saved, so the change
 * is not left in an invisible dirty buffer.
 */
import * as vscode from 'vscode';

/** How long to wait for the text to appear: the paste edit is applied only after the provider answered. */
const APPEAR_TIMEOUT_MS = 10_000;
const MAX_ATTEMPTS = 20;

function openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
}

/**
 * Resolves true when `search` is in the open document, or false after `timeoutMs`: a paste edit is applied only
 * after the provider answered, and not at all when the user picked another paste option or typed first.
 *
 * @example
 * ```ts
 * if (!(await waitForText(document.uri, link))) return; // the paste never landed: nothing to upload
 * ```
 */
export function waitForText(
  uri: vscode.Uri,
  search: string,
  timeoutMs = APPEAR_TIMEOUT_MS,
): Promise<boolean> {
  if (openDocument(uri)?.getText().includes(search)) return Promise.resolve(true);
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

/** One replacement, by offsets into the text it was computed from. */
export interface TextChange {
  start: number;
  end: number;
  text: string;
}

/**
 * Applies the changes `compute` finds in the document's current text; returns false when it finds none. Retried
 * with a fresh text when the user typed in between.
 *
 * @example
 * ```ts
 * await editDocument(uri, (text) => [{ start: 0, end: 1, text: '#' }]);
 * ```
 */
export async function editDocument(
  uri: vscode.Uri,
  compute: (text: string, document: vscode.TextDocument) => TextChange[],
): Promise<boolean> {
  const wasOpen = openDocument(uri) !== undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const document = openDocument(uri) ?? (await vscode.workspace.openTextDocument(uri));
    const changes = compute(document.getText(), document);
    if (changes.length === 0) return false;
    const edit = new vscode.WorkspaceEdit();
    for (const change of changes) {
      edit.replace(
        uri,
        new vscode.Range(document.positionAt(change.start), document.positionAt(change.end)),
        change.text,
      );
    }
    // Refused when the document changed between reading it and the edit arriving: read again and retry.
    if (await vscode.workspace.applyEdit(edit)) {
      if (!wasOpen && !document.isUntitled) await document.save();
      return true;
    }
  }
  return false;
}

/**
 * Replaces every occurrence of `search` (a paste at several cursors inserts it several times) with `replacement`.
 * Returns false when `search` is not there (the user deleted or undid it).
 *
 * @example
 * ```ts
 * await replaceText(document.uri, '![Uploading shot.png…](bytedrop:upload/1a2b)', '![shot.png](https://cdn/…)');
 * ```
 */
export function replaceText(uri: vscode.Uri, search: string, replacement: string): Promise<boolean> {
  return editDocument(uri, (text) => {
    const changes: TextChange[] = [];
    for (let at = text.indexOf(search); at !== -1; at = text.indexOf(search, at + search.length)) {
      changes.push({ start: at, end: at + search.length, text: replacement });
    }
    return changes;
  });
}
