/**
 * One file through the pipeline without issue 10's checks (`unchecked.mjs`), as the upload section's peer for
 * `bytedrop-library.mjs`: the same file Blob (`openFile`), the same hash pass and store, no verification or journal.
 * Usage: node unchecked-file.mjs <config.json> <file>. Prints `{ key, size, deduplicated }`.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { openFile } from '../../packages/core/dist/node/index.js';
import { createUncheckedUploader } from './unchecked.mjs';

const [configPath, path] = process.argv.slice(2);
const uploader = createUncheckedUploader(JSON.parse(await readFile(configPath, 'utf8')));
const { key, size, deduplicated } = await uploader.upload(await openFile(path), { filename: basename(path) });
process.stdout.write(`${JSON.stringify({ key, size, deduplicated })}\n`);
