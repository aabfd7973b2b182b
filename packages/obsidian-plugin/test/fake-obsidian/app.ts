/**
 * The rest of Obsidian's `App` the plugin touches: FileManager, MetadataCache, Workspace with Markdown views,
 * SecretStorage. Behaviour follows Obsidian's documented rules (attachment folder setting, `name 1.ext` dedupe,
 * frontmatter parsed from the file, views that save before switching notes and reload on external edits).
 */
import { parse, stringify } from 'yaml';
import { Editor } from './editor';
import { Events } from './events';
import { SettingModal } from './modal';
import { SecretStorage } from './secret-storage';
import { normalizePath, type TAbstractFile, TFile, Vault } from './vault';

function folderOf(path: string): string {
  return path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
}

function join(folder: string, name: string): string {
  return folder === '' || folder === '/' ? name : `${folder}/${name}`;
}

export class FileManager {
  readonly #app: App;

  constructor(app: App) {
    this.#app = app;
  }

  async getAvailablePathForAttachment(filename: string, sourcePath?: string): Promise<string> {
    const vault = this.#app.vault;
    const setting = vault.config.attachmentFolderPath;
    const noteFolder = folderOf(sourcePath ?? this.#app.workspace.getActiveFile()?.path ?? '');
    let folder: string;
    if (setting === '/' || setting === '') folder = '';
    else if (setting === './' || setting === '.') folder = noteFolder;
    else if (setting.startsWith('./')) folder = join(noteFolder, setting.slice(2));
    else folder = normalizePath(setting);
    if (folder !== '' && vault.getFolderByPath(folder) === null) await vault.createFolder(folder);

    const dot = filename.lastIndexOf('.');
    const base = dot > 0 ? filename.slice(0, dot) : filename;
    const ext = dot > 0 ? filename.slice(dot) : '';
    let candidate = join(folder, filename);
    for (let n = 1; vault.getAbstractFileByPath(candidate) !== null; n++) {
      candidate = join(folder, `${base} ${n}${ext}`);
    }
    return candidate;
  }

  generateMarkdownLink(file: TFile, _sourcePath: string, subpath = '', alias?: string): string {
    if (this.#app.vault.config.useMarkdownLinks) {
      const target = encodeURI(file.path).replace(/\(/g, '%28').replace(/\)/g, '%29');
      return `[${alias ?? (file.extension === 'md' ? file.basename : file.name)}](${target}${subpath})`;
    }
    const unique = this.#app.vault.getFiles().filter((other) => other.name === file.name).length === 1;
    const linktext = unique ? (file.extension === 'md' ? file.basename : file.name) : file.path;
    return `[[${linktext}${subpath}${alias ? `|${alias}` : ''}]]`;
  }

  async processFrontMatter(file: TFile, fn: (frontmatter: Record<string, unknown>) => void): Promise<void> {
    await this.#app.vault.process(file, (text) => {
      const match = /^---\n([\s\S]*?)\n---\n?/.exec(text);
      const data = (match ? parse(match[1] ?? '') : {}) as Record<string, unknown>;
      fn(data);
      const block = `---\n${stringify(data)}---\n`;
      return match ? block + text.slice(match[0].length) : block + text;
    });
  }

  async trashFile(file: TAbstractFile): Promise<void> {
    await this.#app.vault.trash(file);
  }
}

export interface CachedMetadata {
  frontmatter?: Record<string, unknown>;
}

export class MetadataCache extends Events {
  readonly #vault: Vault;

  constructor(vault: Vault) {
    super();
    this.#vault = vault;
  }

