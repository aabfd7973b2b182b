/**
 * Files of the plugin's own, in its folder under the config folder (`.obsidian/plugins/bytedrop/`), through the
 * vault's adapter: on disk on this device (and synced only with the config folder), never in the vault's index, so
 * they never show up as notes or attachments.
 */
import { type DataAdapter, normalizePath } from 'obsidian';

export class PluginFolder {
  readonly #adapter: DataAdapter;
  readonly #dir: string;

  constructor(adapter: DataAdapter, dir: string) {
    this.#adapter = adapter;
    this.#dir = normalizePath(dir);
  }

  path(name: string): string {
    return normalizePath(`${this.#dir}/${name}`);
  }

  /** The text of `name`, or undefined when there is no such file. */
  async read(name: string): Promise<string | undefined> {
    const path = this.path(name);
    return (await this.#adapter.exists(path)) ? this.#adapter.read(path) : undefined;
  }

  /** Writes `name`, making its folder first. Resolves once the adapter wrote it (it then survives the app dying). */
  async write(name: string, text: string): Promise<void> {
    const path = this.path(name);
    const folder = path.slice(0, path.lastIndexOf('/'));
    if (!(await this.#adapter.exists(folder))) await this.#adapter.mkdir(folder);
    await this.#adapter.write(path, text);
  }

  async remove(name: string): Promise<void> {
    const path = this.path(name);
    if (await this.#adapter.exists(path)) await this.#adapter.remove(path);
  }

  /** The names of the files in the subfolder `folder` (none when it does not exist). */
  async list(folder: string): Promise<string[]> {
    const path = this.path(folder);
    if (!(await this.#adapter.exists(path))) return [];
    const { files } = await this.#adapter.list(path);
    return files.map((file) => file.slice(path.length + 1));
  }
}
