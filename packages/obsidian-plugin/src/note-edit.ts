/**
 * Editing a note wherever it lives by then: in an open editor showing the note (so the user's cursor, undo history
 * and unsaved typing survive), else in the file itself with `vault.process` (the user switched notes or closed the
 * tab mid-upload). Edits are computed from the note's text at the moment they are applied, never from an older copy.
 */
import { findLinks, type MarkdownLink } from '@bytedrop/core';
import { type App, MarkdownView, type TFile } from 'obsidian';

/** One replacement, by offsets into the text it was computed from. */
export interface NoteEdit {
  from: number;
  to: number;
  text: string;
}

/** The open Markdown view showing `note`, if any. */
export function openViewOf(app: App, note: TFile): MarkdownView | undefined {
  return app.workspace
    .getLeavesOfType('markdown')
    .map((leaf) => leaf.view)
    .find((view): view is MarkdownView => view instanceof MarkdownView && view.file === note);
}

/** The note's text as the user sees it: the open editor's (maybe unsaved), else the file's. */
export async function currentText(app: App, note: TFile): Promise<string> {
  return openViewOf(app, note)?.editor.getValue() ?? (await app.vault.read(note));
}

/**
 * Applies the edits `plan` computes from the note's current text. Returns how many were applied: 0 means nothing
 * matched (the user deleted it), which callers must report rather than ignore. Throws when the note is gone.
 */
export async function editNote(app: App, note: TFile, plan: (text: string) => NoteEdit[]): Promise<number> {
  const view = openViewOf(app, note);
  if (view !== undefined) {
    const { editor } = view;
    const edits = plan(editor.getValue());
    // Back to front, so earlier offsets stay valid.
    for (const edit of [...edits].sort((a, b) => b.from - a.from)) {
      editor.replaceRange(edit.text, editor.offsetToPos(edit.from), editor.offsetToPos(edit.to));
    }
    return edits.length;
  }
  let count = 0;
  await app.vault.process(note, (data) => {
    const edits = plan(data);
    count = edits.length;
    let text = data;
    for (const edit of [...edits].sort((a, b) => b.from - a.from)) {
      text = text.slice(0, edit.from) + edit.text + text.slice(edit.to);
    }
    return text;
  });
  return count;
}

/** Replaces every occurrence of `search` in `note` with `replacement`; returns how many. */
export function replaceInNote(app: App, note: TFile, search: string, replacement: string): Promise<number> {
  return editNote(app, note, (text) => {
    const edits: NoteEdit[] = [];
    for (let at = text.indexOf(search); at !== -1; at = text.indexOf(search, at + search.length)) {
      edits.push({ from: at, to: at + search.length, text: replacement });
    }
    return edits;
  });
}

/** Every link form a note can point at a file or URL with; code spans and fenced blocks are never links. */
export const EVERY_LINK = { wikiEmbeds: true, wikiLinks: true, references: true, html: true } as const;

/**
 * Rewrites the links of `note` that `rewrite` returns new text for, found in its current text by core's
 * `findLinks` (so a link written inside code is never touched). Returns how many were rewritten.
 */
export function rewriteLinks(
  app: App,
  note: TFile,
  rewrite: (link: MarkdownLink) => string | undefined,
): Promise<number> {
  return editNote(app, note, (text) =>
    findLinks(text, EVERY_LINK).flatMap((link) => {
      const replacement = rewrite(link);
      return replacement === undefined ? [] : [{ from: link.start, to: link.end, text: replacement }];
    }),
  );
}
