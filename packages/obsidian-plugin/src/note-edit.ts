/**
 * Replacing text in a note wherever it lives by then: in an open editor showing the note (so the user's cursor,
 * undo history and unsaved typing survive), else in the file itself with `vault.process` (the user switched notes
 * or closed the tab mid-upload).
 */
import { type App, MarkdownView, type TFile } from 'obsidian';

/**
 * Replaces every occurrence of `search` in `note` with `replacement`. Returns how many were replaced:
 * 0 means the text is gone (the user deleted it), which callers must report rather than ignore.
 */
export async function replaceInNote(
  app: App,
  note: TFile,
  search: string,
  replacement: string,
): Promise<number> {
  let open = false;
  for (const leaf of app.workspace.getLeavesOfType('markdown')) {
    const view = leaf.view;
    if (!(view instanceof MarkdownView) || view.file !== note) continue;
    open = true;
    const editor = view.editor;
    const offsets: number[] = [];
    const text = editor.getValue();
    for (
      let index = text.indexOf(search);
      index !== -1;
      index = text.indexOf(search, index + search.length)
    ) {
      offsets.push(index);
    }
    if (offsets.length === 0) continue;
    // Back to front, so earlier offsets stay valid.
    for (const offset of offsets.reverse()) {
      editor.replaceRange(
        replacement,
        editor.offsetToPos(offset),
        editor.offsetToPos(offset + search.length),
      );
    }
    return offsets.length;
  }
  // An open editor is the truth (it may hold unsaved typing): text gone from it must not come back from disk.
  if (open) return 0;
  let count = 0;
  await app.vault.process(note, (data) => {
    const parts = data.split(search);
    count = parts.length - 1;
    return count === 0 ? data : parts.join(replacement);
  });
  return count;
}
