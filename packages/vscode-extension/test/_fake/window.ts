/**
 * The fake `vscode.window`: progress, messages, pickers and editors, each recorded for the tests.
 */
import {
  type CancellationToken,
  CancellationTokenSource,
  EventEmitter,
  type Position,
  type Range,
  type Selection,
  type Uri,
} from './base';
import type { FakeTextDocument } from './documents';

export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}

export interface ProgressRecord {
  options: { location: ProgressLocation; title?: string; cancellable?: boolean };
  reports: { message?: string; increment?: number }[];
  /** What the user does when clicking Cancel on the notification. */
  cancel(): void;
  done: boolean;
}

export interface MessageRecord {
  severity: 'error' | 'warning' | 'info';
  message: string;
  items: string[];
  /** The user clicks one of the message's buttons (or dismisses it with `undefined`). */
  respond(item: string | undefined): void;
}

export const progressRecords: ProgressRecord[] = [];
export const messages: MessageRecord[] = [];
export const messageEmitter = new EventEmitter<MessageRecord>();
export const inputBoxAnswers: (string | undefined)[] = [];
export const openDialogAnswers: (Uri[] | undefined)[] = [];
export const inputBoxOptions: Record<string, unknown>[] = [];
export const quickPickAnswers: (string | undefined)[] = [];
export const outputChannels = new Map<string, string[]>();

function showMessage(severity: MessageRecord['severity']) {
  return (message: string, ...rest: unknown[]): Promise<string | undefined> =>
    new Promise((resolve) => {
      // Options objects (modal, detail) may come first, like in VS Code.
      const items = rest.filter((item): item is string => typeof item === 'string');
      const record: MessageRecord = { severity, message, items, respond: resolve };
      messages.push(record);
      messageEmitter.fire(record);
    });
}

export interface FakeTextEditor {
  document: FakeTextDocument;
  selection: Selection;
  selections: Selection[];
  edit(
    callback: (builder: {
      replace(range: Range, text: string): void;
      insert(at: Position, text: string): void;
    }) => void,
  ): Promise<boolean>;
}

/** The active editor, which the test controls set. */
export const windowState: { activeTextEditor: FakeTextEditor | undefined } = { activeTextEditor: undefined };

export const window = {
  async withProgress<R>(
    options: ProgressRecord['options'],
    task: (
      progress: { report(value: { message?: string; increment?: number }): void },
      token: CancellationToken,
    ) => Thenable<R>,
  ): Promise<R> {
    const source = new CancellationTokenSource();
    const record: ProgressRecord = {
      options,
      reports: [],
      cancel: () => {
        if (!options.cancellable) throw new Error('this progress has no Cancel button');
        source.cancel();
      },
      done: false,
    };
    progressRecords.push(record);
    try {
      return await task({ report: (value) => record.reports.push(value) }, source.token);
    } finally {
      record.done = true;
    }
  },
  showErrorMessage: showMessage('error'),
  showWarningMessage: showMessage('warning'),
  showInformationMessage: showMessage('info'),
  /** Answers with the next of `fake.inputBoxAnswers`, refused like VS Code does when `validateInput` objects. */
  async showInputBox(options?: {
    validateInput?: (value: string) => string | undefined | Promise<string | undefined>;
  }): Promise<string | undefined> {
    inputBoxOptions.push(options ?? {});
    const answer = inputBoxAnswers.shift();
    if (answer !== undefined && (await options?.validateInput?.(answer)))
      throw new Error(`the input box refuses '${answer}': ${await options?.validateInput?.(answer)}`);
    return answer;
  },
  /** Answers with the next of `fake.quickPickAnswers` (an item's label), which must be one of the items. */
  async showQuickPick(items: readonly string[]): Promise<string | undefined> {
    const answer = quickPickAnswers.shift();
    if (answer !== undefined && !items.includes(answer))
      throw new Error(`'${answer}' is not offered: ${items.join(', ')}`);
    return answer;
  },
  async showOpenDialog(): Promise<Uri[] | undefined> {
    return openDialogAnswers.shift();
  },
  get activeTextEditor(): FakeTextEditor | undefined {
    return windowState.activeTextEditor;
  },
  createOutputChannel(name: string) {
    const lines: string[] = [];
    outputChannels.set(name, lines);
    return {
      name,
      append: (text: string) => lines.push(text),
      appendLine: (line: string) => lines.push(line),
      clear: () => lines.splice(0),
      show: () => undefined,
      dispose: () => undefined,
    };
  },
};
