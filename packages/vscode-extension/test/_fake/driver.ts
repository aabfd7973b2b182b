/**
 * Test controls of the fake `vscode` API (`fake`): what the editor and the user do, paste and drop as VS Code
 * runs them, and what was recorded.
 */
import { posix } from 'node:path';
import {
  type CancellationToken,
  CancellationTokenSource,
  type Position,
  Range,
  Selection,
  Uri,
} from './base';
import {
  type DataTransfer,
  type DataTransferItem,
  type DocumentDropEdit,
  type DocumentDropOrPasteEditKind,
  type DocumentPasteEdit,
  DocumentPasteTriggerKind,
  FileDataTransferItem,
} from './data-transfer';
import { FakeTextDocument } from './documents';
import { applyInsert, mimeMatches, preferred } from './edit-order';
import {
  commandHandlers,
  dropProviders,
  executedCommands,
  matchSelector,
  type PasteRegistration,
  pasteProviders,
} from './languages';
import {
  type FakeTextEditor,
  inputBoxAnswers,
  inputBoxOptions,
  type MessageRecord,
  messageEmitter,
  messages,
  openDialogAnswers,
  outputChannels,
  progressRecords,
  quickPickAnswers,
  windowState,
} from './window';
import {
  addParents,
  configurationReads,
  directories,
  documents,
  files,
  onDidChangeTextDocumentEmitter,
  userSettings,
  workspace,
  workspaceState,
} from './workspace';

export interface PasteOutcome<T> {
  /** Every edit the providers offered, in order. */
  edits: T[];
  /** The edit the editor applied, if any. */
  applied?: T;
  /** The token the providers saw; cancelled when the user typed before they answered. */
  token: CancellationToken;
}

