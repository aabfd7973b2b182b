/**
 * Bytedrop for Obsidian: the host-facing layer only. It wires Obsidian's events, commands and settings tab to the
 * flows in the other modules; uploading itself is @bytedrop/core's job.
 */
import type { BytedropUploader } from '@bytedrop/core';
import { type Editor, type MarkdownFileInfo, type MarkdownView, Notice, Plugin } from 'obsidian';
import { bringFilesBack } from './commands/bring-back';
import { ChangeBaseModal } from './commands/change-base';
import { deleteRemote } from './commands/delete-remote';
import { UploadLedger } from './ledger';
import { uploadLocalAttachments } from './local-attachments';
import { noteContext } from './note-context';
import { notify } from './notices';
import { handleTransfer, type UploadHost } from './paste-flow';
import { pasteWithoutUploading } from './paste-plain';
import { PendingUploads } from './pending';
import { PluginFolder } from './plugin-folder';
import { listOf } from './setting-names';
import { type BytedropSettings, normalizeSettings } from './settings';
import { BytedropSettingTab } from './settings-tab';
import { createTargetUploader, LazyTarget, targetInputs } from './target';
import { uploadJournal } from './upload-journal';

/** The settings modal behind `app.setting`: present in Obsidian, absent from its typings. */
interface SettingModal {
  open(): void;
  openTabById(id: string): void;
}

export default class BytedropPlugin extends Plugin implements UploadHost {
  override settings: BytedropSettings = normalizeSettings(undefined);
  readonly inFlight = new Set<AbortController>();
  /** Its file is read on first use, not at load. */
  readonly ledger = new UploadLedger(this.folder());
  readonly pending: PendingUploads = new PendingUploads(this, this.folder());
  readonly #work = new Set<Promise<void>>();
  /** Built on the first upload, not here: onload stays cheap (no S3 client until one is needed). */
  readonly target = new LazyTarget(
    () => targetInputs(this.settings, this.app.secretStorage),
    () =>
      createTargetUploader(
        this.settings,
        this.app.secretStorage,
        uploadJournal(this.folder()),
        (message) => new Notice(message),
      ),
  );

