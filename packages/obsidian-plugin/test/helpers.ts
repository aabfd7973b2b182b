/** Shared set-up: the plugin loaded into the fake Obsidian, pointed at a real s3rver. */

import { afterEach, beforeEach, expect } from 'vitest';
import type { S3Harness } from '../../core/test/_setup/s3rver.js';
import { useOwnS3rver } from '../../core/test/_support/own-s3rver.js';
import manifest from '../manifest.json';
import BytedropPlugin from '../src/main';
import type { BytedropSettings } from '../src/settings';
import {
  App,
  ButtonComponent,
  type Editor,
  type FakeElement,
  type MarkdownView,
  Modal,
  Notice,
  type Plugin,
  requestHooks,
  requestLog,
  type Setting,
  type TFile,
} from './fake-obsidian';

export const SECRET_NAME = 'bytedrop-s3';
/** The manifest as Obsidian hands it to the plugin: with `dir`, the plugin's folder in the config folder. */
export const MANIFEST = { ...manifest, dir: '.obsidian/plugins/bytedrop' };

export interface Loaded {
  app: App;
  plugin: BytedropPlugin & Plugin;
  note: TFile;
  view: MarkdownView;
  editor: Editor;
}

/**
 * A test file's hooks: an s3rver of its own (started once, its requests cleared before each test) and the fake's
 * request log, notices and request hooks reset around each test, so a test sees only what it caused.
 */
export function useS3rverAndCleanFakes(): S3Harness {
  const s3 = useOwnS3rver();
  beforeEach(() => {
    requestLog.length = 0;
    Notice.shown.length = 0;
    Notice.instances.length = 0;
    Modal.open.length = 0;
    requestHooks.before = undefined;
  });
  afterEach(() => {
    requestHooks.before = undefined;
  });
  return s3;
}

/** The bytes a public URL serves (s3rver serves anonymous GETs, as a public bucket does). */
export async function served(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

/** Settings for a real s3rver; `publicBaseUrl` serves objects (s3rver allows anonymous GET, path style). */
export function s3Settings(
  s3: S3Harness,
  overrides: Partial<BytedropSettings> = {},
): Partial<BytedropSettings> {
  return {
    target: 's3',
    provider: 'custom',
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    accessKeyId: s3.accessKeyId,
    secretKeyName: SECRET_NAME,
    publicBaseUrl: `${s3.endpoint}/${s3.bucket}`,
    pathStyle: 'path',
    ...overrides,
  };
}

/** A fresh App with one note open, and the plugin loaded from a data.json holding `data`. */
export async function load(
  data: Partial<BytedropSettings>,
  options: { secret?: string; notePath?: string; noteText?: string } = {},
): Promise<Loaded> {
  const app = new App();
  app.secretStorage.setSecret(SECRET_NAME, options.secret ?? 'S3RVER');
  const note = await app.vault.seed(options.notePath ?? 'Notes/Trip.md', options.noteText ?? '');
  const view = await app.workspace.openNote(note);
  const plugin = new BytedropPlugin(app as never, MANIFEST as never) as BytedropPlugin & Plugin;
  (plugin as unknown as Plugin).dataJson = JSON.stringify(data);
  await plugin.onload();
  return { app, plugin, note, view, editor: view.editor };
}

/** Distinct bytes per seed that sniff as PNG (signature + IHDR start). */
export function png(seed: number, size = 256): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
  for (let index = 16; index < size; index++) bytes[index] = (index * 31 + seed * 7) % 251;
  return bytes;
}

export function pngFile(seed: number, name = 'image.png'): File {
  return new File([png(seed)], name, { type: 'image/png' });
}

interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

function event<T extends object>(extra: T): FakeEvent & T {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
    ...extra,
  };
}

export function pasteEvent(files: File[], text = '') {
  return event({
    clipboardData: {
      files,
      types: [...(files.length > 0 ? ['Files'] : []), ...(text ? ['text/plain'] : [])],
      getData: (type: string) => (type === 'text/plain' ? text : ''),
    },
  });
}

