/**
 * The fake extension context: mementos and secret storage that survive a reload when the test reuses them.
 */
import { EventEmitter, Uri } from './base';
import { ExtensionMode } from './languages';
import { workspaceState } from './workspace';

export interface ExtensionContext {
  subscriptions: { dispose(): unknown }[];
  secrets: FakeSecretStorage;
  globalState: FakeMemento;
  /** The workspace's storage folder (undefined in a window without a folder). */
  storageUri: Uri | undefined;
  globalStorageUri: Uri;
  extensionUri: Uri;
  extensionMode: ExtensionMode;
}

/** A Memento: values kept across reloads as long as the test reuses it. */
export class FakeMemento {
  private readonly values = new Map<string, unknown>();
  get<T>(key: string, defaultValue?: T): T | undefined {
    return this.values.has(key) ? (structuredClone(this.values.get(key)) as T) : defaultValue;
  }
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, structuredClone(value));
  }
}

/** SecretStorage: an in-memory map that records reads, so tests can see where secrets come from. */
export class FakeSecretStorage {
  private values = new Map<string, string>();
  private emitter = new EventEmitter<{ key: string }>();
  readonly reads: string[] = [];
  readonly onDidChange = this.emitter.event;
  async get(key: string): Promise<string | undefined> {
    this.reads.push(key);
    return this.values.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    this.emitter.fire({ key });
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
    this.emitter.fire({ key });
  }
}

/**
 * A context as VS Code gives `activate`. Pass the previous one's `secrets` and `globalState` to start the extension
 * again over the same machine (a window reload): storage folders are the same paths in the fake file system.
 */
export function createExtensionContext(
  previous?: Pick<ExtensionContext, 'secrets' | 'globalState'>,
): ExtensionContext {
  return {
    subscriptions: [],
    secrets: previous?.secrets ?? new FakeSecretStorage(),
    globalState: previous?.globalState ?? new FakeMemento(),
    storageUri: workspaceState.folders.length ? Uri.file('/storage/workspace') : undefined,
    globalStorageUri: Uri.file('/storage/global'),
    extensionUri: Uri.file('/extension'),
    extensionMode: ExtensionMode.Test,
  };
}
