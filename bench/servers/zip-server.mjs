/**
 * @bytedrop/server on the local-disk store with a SQLite catalog, for the ZIP section, in a process of its own so
 * its RSS is its own. Writes `<count>` files of random bytes totalling `<MiB>` into the store and records them
 * (as `bench`'s), then sends `{ port, keys }` over IPC. Answers 'usage' with its RSS and CPU time, and 'peak' with
 * the highest RSS sampled (every 20 ms) since the last 'peak'. Usage (forked): node zip-server.mjs <dir> <MiB> <count>
 */
import { randomFillSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createUploader } from '../../packages/core/dist/index.js';
import { createLocalDiskStore } from '../../packages/core/dist/node/index.js';
import { createSqliteCatalog, serve } from '../../packages/server-adapter/dist/node.js';

const ACCESS_KEY = 'bench-access-key-0123456789abcdef';
const [dir, mib, countText] = process.argv.slice(2);
const count = Number(countText);
const size = Math.floor((Number(mib) * 2 ** 20) / count);

const store = createLocalDiskStore({ dir: join(dir, 'files'), publicBaseUrl: 'http://127.0.0.1/f' });
const catalog = await createSqliteCatalog({ file: join(dir, 'catalog.sqlite') });
const bytes = Buffer.allocUnsafe(size);
const keys = [];
for (let i = 0; i < count; i++) {
  const key = `bench/zip/file-${String(i).padStart(3, '0')}.bin`;
  randomFillSync(bytes);
  await mkdir(dirname(store.path(key)), { recursive: true });
  await writeFile(store.path(key), bytes);
  keys.push(key);
}
await catalog.recordMany(
  keys.map((key, i) => ({
    key,
    owner: 'bench',
    filename: key.split('/').at(-1),
    size,
    hash: null,
    contentType: 'application/octet-stream',
    width: null,
    height: null,
    createdAt: new Date(Date.UTC(2026, 10, 1) + i),
    requestId: null,
    deleteToken: 'none',
  })),
);

const server = await serve({
  port: 0,
  hostname: '127.0.0.1',
  uploader: createUploader({ bucket: 'local-disk' }, { store }),
  store,
  files: store,
  catalog,
  keys: [{ name: 'bench', key: ACCESS_KEY }],
  secret: 'bytedrop-bench-delete-token-secret',
});

let peak = process.memoryUsage().rss;
setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20).unref();

process.send?.({ port: server.port, keys, size });
process.on('message', (message) => {
  if (message === 'usage') {
    const cpu = process.cpuUsage();
    globalThis.gc?.();
    process.send?.({ usage: { rss: process.memoryUsage().rss, cpuMs: (cpu.user + cpu.system) / 1000 } });
  }
  if (message === 'peak') {
    process.send?.({ peak });
    peak = process.memoryUsage().rss;
  }
});
process.on('disconnect', () => {
  server.close(true).then(
    () => catalog.close().then(() => process.exit(0)),
    () => process.exit(1),
  );
});
