/**
 * Bytedrop's hasher (createHasher) fed straight from fs.createReadStream with 1 MiB reads: the hash without the
 * file-Blob read path that uploadFile and `bytedrop hash` use, to tell the hasher's cost from the reading's.
 * Usage: node hash-stream.mjs <file> <sha256|md5>. Prints `{ hash, size, seconds }`; seconds cover the hashing only.
 */
import { createReadStream } from 'node:fs';
import { createHasher } from '../../packages/core/dist/index.js';

const [path, algorithm] = process.argv.slice(2);
const started = performance.now();
const hasher = await createHasher(algorithm);
let size = 0;
for await (const chunk of createReadStream(path, { highWaterMark: 2 ** 20 })) {
  hasher.update(chunk);
  size += chunk.length;
}
const hash = await hasher.digest();
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ hash, size, seconds })}\n`);