  override async onload(): Promise<void> {
    this.settings = normalizeSettings(await this.loadData());

    this.registerEvent(
      this.app.workspace.on(
        'editor-paste',
        (evt: ClipboardEvent, editor: Editor, info: MarkdownView | MarkdownFileInfo) => {
          handleTransfer(this, evt, editor, info);
        },
      ),
    );
    this.registerEvent(
      this.app.workspace.on(
        'editor-drop',
        (evt: DragEvent, editor: Editor, info: MarkdownView | MarkdownFileInfo) => {
          handleTransfer(this, evt, editor, info);
        },
      ),
    );

    this.addCommand({
      id: 'paste-without-uploading',
      name: 'Paste without uploading',
      editorCallback: (editor, ctx) => this.track(pasteWithoutUploading(this.app, editor, ctx.file ?? null)),
    });
    this.addCommand({
      id: 'upload-local-attachments',
      name: 'Upload local attachments in this note',
      editorCheckCallback: (checking, editor, ctx) => {
        const note = ctx.file;
        if (!note) return false;
        if (!checking) {
          if (!noteContext(this.app, note).enabled) {
            new Notice('Bytedrop: uploading is off for this note (frontmatter "bytedrop: false").');
          } else {
            this.track(uploadLocalAttachments(this, note, editor.getValue()));
          }
        }
        return true;
      },
    });
    this.addCommand({
      id: 'delete-remote',
      name: 'Delete remote file',
      editorCheckCallback: (checking, editor, ctx) => {
        const note = ctx.file;
        if (!note) return false;
        if (!checking) this.track(deleteRemote(this, editor, note));
        return true;
      },
    });
    this.addCommand({
      id: 'bring-back-note',
      name: 'Bring files back into this note',
      editorCheckCallback: (checking, _editor, ctx) => {
        const note = ctx.file;
        if (!note) return false;
        if (!checking) this.track(bringFilesBack(this, [note], false));
        return true;
      },
    });
    this.addCommand({
      id: 'bring-back-all',
      name: 'Bring files back into every note',
      callback: () => this.track(bringFilesBack(this, this.app.vault.getMarkdownFiles(), true)),
    });
    this.addCommand({
      id: 'change-base-url',
      name: 'Change link base URL',
      callback: () => new ChangeBaseModal(this).open(),
    });
    this.addCommand({
      id: 'cancel-uploads',
      name: 'Cancel uploads in progress',
      checkCallback: (checking) => {
        if (this.inFlight.size === 0) return false;
        if (!checking) for (const controller of this.inFlight) controller.abort();
        return true;
      },
    });

    this.addCommand({
      id: 'retry-pending',
      name: 'Retry pending uploads',
      checkCallback: (checking) => {
        if (this.pending.size === 0) return false;
        if (!checking) this.retryPending();
        return true;
      },
    });

    this.registerEvent(this.app.vault.on('rename', (file, oldPath) => this.pending.renamed(file, oldPath)));
    this.addSettingTab(new BytedropSettingTab(this.app, this));
    // What a crash, a reload or a suspended phone left open is finished now, once the vault is loaded.
    this.app.workspace.onLayoutReady(() => this.track(this.#startUp()));
  }

  override onunload(): void {
    // Aborted by an unload, an upload stays in the journal for the next load.
    this.pending.stop();
    for (const controller of this.inFlight) controller.abort();
  }

  /** Aborts the multipart uploads a killed instance left (none of this one's has started yet), then resumes. */
  async #startUp(): Promise<void> {
    // Only when there is something to recover: a load with nothing left over builds no S3 client.
    if ((await this.folder().list('multipart')).length > 0) {
      try {
        await (this.uploader() as Partial<BytedropUploader>).store?.recover?.();
      } catch (error) {
        // Not set up, or offline: the entries stay for the next load (and the bucket's lifecycle rule).
        console.warn('Bytedrop: could not abort the multipart uploads a crash left', error);
      }
    }
    await this.pending.resume();
  }

  retryPending(): void {
    this.track(this.pending.resume());
  }

  uploader() {
    return this.target.get();
  }

  track(work: Promise<void>): void {
    const settled = work
      .catch((error: unknown) => console.error('Bytedrop:', error))
      .finally(() => this.#work.delete(settled));
    this.#work.add(settled);
  }

  /** Resolves once every paste, drop and command started so far has settled. */
  async whenIdle(): Promise<void> {
    while (this.#work.size > 0) await Promise.all([...this.#work]);
  }

  /** The plugin's own folder: where Obsidian installed it (`manifest.dir`), which is under the config folder. */
  folder(): PluginFolder {
    const { vault } = this.app;
    return new PluginFolder(
      vault.adapter,
      this.manifest.dir ?? `${vault.configDir}/plugins/${this.manifest.id}`,
    );
  }

  /** Opens Settings → Bytedrop, through `app.setting` (not in the public API) when this Obsidian has it. */
  openSettings(): void {
    const modal = (this.app as unknown as { setting?: SettingModal }).setting;
    if (typeof modal?.open !== 'function' || typeof modal.openTabById !== 'function') {
      new Notice('Bytedrop: open Settings → Community plugins → Bytedrop.');
      return;
    }
    modal.open();
    modal.openTabById(this.manifest.id);
  }

  offerSetup(missing: readonly string[]): void {
    if (this.settings.setupOffered) return;
    this.settings.setupOffered = true;
    notify(
      this,
      `Bytedrop is not set up yet, so Obsidian handled this file as usual. To upload pasted and dropped files, fill in ${listOf(missing)} in Bytedrop’s settings.`,
      ['open-settings'],
    );
    this.track(this.saveData(this.settings));
  }

  async saveSettings(): Promise<void> {
    // The next upload builds a client from the new settings (LazyTarget compares them).
    await this.saveData(this.settings);
  }
}
