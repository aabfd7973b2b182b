/**
 * Bytedrop's streaming hash over Node's own file-backed Blob (`fs.openAsBlob`, 64 KiB reads): what a library user
 * who passes such a Blob to `hashBody` or `upload` gets.
 * Usage: node hash.mjs <file> <sha256|md5>. Prints `{ hash, size, seconds }`; seconds cover the hashing only.
 */
import { openAsBlob } from 'node:fs';
import { hashBody } from '../../packages/core/dist/index.js';

const [path, algorithm] = process.argv.slice(2);
const started = performance.now();
const { hash, size } = await hashBody(await openAsBlob(path), algorithm);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ hash, size, seconds })}\n`);
