/**
 * Helpers for ZIP tests: upload files through the handler, and unpack an answer with Debian's `unzip` (a real,
 * independent reader: `.ci/run` installs it) into a map of entry name → bytes.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BytedropHandler } from '../../src/handler';
import { body, KEY, ORIGIN, uploadRequest } from './fixtures';

const run = promisify(execFile);

/** Uploads `count` random files of about `size` bytes with `key`; answers their keys and bytes. */
export async function uploadSome(
  handler: BytedropHandler,
  count: number,
  size: number,
  key = KEY,
): Promise<Map<string, Uint8Array>> {
  const stored = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    const bytes = new Uint8Array(randomBytes(size + i));
    const answer = await body(
      await handler(uploadRequest([{ name: `f${i}.bin`, body: bytes }], { authorization: `Bearer ${key}` })),
    );
    if (!answer.success) throw new Error(`upload failed: ${answer.msg}`);
    stored.set(answer.files[0]!.key, bytes);
  }
  return stored;
}

/** `POST /api/zip` with `json` as the body. */
export function zipRequest(json: unknown, key = KEY): Request {
  return new Request(`${ORIGIN}/api/zip`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: typeof json === 'string' ? json : JSON.stringify(json),
  });
}

/** Tests the archive with `unzip -t` and extracts it: entry name → bytes. */
export async function unzipped(zip: Uint8Array): Promise<Map<string, Uint8Array>> {
  const dir = await mkdtemp(join(tmpdir(), 'bytedrop-zip-'));
  try {
    const file = join(dir, 'out.zip');
    await writeFile(file, zip);
    await run('unzip', ['-tq', file]);
    const { stdout } = await run('unzip', ['-Z1', file]);
    await run('unzip', ['-q', file, '-d', join(dir, 'x')]);
    const entries = new Map<string, Uint8Array>();
    for (const name of stdout.split('\n').filter(Boolean)) {
      entries.set(name, new Uint8Array(await readFile(join(dir, 'x', name))));
    }
    return entries;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Entry name → SHA-256 of the bytes: compares like the bytes, without a deep-equal over every byte. */
export function digests(files: Map<string, Uint8Array>): Record<string, string> {
  return Object.fromEntries(
    [...files].map(([name, bytes]) => [name, createHash('sha256').update(bytes).digest('hex')]),
  );
}
