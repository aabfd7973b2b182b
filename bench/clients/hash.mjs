/**
 * Bytedrop's streaming hash over a file, read the way `uploadFile` reads it (a file-backed Blob).
 * Usage: node hash.mjs <file> <sha256|md5>. Prints `{ hash, size, seconds }`; seconds cover the hashing only.
 */
import { openAsBlob } from 'node:fs';
import { hashBody } from '../../packages/core/dist/index.js';

const [path, algorithm] = process.argv.slice(2);
const started = performance.now();
const { hash, size } = await hashBody(await openAsBlob(path), algorithm);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ hash, size, seconds })}\n`);
