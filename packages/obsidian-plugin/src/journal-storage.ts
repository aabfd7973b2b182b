/**
 * Where the pending-upload journal lives in Obsidian: one JSON file per entry in the plugin's folder
 * (`.obsidian/plugins/bytedrop/pending/<id>.json`), written through the vault's adapter. An adapter write resolves
 * once the file is written, so the entry survives the app being killed or a phone suspending and dropping it.
 */
import type { PendingStorage } from '@bytedrop/core';
import type { PluginFolder } from './plugin-folder';

const DIR = 'pending';

export function pendingStorage(folder: PluginFolder): PendingStorage {
  return {
    write: (id, json) => folder.write(`${DIR}/${id}.json`, json),
    delete: (id) => folder.remove(`${DIR}/${id}.json`),
    async list() {
      const entries: { id: string; json: string }[] = [];
      for (const name of await folder.list(DIR)) {
        if (!name.endsWith('.json')) continue;
        entries.push({
          id: name.slice(0, -'.json'.length),
          json: (await folder.read(`${DIR}/${name}`)) ?? '',
        });
      }
      return entries;
    },
  };
}
