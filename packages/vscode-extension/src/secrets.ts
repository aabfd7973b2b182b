/**
 * The two secrets (S3 secret access key, Bytedrop server access key), from SecretStorage (the OS keychain) or else
 * the extension host's environment; never from settings. A copy is kept in memory, refreshed whenever the stored
 * value changes, so a paste can tell at once whether Bytedrop is set up (VS Code gives a paste provider no time to
 * wait for the keychain), and a changed secret applies to the very next upload.
 */
import type * as vscode from 'vscode';
import {
  SECRET_ACCESS_KEY,
  SECRET_ACCESS_KEY_ENV,
  SERVER_ACCESS_KEY,
  SERVER_ACCESS_KEY_ENV,
} from './constants';

/** Which secret: the S3 secret access key, or the Bytedrop server's access key. */
export type SecretKind = 's3' | 'server';

const KEYS: Record<SecretKind, { key: string; env: string }> = {
  s3: { key: SECRET_ACCESS_KEY, env: SECRET_ACCESS_KEY_ENV },
  server: { key: SERVER_ACCESS_KEY, env: SERVER_ACCESS_KEY_ENV },
};

function fromEnv(kind: SecretKind): string | undefined {
  const value = process.env[KEYS[kind].env]?.trim();
  return value ? value : undefined;
}

/**
 * The secrets, read once at activation and again on every change.
 *
 * @example
 * ```ts
 * const secrets = new Secrets(context.secrets);
 * await secrets.loaded;
 * secrets.known('s3'); // the stored secret, or the environment's, or undefined
 * ```
 */
export class Secrets implements vscode.Disposable {
  private readonly values = new Map<SecretKind, string | undefined>();
  private readonly subscription: vscode.Disposable;
  /** Settles once both secrets have been read. */
  readonly loaded: Promise<void>;

  constructor(readonly storage: vscode.SecretStorage) {
    this.loaded = Promise.all((Object.keys(KEYS) as SecretKind[]).map((kind) => this.refresh(kind))).then(
      () => undefined,
    );
    this.subscription = storage.onDidChange(({ key }) => {
      const kind = (Object.keys(KEYS) as SecretKind[]).find((candidate) => KEYS[candidate].key === key);
      if (kind) void this.refresh(kind);
    });
  }

  private async refresh(kind: SecretKind): Promise<string | undefined> {
    const stored = (await this.storage.get(KEYS[kind].key))?.trim();
    this.values.set(kind, stored ? stored : undefined);
    return this.values.get(kind);
  }

  /** The secret as last read, without waiting: for deciding in a paste whether Bytedrop is set up. */
  known(kind: SecretKind): string | undefined {
    return this.values.get(kind) ?? fromEnv(kind);
  }

  /** The secret as stored now: for an upload, which may follow a change by a moment. */
  async current(kind: SecretKind): Promise<string | undefined> {
    return (await this.refresh(kind)) ?? fromEnv(kind);
  }

  /** Stores a secret (an empty value removes it). */
  async store(kind: SecretKind, value: string): Promise<void> {
    if (value === '') await this.storage.delete(KEYS[kind].key);
    else await this.storage.store(KEYS[kind].key, value);
    await this.refresh(kind);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
