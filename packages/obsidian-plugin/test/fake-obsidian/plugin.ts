/** Obsidian's Component/Plugin/PluginSettingTab lifecycle, with data.json kept as the JSON text Obsidian would write. */
import type { App } from './app';
import { FakeElement } from './dom';
import type { EventRef } from './events';

export class Component {
  readonly #cleanups: (() => void)[] = [];
  loaded = false;

  load(): void {
    this.loaded = true;
    void this.onload();
  }

  onload(): void | Promise<void> {}

  onunload(): void {}

  unload(): void {
    while (this.#cleanups.length > 0) this.#cleanups.pop()?.();
    this.onunload();
    this.loaded = false;
  }

  register(callback: () => unknown): void {
    this.#cleanups.push(() => void callback());
  }

  registerEvent(ref: EventRef): void {
    this.#cleanups.push(() => ref.events.offref(ref));
  }

  registerDomEvent(el: { removeEventListener?: unknown }, _type: string, _callback: unknown): void {
    void el;
  }

  registerInterval(id: number): number {
    return id;
  }
}

export interface PluginManifest {
  id: string;
  name: string;
  version: string;
  minAppVersion: string;
  description: string;
  author: string;
  isDesktopOnly?: boolean;
  dir?: string;
}

export interface Command {
  id: string;
  name: string;
  callback?: () => unknown;
  checkCallback?: (checking: boolean) => boolean | undefined;
  editorCallback?: (editor: unknown, ctx: unknown) => unknown;
  editorCheckCallback?: (checking: boolean, editor: unknown, ctx: unknown) => boolean | undefined;
}

export class Plugin extends Component {
  readonly app: App;
  readonly manifest: PluginManifest;
  readonly commands: Command[] = [];
  readonly settingTabs: PluginSettingTab[] = [];
  /** Test helper: the text of the plugin's data.json, exactly as saved. */
  dataJson: string | undefined;

  constructor(app: App, manifest: PluginManifest) {
    super();
    this.app = app;
    this.manifest = manifest;
  }

  async loadData(): Promise<unknown> {
    return this.dataJson === undefined ? null : JSON.parse(this.dataJson);
  }

  async saveData(data: unknown): Promise<void> {
    this.dataJson = JSON.stringify(data, null, 2);
  }

  addCommand(command: Command): Command {
    const registered = { ...command, id: `${this.manifest.id}:${command.id}` };
    this.commands.push(registered);
    return registered;
  }

  addSettingTab(tab: PluginSettingTab): void {
    this.settingTabs.push(tab);
  }

  addRibbonIcon(_icon: string, _title: string, _callback: unknown): FakeElement {
    return new FakeElement('div');
  }

  addStatusBarItem(): FakeElement {
    return new FakeElement('div');
  }
}

export abstract class PluginSettingTab {
  readonly app: App;
  readonly plugin: Plugin;
  readonly containerEl = new FakeElement('div');

  constructor(app: App, plugin: Plugin) {
    this.app = app;
    this.plugin = plugin;
  }

  abstract display(): void;

  hide(): void {}
}
