/**
 * "Paste without uploading": what Obsidian's own paste does, on demand. Files on the clipboard become local
 * attachments (same folder and naming as Obsidian), text is pasted as text.
 */
import { type App, type Editor, Notice, type TFile } from 'obsidian';
import { saveAttachment } from './local-save';

/** The part of `navigator.clipboard` used here. */
export interface ClipboardReader {
  read(): Promise<readonly { types: readonly string[]; getType(type: string): Promise<Blob> }[]>;
}

export async function pasteWithoutUploading(
  app: App,
  editor: Editor,
  note: TFile | null,
  clipboard: ClipboardReader = navigator.clipboard,
): Promise<void> {
  try {
    const parts: string[] = [];
    for (const item of await clipboard.read()) {
      const fileType = item.types.find((type) => !type.startsWith('text/'));
      if (fileType !== undefined) {
        const blob = await item.getType(fileType);
        const ext = fileType.split('/')[1]?.split('+')[0] ?? 'bin';
        parts.push((await saveAttachment(app, blob, `image.${ext}`, note)).embed);
      } else if (item.types.includes('text/plain')) {
        parts.push(await (await item.getType('text/plain')).text());
      }
    }
    if (parts.length > 0) editor.replaceSelection(parts.join('\n'));
  } catch (error) {
    new Notice(
      `Bytedrop: could not read the clipboard: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