  getFileCache(file: TFile): CachedMetadata | null {
    if (this.#vault.getFileByPath(file.path) !== file) return null;
    if (file.extension !== 'md') return {};
    const match = /^---\n([\s\S]*?)\n---(\n|$)/.exec(this.#vault.readSync(file));
    if (!match) return {};
    const frontmatter = parse(match[1] ?? '') as unknown;
    return typeof frontmatter === 'object' && frontmatter !== null
      ? { frontmatter: frontmatter as Record<string, unknown> }
      : {};
  }

  getFirstLinkpathDest(linkpath: string, sourcePath: string): TFile | null {
    const path = linkpath.split('#')[0]?.split('|')[0]?.trim() ?? '';
    if (path === '') return null;
    const candidates = path.includes('.') ? [path] : [path, `${path}.md`];
    for (const candidate of candidates) {
      const relative = this.#vault.getFileByPath(join(folderOf(sourcePath), candidate));
      if (relative) return relative;
      const absolute = this.#vault.getFileByPath(candidate);
      if (absolute) return absolute;
    }
    const name = path.split('/').pop() ?? path;
    return (
      this.#vault
        .getFiles()
        .find((file) => file.name === name || (file.extension === 'md' && file.basename === name)) ?? null
    );
  }

  /** Source path → destination path → count, computed from every note's wikilinks and Markdown links. */
  get resolvedLinks(): Record<string, Record<string, number>> {
    const links: Record<string, Record<string, number>> = {};
    for (const note of this.#vault.getMarkdownFiles()) {
      const counts: Record<string, number> = {};
      const text = this.#vault.readSync(note);
      const targets = [
        ...[...text.matchAll(/!?\[\[([^\]|#]+)/g)].map((match) => match[1] ?? ''),
        ...[...text.matchAll(/!?\[[^\]]*\]\(<?([^)>]+)>?\)/g)].map((match) =>
          decodeURIComponent(match[1] ?? ''),
        ),
      ];
      for (const target of targets) {
        const file = this.getFirstLinkpathDest(target, note.path);
        if (file) counts[file.path] = (counts[file.path] ?? 0) + 1;
      }
      links[note.path] = counts;
    }
    return links;
  }
}

export class WorkspaceLeaf {
  view: MarkdownView;

  constructor(view: MarkdownView) {
    this.view = view;
  }
}

export class MarkdownView {
  readonly app: App;
  readonly editor = new Editor();
  file: TFile | null = null;
  leaf: WorkspaceLeaf;

  constructor(app: App) {
    this.app = app;
    this.leaf = new WorkspaceLeaf(this);
    // Obsidian reloads an open note when its file changes on disk.
    app.vault.on('modify', (file: TFile) => {
      if (file === this.file) {
        const text = app.vault.readSync(file);
        if (text !== this.editor.getValue()) this.editor.setValue(text);
      }
    });
    // A view whose file is deleted shows no file any more (its unsaved text goes with it).
    app.vault.on('delete', (file: TAbstractFile) => {
      if (file === this.file) {
        this.file = null;
        this.editor.setValue('');
      }
    });
  }

  getViewType(): string {
    return 'markdown';
  }

  /** Saves the note, as Obsidian does on a timer and before switching notes. */
  async save(): Promise<void> {
    if (this.file && this.app.vault.readSync(this.file) !== this.editor.getValue()) {
      await this.app.vault.modify(this.file, this.editor.getValue());
    }
  }

  async openFile(file: TFile): Promise<void> {
    await this.save();
    this.file = file;
    this.editor.setValue(this.app.vault.readSync(file));
    this.editor.setCursor(0, 0);
  }
}

export class Workspace extends Events {
  readonly #app: App;
  readonly leaves: WorkspaceLeaf[] = [];
  activeLeaf: WorkspaceLeaf | null = null;

  constructor(app: App) {
    super();
    this.#app = app;
  }

  /** Runs `callback` once the layout is ready: at once, since the fake's layout is ready when the App exists. */
  onLayoutReady(callback: () => unknown): void {
    callback();
  }

  get activeEditor(): { editor?: Editor; file: TFile | null } | null {
    const view = this.activeLeaf?.view;
    return view ? { editor: view.editor, file: view.file } : null;
  }

  getActiveViewOfType<T>(type: abstract new (...args: never[]) => T): T | null {
    const view = this.activeLeaf?.view;
    return view instanceof type ? (view as T) : null;
  }

  getActiveFile(): TFile | null {
    return this.activeLeaf?.view.file ?? null;
  }

  getLeavesOfType(type: string): WorkspaceLeaf[] {
    return this.leaves.filter((leaf) => leaf.view.getViewType() === type);
  }

  iterateAllLeaves(callback: (leaf: WorkspaceLeaf) => unknown): void {
    for (const leaf of this.leaves) callback(leaf);
  }

  /** Test helper: opens `file` in a new Markdown view and makes it active. */
  async openNote(file: TFile): Promise<MarkdownView> {
    const view = new MarkdownView(this.#app);
    await view.openFile(file);
    this.leaves.push(view.leaf);
    this.activeLeaf = view.leaf;
    return view;
  }

  /** Test helper: closes a view, saving it first. */
  async close(view: MarkdownView): Promise<void> {
    await view.save();
    this.leaves.splice(this.leaves.indexOf(view.leaf), 1);
    view.file = null;
    if (this.activeLeaf === view.leaf) this.activeLeaf = this.leaves[0] ?? null;
  }
}

export class App {
  readonly vault = new Vault();
  readonly setting = new SettingModal();
  readonly workspace: Workspace;
  readonly metadataCache = new MetadataCache(this.vault);
  readonly fileManager: FileManager;
  readonly secretStorage = new SecretStorage();

  constructor() {
    this.workspace = new Workspace(this);
    this.fileManager = new FileManager(this);
  }

  /**
   * Test helper: Obsidian started again after a crash, over what `crashed` left on disk: the vault's files as last
   * written, the config folder, the keychain. Editors, their unsaved text and every promise of the old App are gone
   * (nothing of it is shared with the new one).
   */
  static async afterCrash(crashed: App): Promise<App> {
    const app = new App();
    app.vault.config = { ...crashed.vault.config };
    for (const file of crashed.vault.getFiles()) {
      const content =
        file.extension === 'md' ? crashed.vault.readSync(file) : await crashed.vault.readBinary(file);
      await app.vault.seed(file.path, content);
    }
    for (const folder of crashed.vault.adapter.hiddenFolders) app.vault.adapter.hiddenFolders.add(folder);
    for (const [path, content] of crashed.vault.adapter.hidden) {
      app.vault.adapter.hidden.set(path, typeof content === 'string' ? content : content.slice(0));
    }
    for (const id of crashed.secretStorage.listSecrets()) {
      app.secretStorage.setSecret(id, crashed.secretStorage.getSecret(id) ?? '');
    }
    return app;
  }
}

export { SecretStorage, SettingModal, TFile };
