/** Shared test fixtures: a real core uploader over a temp local-disk store, and request builders. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUploader } from '@bytedrop/core';
import { createLocalDiskStore, type LocalDiskStore } from '@bytedrop/core/node';
import {
  type BytedropHandler,
  createHandler,
  type HandlerOptions,
  type UploadedFile,
} from '../../src/handler';

export const KEY = 'alice-access-key-0001';
export const KEY2 = 'bob-access-key-000002';
export const SECRET = 'test-delete-secret-of-thirty-two-chars';
export const ORIGIN = 'http://drop.test';

/** A tiny valid PNG (1×1). */
export const PNG = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='),
  (c) => c.charCodeAt(0),
);

export interface LocalFixture {
  dir: string;
  store: LocalDiskStore;
  handler: BytedropHandler;
  /** Every object key in the store (metadata and temp trees excluded). */
  objects(): Promise<string[]>;
  /** Every file at all, temp and metadata included: proves nothing half-written was left. */
  allFiles(): Promise<string[]>;
  dispose(): Promise<void>;
}

export async function localFixture(options: Partial<HandlerOptions> = {}): Promise<LocalFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'bytedrop-server-'));
  const store = createLocalDiskStore({ dir, publicBaseUrl: `${ORIGIN}/f` });
  const uploader = createUploader({ bucket: 'local-disk' }, { store });
  let handler: BytedropHandler;
  try {
    handler = createHandler({
      uploader,
      store,
      files: store,
      keys: [
        { name: 'alice', key: KEY, prefix: 'alice/' },
        { name: 'bob', key: KEY2 },
      ],
      secret: SECRET,
      ...options,
    });
  } catch (error) {
    // Tests of options refused at start (CORS_ORIGINS) get no fixture to dispose: its folder would stay in /tmp.
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const allFiles = async () => {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
      .sort();
  };
  return {
    dir,
    store,
    handler,
    allFiles,
    objects: async () => (await allFiles()).filter((path) => !path.startsWith('.bytedrop-')),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A multipart POST /upload with the given files under `field`. */
export function uploadRequest(
  files: { name: string; body: BlobPart; type?: string; field?: string }[],
  headers: Record<string, string> = { authorization: `Bearer ${KEY}` },
): Request {
  const form = new FormData();
  for (const file of files) {
    form.append(file.field ?? 'file', new Blob([file.body], { type: file.type ?? '' }), file.name);
  }
  return new Request(`${ORIGIN}/upload`, { method: 'POST', body: form, headers });
}

/** A multipart body written by hand, for malformed cases. */
export function rawMultipart(body: string, contentType: string, key = KEY): Request {
  return new Request(`${ORIGIN}/upload`, {
    method: 'POST',
    body,
    headers: { authorization: key, 'content-type': contentType },
  });
}

/** The JSON of an upload response; `files` is the handler's own `UploadedFile`, so the two cannot drift apart. */
export interface UploadBody {
  success: boolean;
  msg: string;
  code?: string;
  url: string;
  deleteUrl: string;
  result: string[];
  files: UploadedFile[];
}

export async function body(response: Response): Promise<UploadBody> {
  return (await response.json()) as UploadBody;
}
