/** Obsidian's keychain (since 1.11.4): secrets by id, kept outside the vault and its plugin data. */
import { Events } from './events';

export class SecretStorage extends Events {
  readonly #secrets = new Map<string, string>();

  setSecret(id: string, secret: string): void {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) throw new Error(`Invalid secret ID '${id}'`);
    this.#secrets.set(id, secret);
  }

  getSecret(id: string): string | null {
    return this.#secrets.get(id) ?? null;
  }

  listSecrets(): string[] {
    return [...this.#secrets.keys()];
  }
}