export function dropEvent(
  files: File[],
  keys: { altKey?: boolean; clientX?: number; clientY?: number } = {},
) {
  return event({
    altKey: keys.altKey ?? false,
    clientX: keys.clientX ?? 0,
    clientY: keys.clientY ?? 0,
    dataTransfer: { files, types: ['Files'] },
  });
}

/** Fires `editor-paste` as Obsidian does, with the active editor and view. */
export function paste(loaded: Loaded, evt: object): void {
  loaded.app.workspace.trigger('editor-paste', evt, loaded.view.editor, loaded.view);
}

export function drop(loaded: Loaded, evt: object): void {
  loaded.app.workspace.trigger('editor-drop', evt, loaded.view.editor, loaded.view);
}

/** Runs a registered command the way Obsidian's palette does. */
export function runCommand(loaded: Loaded, id: string): void {
  const command = loaded.plugin.commands.find((candidate) => candidate.id === `bytedrop:${id}`);
  if (!command) throw new Error(`no command ${id}`);
  const { editor } = loaded.view;
  if (command.editorCheckCallback) command.editorCheckCallback(false, editor, loaded.view);
  else if (command.editorCallback) command.editorCallback(editor, loaded.view);
  else if (command.checkCallback) command.checkCallback(false);
  else command.callback?.();
}

/**
 * Holds every request through requestUrl until `release()`; `reached` resolves when the first one arrives (an event,
 * not a timer), so a test can act while an upload is in flight.
 */
export function holdRequests(): { reached: Promise<void>; release: () => void } {
  const held = gate();
  const reached = gate();
  requestHooks.before = () => {
    reached.open();
    return held.promise;
  };
  return { reached: reached.promise, release: held.open };
}

/** A promise and its resolver, to hold work at a known point. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Markdown image links in `text`: [alt, url]. */
export function imageLinks(text: string): { alt: string; url: string }[] {
  return [...text.matchAll(/!\[([^\]]*)\]\(<?([^)>\s]+)>?\)/g)].map((match) => ({
    alt: match[1] ?? '',
    url: match[2] ?? '',
  }));
}

/** The buttons in an element (a modal's content, a notice's message), in order. */
export function buttonsIn(el: FakeElement): ButtonComponent[] {
  return [...el.walk()]
    .map((child) => (child as FakeElement & { component?: unknown }).component)
    .filter((component): component is ButtonComponent => component instanceof ButtonComponent);
}

/** The modal the plugin opened, or the next it opens (an event, not a timer). */
export function openedModal(): Promise<Modal> {
  return Modal.open[0] ? Promise.resolve(Modal.open[0]) : Modal.next();
}

/** Clicks the button of `modal` whose text is `text`. */
export async function click(modal: Modal, text: string): Promise<void> {
  const button = buttonsIn(modal.contentEl).find((candidate) => candidate.text === text);
  if (!button)
    throw new Error(
      `no button '${text}' in: ${buttonsIn(modal.contentEl)
        .map((b) => b.text)
        .join(', ')}`,
    );
  await button.click();
}

/** The `Setting` named `name` in an element (a settings tab, a modal). */
export function settingIn(el: FakeElement, name: string): Setting {
  const setting = [...el.walk()]
    .map((child) => (child as FakeElement & { setting?: Setting }).setting)
    .find((candidate) => candidate?.name === name);
  if (!setting) throw new Error(`no setting named '${name}'`);
  return setting;
}

/** Words from the CLI's world that a notice must never show: env names, its commands, core's config keys. */
export const CLI_WORDS =
  /BYTEDROP_|S3_[A-Z]|PUBLIC_DOMAIN|bytedrop doctor|maxFileSize|'[a-z]+[A-Z][A-Za-z]*'|unexpected storage failure/;
