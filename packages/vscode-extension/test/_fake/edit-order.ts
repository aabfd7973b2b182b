import type { Range, SnippetString } from './base';
import { type DataTransfer, DocumentDropOrPasteEditKind } from './data-transfer';
import { type FakeTextDocument, WorkspaceEdit } from './documents';
import { getConfiguration, workspace } from './workspace';

export function mimeMatches(pattern: string, dataTransfer: DataTransfer): boolean {
  for (const [mime, item] of dataTransfer) {
    if (pattern === 'files' && item.asFile()) return true;
    if (pattern === mime || (pattern.endsWith('/*') && mime.startsWith(pattern.slice(0, -1)))) return true;
  }
  return false;
}

type Ordered = { kind?: DocumentDropOrPasteEditKind; yieldTo?: readonly DocumentDropOrPasteEditKind[] };

/** VS Code's `sortEditsByYieldTo`: an edit that yields to another comes after it. */
export function sortByYieldTo<T extends Ordered>(edits: readonly T[]): T[] {
  const yieldsTo = new Map<T, T[]>();
  for (const edit of edits)
    for (const kind of edit.yieldTo ?? [])
      for (const other of edits)
        if (other !== edit && other.kind && kind.contains(other.kind))
          yieldsTo.set(edit, [...(yieldsTo.get(edit) ?? []), other]);
  const placed = new Set<T>();
  const visit = (list: readonly T[]): T[] => {
    const [first, ...rest] = list;
    if (!first) return [];
    if (placed.has(first)) return visit(rest);
    placed.add(first);
    return [...visit(yieldsTo.get(first) ?? []), first, ...visit(rest)];
  };
  return visit(edits);
}

export function preferred<T extends Ordered>(unsorted: T[], setting: string): T | undefined {
  const edits = sortByYieldTo(unsorted);
  const preferences = (getConfiguration().get<string[]>(setting) ?? []).map(
    (value) => new DocumentDropOrPasteEditKind(value),
  );
  for (const preference of preferences) {
    const edit = edits.find((candidate) => candidate.kind && preference.contains(candidate.kind));
    if (edit) return edit;
  }
  return edits[0];
}

export async function applyInsert(
  document: FakeTextDocument,
  ranges: readonly Range[],
  edit: { insertText: string | SnippetString; additionalEdit?: WorkspaceEdit },
): Promise<boolean> {
  const text = typeof edit.insertText === 'string' ? edit.insertText : edit.insertText.value;
  const workspaceEdit = new WorkspaceEdit();
  for (const range of ranges) workspaceEdit.replace(document.uri, range, text);
  // VS Code applies the text, then the additional edit; a file it cannot write fails that part only (logged).
  const applied = await workspace.applyEdit(workspaceEdit);
  if (applied && edit.additionalEdit) await workspace.applyEdit(edit.additionalEdit).catch(() => false);
  return applied;
}
