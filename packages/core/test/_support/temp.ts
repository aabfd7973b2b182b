/**
 * Temporary directories for a test file, removed after its last test: CI machines keep /tmp between runs, and a
 * directory left by every run fills their disk. Importing this module registers one `afterAll` in the importing test
 * file (vitest evaluates it per file), which removes every directory made through it, however the tests ended.
 * For test files only (not a globalSetup), under vitest's per-file isolation (the default, kept here).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

afterAll(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * A fresh directory under the system's temporary folder, named `<prefix>XXXXXX`, removed after the file's last test.
 *
 * @example
 * ```ts
 * const work = await tempDir('bytedrop-cli-meta-work-');
 * await writeFile(join(work, 'bytedrop.config.json'), '{}');
 * ```
 */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/**
 * A unique path under the system's temporary folder, named `<prefix><uuid>`, not created: for module scope, where a
 * path is needed before any hook runs. Whatever the tests make there is removed after the file's last test; made at
 * import, a directory would stay when a filter (`-t`) skips every test of the file, and with them its `afterAll`.
 *
 * @example
 * ```ts
 * const FILES = tempPath('bytedrop-private-tags-');
 * // in a test: await mkdir(FILES, { recursive: true });
 * ```
 */
export function tempPath(prefix: string): string {
  const path = join(tmpdir(), `${prefix}${randomUUID()}`);
  made.push(path);
  return path;
}
