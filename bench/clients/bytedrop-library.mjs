/**
 * One file through Bytedrop's library, as an app embeds it: createUploader + uploadFile (hash on the first read,
 * stream on the second). Usage: node bytedrop-library.mjs <config.json> <file>. Prints `{ key, size, deduplicated }`.
 */
import { readFile } from 'node:fs/promises';
import { createUploader } from '../../packages/core/dist/index.js';
import { uploadFile } from '../../packages/core/dist/node/index.js';

const [configPath, path] = process.argv.slice(2);
const uploader = createUploader(JSON.parse(await readFile(configPath, 'utf8')));
const { key, size, deduplicated } = await uploadFile(uploader, path);
process.stdout.write(`${JSON.stringify({ key, size, deduplicated })}\n`);
