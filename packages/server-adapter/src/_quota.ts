/**
 * Storage quotas per access key (bytes and files), enforced while the bytes stream: a file that would take its key
 * past the byte quota is cut at the first byte over it, the way an over-size file is, so core aborts the upload in
 * storage and nothing is left (no object, no multipart parts). A file over the files quota is refused before a byte
 * is read. The answer is 413 `ERR_QUOTA`, naming what is used, the limit and the fix.
 *
 * The usage is read from the catalog once per request and the request's own files are added as they are stored.
 * Two requests of one key racing each other can both fit the remaining room: the quota may then be passed by what
 * is in flight at once, never by a request on its own.
 */
import { BytedropError } from '@bytedrop/core';
import { toAccessKey } from './_catalog-keyring';
import { catalogUnavailable } from './_catalog-write';
import type { AccessKey } from './auth';
import type { Usage } from './catalog/types';
import type { App, Logger } from './types';

const FIX =
  'delete files you no longer need (DELETE /api/files/<key>) or ask the server admin for a larger quota';

/** `1.5 MB`: bytes for a message. */
function bytes(count: number): string {
  if (count < 1e3) return `${count} B`;
  const [unit, size] = count < 1e6 ? ['kB', 1e3] : count < 1e9 ? ['MB', 1e6] : ['GB', 1e9];
  return `${Math.round((count / (size as number)) * 100) / 100} ${unit}`;
}

/** One request's quota: asked before each file, told of each file stored. */
export interface QuotaGate {
  /**
   * Checks the files quota and returns the body wrapped to cut it at the byte quota; `already`: bytes of this file
   * that arrived before (a tus upload of deferred length, resumed at its offset).
   */
  admit(
    filename: string,
    body: AsyncIterable<Uint8Array>,
    already?: number,
  ): Promise<AsyncIterable<Uint8Array>>;
  /** Adds a file this request stored. */
  stored(size: number): void;
  /**
   * Checks a file whose size is declared up front (tus `Upload-Length`) against both quotas, before any byte;
   * with `leastBy`, `size` is only the least the file can be, and `leastBy` says what tells (`part 3`).
   */
  fits(filename: string, size: number, leastBy?: string): Promise<void>;
}

/** The gate for `who` in one request; `undefined` for a key without a quota (nothing to read). */
export function quotaGate(app: App, who: AccessKey, log: Logger): QuotaGate | undefined {
  const limit = who.quota;
  const catalog = app.catalog;
  if (!catalog || limit === undefined || (limit.bytes === undefined && limit.files === undefined)) return;
  let usage: Promise<Usage> | undefined;
  const added = { bytes: 0, files: 0 };
  /** What is used, this request's files included; `ERR_QUOTA` when one more file is past the files quota. */
  const room = async (filename: string) => {
    usage ??= catalog.usage(who.name, new Date()).catch((error: unknown) => {
      throw catalogUnavailable(catalog, error, log, `the storage quota of '${who.name}' cannot be checked`);
    });
    const used = await usage;
    const files = used.files + added.files;
    if (limit.files !== undefined && files + 1 > limit.files) {
      throw new BytedropError(
        'ERR_QUOTA',
        `'${filename}' would pass the files quota of access key '${who.name}': ${files} of ${limit.files} files used; ${FIX}`,
      );
    }
    return used.bytes + added.bytes;
  };
  const overBytes = (filename: string, before: number, max: number, size: string) =>
    new BytedropError(
      'ERR_QUOTA',
      `'${filename}' would pass the storage quota of access key '${who.name}': ${bytes(before)} of ${bytes(max)} used, and it is ${size}; ${FIX}`,
    );
  return {
    async fits(filename, size, leastBy) {
      const before = await room(filename);
      const described = leastBy === undefined ? bytes(size) : `at least ${bytes(size)} (${leastBy})`;
      if (limit.bytes !== undefined && before + size > limit.bytes)
        throw overBytes(filename, before, limit.bytes, described);
    },
    async admit(filename, body, already = 0) {
      const before = await room(filename);
      if (limit.bytes === undefined) return body;
      const max = limit.bytes;
      return (async function* cut() {
        let total = already;
        for await (const chunk of body) {
          total += chunk.byteLength;
          if (before + total > max) throw overBytes(filename, before, max, `over ${bytes(total)}`);
          yield chunk;
        }
      })();
    },
    stored(size) {
      added.bytes += size;
      added.files += 1;
    },
  };
}

/** The limits `GET /api/usage` reports for `owner` (the caller, or another key an admin asked about). */
export async function usageLimits(app: App, who: AccessKey, owner: string) {
  let key: AccessKey | undefined = who;
  if (owner !== who.name) {
    const record = await app.catalog?.accessKeys.get(owner);
    key = record ? toAccessKey(record) : undefined;
  }
  const defaults = app.options.rateLimits?.defaults;
  const rate = (field: 'perHour' | 'perDay') => key?.rates?.[field] ?? defaults?.[field] ?? null;
  return {
    bytes: key?.quota?.bytes ?? null,
    files: key?.quota?.files ?? null,
    uploadsPerHour: app.options.rateLimits ? rate('perHour') : null,
    uploadsPerDay: app.options.rateLimits ? rate('perDay') : null,
  };
}
