/**
 * A faithful fake of the `obsidian` module, aliased in vitest (Obsidian itself cannot run here).
 * Only what the plugin uses, with Obsidian's documented behaviour.
 */

// Only a type in Obsidian's module: a value of that name would let the plugin use what Obsidian does not export.
export type { DataAdapter } from './adapter';
export {
  App,
  FileManager,
  MarkdownView,
  MetadataCache,
  SecretStorage,
  SettingModal,
  Workspace,
  WorkspaceLeaf,
} from './app';
export { FakeElement } from './dom';
export { Editor, type EditorPosition } from './editor';
export { type EventRef, Events } from './events';
export { Modal } from './modal';
export { Component, Plugin, type PluginManifest, PluginSettingTab } from './plugin';
export {
  type RequestUrlParam,
  type RequestUrlResponse,
  requestHooks,
  requestLog,
  requestUrl,
} from './request';
export {
  BaseComponent,
  ButtonComponent,
  DropdownComponent,
  ExtraButtonComponent,
  Notice,
  SecretComponent,
  Setting,
  TextAreaComponent,
  TextComponent,
  ToggleComponent,
} from './ui';
export { normalizePath, TAbstractFile, TFile, TFolder, Vault } from './vault';

export const Platform = {
  isDesktop: true,
  isMobile: false,
  isDesktopApp: true,
  isMobileApp: false,
  isIosApp: false,
  isAndroidApp: false,
  isPhone: false,
  isTablet: false,
  isMacOS: false,
  isWin: false,
  isLinux: true,
  isSafari: false,
};
