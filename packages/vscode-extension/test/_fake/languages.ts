/**
 * The fake `vscode.languages`, `commands` and `env`: provider and command registries.
 */
import { type CancellationToken, Disposable } from './base';
import type { DocumentDropEdit, DocumentDropOrPasteEditKind, DocumentPasteEdit } from './data-transfer';
import type { FakeTextDocument } from './documents';

export type DocumentSelector =
  | string
  | { language?: string; scheme?: string }
  | readonly ({ language?: string; scheme?: string } | string)[];

export function matchSelector(selector: DocumentSelector, document: FakeTextDocument): boolean {
  if (Array.isArray(selector)) return selector.some((entry) => matchSelector(entry, document));
  if (typeof selector === 'string') return selector === '*' || selector === document.languageId;
  const filter = selector as { language?: string; scheme?: string };
  return (
    (filter.language === undefined || filter.language === '*' || filter.language === document.languageId) &&
    (filter.scheme === undefined || filter.scheme === document.uri.scheme)
  );
}

export interface PasteRegistration {
  selector: DocumentSelector;
  provider: {
    provideDocumentPasteEdits?(
      ...args: unknown[]
    ): Thenable<DocumentPasteEdit[] | undefined | null> | DocumentPasteEdit[] | undefined;
    resolveDocumentPasteEdit?(
      edit: DocumentPasteEdit,
      token: CancellationToken,
    ): Thenable<DocumentPasteEdit | undefined> | DocumentPasteEdit | undefined;
  };
  metadata: {
    providedPasteEditKinds: readonly DocumentDropOrPasteEditKind[];
    pasteMimeTypes?: readonly string[];
  };
}

export interface DropRegistration {
  selector: DocumentSelector;
  provider: {
    provideDocumentDropEdits(
      ...args: unknown[]
    ):
      | Thenable<DocumentDropEdit | DocumentDropEdit[] | undefined | null>
      | DocumentDropEdit
      | DocumentDropEdit[]
      | undefined;
    resolveDocumentDropEdit?(
      edit: DocumentDropEdit,
      token: CancellationToken,
    ): Thenable<DocumentDropEdit | undefined> | DocumentDropEdit | undefined;
  };
  metadata?: {
    providedDropEditKinds?: readonly DocumentDropOrPasteEditKind[];
    dropMimeTypes: readonly string[];
  };
}

export const pasteProviders: PasteRegistration[] = [];
export const dropProviders: DropRegistration[] = [];
export const commandHandlers = new Map<string, (...args: unknown[]) => unknown>();
export const executedCommands: { id: string; args: unknown[] }[] = [];

export const languages = {
  registerDocumentPasteEditProvider(
    selector: DocumentSelector,
    provider: PasteRegistration['provider'],
    metadata: PasteRegistration['metadata'],
  ): Disposable {
    const registration = { selector, provider, metadata };
    pasteProviders.push(registration);
    return new Disposable(() => pasteProviders.splice(pasteProviders.indexOf(registration), 1));
  },
  registerDocumentDropEditProvider(
    selector: DocumentSelector,
    provider: DropRegistration['provider'],
    metadata?: DropRegistration['metadata'],
  ): Disposable {
    const registration = { selector, provider, ...(metadata ? { metadata } : {}) };
    dropProviders.push(registration);
    return new Disposable(() => dropProviders.splice(dropProviders.indexOf(registration), 1));
  },
  match(selector: DocumentSelector, document: FakeTextDocument): number {
    return matchSelector(selector, document) ? 10 : 0;
  },
};

export const commands = {
  registerCommand(id: string, handler: (...args: unknown[]) => unknown): Disposable {
    if (commandHandlers.has(id)) throw new Error(`command '${id}' already exists`);
    commandHandlers.set(id, handler);
    return new Disposable(() => commandHandlers.delete(id));
  },
  async executeCommand<T>(id: string, ...args: unknown[]): Promise<T> {
    const handler = commandHandlers.get(id);
    // The workbench's own commands (open settings…) only record that they ran.
    if (!handler && /^(workbench|editor)\./.test(id)) {
      executedCommands.push({ id, args });
      return undefined as T;
    }
    if (!handler) throw new Error(`command '${id}' not found`);
    return (await handler(...args)) as T;
  },
};

export const env = { appName: 'Fake Code', uiKind: 1, remoteName: undefined as string | undefined };

export enum ExtensionMode {
  Production = 1,
  Development = 2,
  Test = 3,
}
