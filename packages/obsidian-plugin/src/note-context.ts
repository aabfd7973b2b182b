/**
 * Per-note upload settings from frontmatter: `bytedrop: false` turns uploading off for the note,
 * `bytedrop-prefix: blog/2024` puts keys under that folder. Also the `{note}` and `{folder}` template variables.
 */
import type { App, TFile } from 'obsidian';

export interface NoteContext {
  /** False when the note's frontmatter says `bytedrop: false`. */
  enabled: boolean;
  /** Folder put before every key uploaded from this note. */
  keyPrefix?: string;
  /** `{note}` is the note's name without `.md`, `{folder}` its folder in the vault ('' at the root). */
  vars: { note: string; folder: string };
}

const OFF = new Set(['false', 'off', 'no', '0']);

export function noteContext(app: App, file: TFile | null): NoteContext {
  if (file === null) return { enabled: true, vars: { note: '', folder: '' } };
  const frontmatter = app.metadataCache.getFileCache(file)?.frontmatter as
    | Record<string, unknown>
    | undefined;
  const flag = frontmatter?.bytedrop;
  // YAML users write `false`, `off` or `no`; all of them mean the same here.
  const enabled = !(
    flag === false ||
    flag === 0 ||
    (typeof flag === 'string' && OFF.has(flag.trim().toLowerCase()))
  );
  const rawPrefix = frontmatter?.['bytedrop-prefix'];
  const keyPrefix =
    typeof rawPrefix === 'string' || typeof rawPrefix === 'number'
      ? String(rawPrefix)
          .trim()
          .replace(/^\/+|\/+$/g, '')
      : '';
  const folder = file.parent && file.parent.path !== '/' ? file.parent.path : '';
  return { enabled, ...(keyPrefix ? { keyPrefix } : {}), vars: { note: file.basename, folder } };
}
