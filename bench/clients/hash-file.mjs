/**
 * The hash pass of `uploadFile` and `bytedrop hash`: core's `hashBody` over core's file-backed Blob (`openFileBlob`,
 * internal, so the bench bundles it from source into `<module>` first). Usage: node hash-file.mjs <module> <file>
 * <sha256|md5>. Prints `{ hash, size, seconds }`; seconds cover the hashing only.
 */
import { stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const [modulePath, path, algorithm] = process.argv.slice(2);
const { hashBody, openFileBlob } = await import(pathToFileURL(modulePath).href);
const started = performance.now();
const { hash, size } = await hashBody(await openFileBlob(path, await stat(path)), algorithm);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ hash, size, seconds })}\n`);