export const fake = {
  /** A fresh world for each test. */
  reset(): void {
    files.clear();
    directories.clear();
    directories.add('/');
    userSettings.clear();
    configurationReads.length = 0;
    for (const document of documents) document.isClosed = true;
    documents.length = 0;
    progressRecords.length = 0;
    messages.length = 0;
    inputBoxAnswers.length = 0;
    inputBoxOptions.length = 0;
    quickPickAnswers.length = 0;
    openDialogAnswers.length = 0;
    outputChannels.clear();
    pasteProviders.length = 0;
    dropProviders.length = 0;
    commandHandlers.clear();
    executedCommands.length = 0;
    workspaceState.folders = [];
    windowState.activeTextEditor = undefined;
    workspaceState.applyHook = undefined;
    workspace.isTrusted = true;
  },
  files,
  settings: userSettings,
  configurationReads,
  progress: progressRecords,
  messages,
  inputBoxAnswers,
  inputBoxOptions,
  quickPickAnswers,
  openDialogAnswers,
  outputChannels,
  pasteProviders,
  dropProviders,
  executedCommands,
  setWorkspaceFolder(path: string): Uri {
    const uri = Uri.file(path);
    workspaceState.folders = [{ uri, name: posix.basename(path), index: 0 }];
    directories.add(path);
    addParents(`${path}/x`);
    return uri;
  },
  /** Opens a document (and writes it to the file system, like a saved file). */
  openDocument(path: string, text: string, languageId = 'markdown'): FakeTextDocument {
    const uri = Uri.file(path);
    addParents(path);
    files.set(path, new TextEncoder().encode(text));
    const document = new FakeTextDocument(uri, languageId, text);
    documents.push(document);
    return document;
  },
  /** An empty window: no folder open. */
  removeWorkspaceFolders(): void {
    workspaceState.folders = [];
  },
  /** A new, never saved document (`untitled:` scheme). */
  openUntitled(text: string, languageId = 'markdown'): FakeTextDocument {
    const count = documents.filter((document) => document.uri.scheme === 'untitled').length + 1;
    const document = new FakeTextDocument(Uri.parse(`untitled:Untitled-${count}`), languageId, text);
    documents.push(document);
    return document;
  },
  closeDocument(document: FakeTextDocument): void {
    document.isClosed = true;
  },
  showEditor(document: FakeTextDocument, offset = document.getText().length): FakeTextEditor {
    const position = document.positionAt(offset);
    const selection = new Selection(position, position);
    const editor: FakeTextEditor = {
      document,
      selection,
      selections: [selection],
      async edit(callback) {
        const edits: { range: Range; newText: string }[] = [];
        callback({
          replace: (range, newText) => edits.push({ range, newText }),
          insert: (at, newText) => edits.push({ range: new Range(at, at), newText }),
        });
        document.applyTextEdits(edits);
        return true;
      },
    };
    windowState.activeTextEditor = editor;
    return editor;
  },
  /** The user types `text` at `offset` (a local edit: applied at once, version bumped). */
  type(document: FakeTextDocument, offset: number, text: string): void {
    const at = document.positionAt(offset);
    document.applyTextEdits([{ range: new Range(at, at), newText: text }]);
  },
  /** Runs `action` while the next `workspace.applyEdit` is in flight, as a user typing at that instant. */
  duringNextApplyEdit(action: () => void): void {
    workspaceState.applyHook = action;
  },
  /** A file as the clipboard or a drop hands it over; `data` may be a function to observe the read. */
  fileItem(name: string, data: Uint8Array | (() => Promise<Uint8Array>), uri?: Uri): DataTransferItem {
    return new FileDataTransferItem({
      name,
      ...(uri ? { uri } : {}),
      data: typeof data === 'function' ? data : async () => data,
    });
  },
  /** Resolves with the next message shown (or one already shown that matches). */
  nextMessage(predicate: (message: MessageRecord) => boolean = () => true): Promise<MessageRecord> {
    const existing = messages.find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => {
      const subscription = messageEmitter.event((message) => {
        if (!predicate(message)) return;
        subscription.dispose();
        resolve(message);
      });
    });
  },
  /**
   * What VS Code does on Ctrl+V: ask every matching paste provider, pick the preferred edit
   * (`editor.pasteAs.preferences`, else the first), resolve it, then apply it — unless the document changed while
   * providers ran, which cancels the paste. `whileProviding` runs once each provider has started and not yet
   * answered: a user typing at that instant.
   */
  async paste(
    document: FakeTextDocument,
    ranges: readonly Range[],
    dataTransfer: DataTransfer,
    context: {
      only?: DocumentDropOrPasteEditKind;
      triggerKind?: DocumentPasteTriggerKind;
      whileProviding?: () => void;
    } = {},
  ): Promise<PasteOutcome<DocumentPasteEdit>> {
    const source = new CancellationTokenSource();
    const version = document.version;
    const cancelOnType = onDidChangeTextDocumentEmitter.event((event) => {
      if (event.document === document) source.cancel();
    });
    const edits: DocumentPasteEdit[] = [];
    // VS Code resolves an edit with the provider that made it.
    const owners = new Map<DocumentPasteEdit, PasteRegistration['provider']>();
    try {
      for (const { selector, provider, metadata } of pasteProviders) {
        if (!matchSelector(selector, document)) continue;
        if (!(metadata.pasteMimeTypes ?? []).some((pattern) => mimeMatches(pattern, dataTransfer))) continue;
        const answer = provider.provideDocumentPasteEdits?.(
          document,
          ranges,
          dataTransfer,
          { only: context.only, triggerKind: context.triggerKind ?? DocumentPasteTriggerKind.Automatic },
          source.token,
        );
        context.whileProviding?.();
        const result = await answer;
        for (const edit of result ?? []) {
          if (context.only && !context.only.contains(edit.kind)) continue;
          edits.push(edit);
          owners.set(edit, provider);
        }
      }
      const chosen = preferred(edits, 'editor.pasteAs.preferences');
      if (!chosen || source.token.isCancellationRequested) return { edits, token: source.token };
      const provider = owners.get(chosen);
      const resolved = (await provider?.resolveDocumentPasteEdit?.(chosen, source.token)) ?? chosen;
      if (source.token.isCancellationRequested || document.version !== version)
        return { edits, token: source.token };
      cancelOnType.dispose();
      return (await applyInsert(document, ranges, resolved))
        ? { edits, applied: resolved, token: source.token }
        : { edits, token: source.token };
    } finally {
      cancelOnType.dispose();
    }
  },
  /**
   * What VS Code 1.139 does when files are dropped into the editor: asks the drop providers, picks the preferred edit
   * (`editor.dropIntoEditor.preferences`) and applies it without resolving it.
   */
  async drop(
    document: FakeTextDocument,
    position: Position,
    dataTransfer: DataTransfer,
  ): Promise<PasteOutcome<DocumentDropEdit>> {
    const source = new CancellationTokenSource();
    const edits: DocumentDropEdit[] = [];
    for (const { selector, provider, metadata } of dropProviders) {
      if (!matchSelector(selector, document)) continue;
      if (metadata && !metadata.dropMimeTypes.some((pattern) => mimeMatches(pattern, dataTransfer))) continue;
      const result = await provider.provideDocumentDropEdits(document, position, dataTransfer, source.token);
      edits.push(...(result ? (Array.isArray(result) ? result : [result]) : []));
    }
    const chosen = preferred(edits, 'editor.dropIntoEditor.preferences');
    if (!chosen) return { edits, token: source.token };
    // VS Code 1.139 applies the chosen drop edit as provided: resolveDocumentDropEdit is never called.
    const applied = await applyInsert(document, [new Range(position, position)], chosen);
    return applied ? { edits, applied: chosen, token: source.token } : { edits, token: source.token };
  },
};
