/**
 * tus uploads in flight on the local disk: a partial file that each PATCH appends to, and its record next to it, both
 * under the server's temporary prefix in the store's directory, so the housekeeping sweep (by modification time)
 * removes what an abandoned upload left. A chunk that fails its checksum is cut off again (truncate to the old
 * offset). The record is replaced whole (a temporary file renamed over it), never rewritten in place.
 */

import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isBytedropError } from '@bytedrop/core';
import type { Appended, TusBackend, TusUpload } from './tus-store';

/** Options of `createTusDiskBackend`. */
export interface TusDiskOptions {
  /** The local store's directory (`LocalDiskStore.dir`). */
  dir: string;
  /** Where uploads wait, as a key prefix (the server's temporary prefix plus `tus/`). */
  prefix: string;
}

/**
 * The local-disk backend of the tus endpoint (`@bytedrop/server/node`).
 *
 * @example
 * ```ts
 * const backend = createTusDiskBackend({ dir: store.dir, prefix: '.bytedrop-tmp/server/tus/' });
 * createHandler({ uploader, keys, secret, files: store, tus: { backend } });
 * ```
 */
export function createTusDiskBackend(options: TusDiskOptions): TusBackend {
  const base = join(options.dir, ...options.prefix.split('/').filter(Boolean));
  const data = (id: string) => join(base, id);
  const info = (id: string) => join(base, `${id}.info`);
  // Written beside and renamed over: `load` takes no lock (a HEAD reads while a PATCH saves), and a record
  // rewritten in place is empty for a moment, which `load` would answer as no upload (404: a tus client then starts
  // the file again from byte 0 as a new upload).
  const save = async (upload: TusUpload) => {
    await mkdir(dirname(info(upload.id)), { recursive: true });
    const temp = join(base, `${upload.id}.info.${randomUUID()}.tmp`);
    try {
      await writeFile(temp, JSON.stringify(upload));
      await rename(temp, info(upload.id));
    } catch (error) {
      // The write's or the rename's error is the one to report, not a failed cleanup's.
      await rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
  };

  return {
    kind: 'disk',
    async create(upload) {
      await mkdir(base, { recursive: true });
      await writeFile(data(upload.id), new Uint8Array(0), { flag: 'wx' });
      await save(upload);
    },
    save,
    async load(id) {
      try {
        return JSON.parse(await readFile(info(id), 'utf8')) as TusUpload;
      } catch {
        return undefined;
      }
    },
    async append(upload, body, check): Promise<Appended> {
      const file = await open(data(upload.id), 'r+');
      let received = 0;
      let cut: unknown;
      try {
        try {
          for await (const chunk of body) {
            check?.update(chunk);
            await file.write(chunk, 0, chunk.byteLength, upload.offset + received);
            received += chunk.byteLength;
          }
        } catch (error) {
          if (isBytedropError(error)) {
            await file.truncate(upload.offset);
            throw error;
          }
          cut = error;
        }
        if (check && (cut !== undefined || !(await check.matches()))) {
          await file.truncate(upload.offset);
          return cut === undefined
            ? { offset: upload.offset, mismatch: true }
            : { offset: upload.offset, cut };
        }
      } finally {
        await file.close();
      }
      upload.offset += received;
      await save(upload);
      return cut === undefined ? { offset: upload.offset } : { offset: upload.offset, cut };
    },
    async *read(upload, signal) {
      if (upload.offset === 0) return;
      yield* createReadStream(data(upload.id), signal ? { signal } : {}) as AsyncIterable<Uint8Array>;
    },
    async discard(upload, discardOptions = {}) {
      await rm(data(upload.id), { force: true });
      if (!discardOptions.keepRecord) await rm(info(upload.id), { force: true });
    },
  };
}
