/**
 * Bytedrop for Obsidian: the host-facing layer only. It wires Obsidian's events, commands and settings tab to the
 * flows in the other modules; uploading itself is @bytedrop/core's job.
 */
import { type Editor, type MarkdownFileInfo, type MarkdownView, Notice, Plugin } from 'obsidian';
import { uploadLocalAttachments } from './local-attachments';
import { noteContext } from './note-context';
import { handleTransfer, type UploadHost } from './paste-flow';
import { pasteWithoutUploading } from './paste-plain';
import { type BytedropSettings, normalizeSettings } from './settings';
import { BytedropSettingTab } from './settings-tab';
import { createTargetUploader, LazyTarget, targetInputs } from './target';

export default class BytedropPlugin extends Plugin implements UploadHost {
  override settings: BytedropSettings = normalizeSettings(undefined);
  readonly inFlight = new Set<AbortController>();
  readonly #work = new Set<Promise<void>>();
  /** Built on the first upload, not here: onload stays cheap (no S3 client until one is needed). */
  readonly target = new LazyTarget(
    () => targetInputs(this.settings, this.app.secretStorage),
    () => createTargetUploader(this.settings, this.app.secretStorage),
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
      id: 'cancel-uploads',
      name: 'Cancel uploads in progress',
      checkCallback: (checking) => {
        if (this.inFlight.size === 0) return false;
        if (!checking) for (const controller of this.inFlight) controller.abort();
        return true;
      },
    });

    this.addSettingTab(new BytedropSettingTab(this.app, this));
  }

  override onunload(): void {
    for (const controller of this.inFlight) controller.abort();
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

  async saveSettings(): Promise<void> {
    // The next upload builds a client from the new settings (LazyTarget compares them).
    await this.saveData(this.settings);
  }
}
