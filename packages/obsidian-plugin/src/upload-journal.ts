/**
 * Core's `UploadJournal` in the plugin's folder (`multipart/<id>.json`): the S3 store writes each multipart upload
 * down before it starts and crosses it out when it completes or aborts. What a killed Obsidian (or a phone that
 * dropped a suspended app) left open is aborted by `store.recover()` at the next load, so no parts are billed for ever.
 */
import type { JournalEntry, UploadJournal } from '@bytedrop/core';
import type { PluginFolder } from './plugin-folder';

const DIR = 'multipart';

export function uploadJournal(folder: PluginFolder): UploadJournal {
  return {
    async add(entry) {
      const id = globalThis.crypto.randomUUID();
      await folder.write(`${DIR}/${id}.json`, JSON.stringify(entry));
      return id;
    },
    remove: (id) => folder.remove(`${DIR}/${id}.json`),
    async entries() {
      const entries: (JournalEntry & { id: string })[] = [];
      for (const name of await folder.list(DIR)) {
        try {
          const entry = JSON.parse((await folder.read(`${DIR}/${name}`)) ?? '') as JournalEntry;
          entries.push({ ...entry, id: name.replace(/\.json$/, '') });
        } catch {
          // A torn write of a crash: it named nothing that was started, since the write comes first.
          await folder.remove(`${DIR}/${name}`);
        }
      }
      return entries;
    },
  };
}
