/**
 * One file through Bytedrop's library, as a host embeds it: createUploader with a file journal (as the server and
 * the CLI keep one) + uploadFile (hash on the first read, stream and verify on the second).
 * Usage: node bytedrop-library.mjs <config.json> <file> <journal dir>. Prints `{ key, size, deduplicated }`.
 */
import { readFile } from 'node:fs/promises';
import { createUploader } from '../../packages/core/dist/index.js';
import { createFileJournal, uploadFile } from '../../packages/core/dist/node/index.js';

const [configPath, path, journalDir] = process.argv.slice(2);
const uploader = createUploader(JSON.parse(await readFile(configPath, 'utf8')), {
  journal: createFileJournal(journalDir),
});
const { key, size, deduplicated } = await uploadFile(uploader, path);
process.stdout.write(`${JSON.stringify({ key, size, deduplicated })}\n`);
