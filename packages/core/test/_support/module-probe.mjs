/**
 * `node --import <this file>`: records every module the process loads (ES modules through a `module.register` load
 * hook, which sees URLs in the loader's thread; CommonJS ones from `require.cache`, since Node 20's hooks do not see
 * a `require` inside CommonJS) and prints them at exit as one line: `MODULES <JSON array of file paths and node:
 * URLs>`, then `IMPORTED <JSON array>`: the files of that list that went through the ES module loader (an
 * `import`, whatever the file's format). `loaded-modules.ts` runs it.
 */

import { writeSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
port1.unref();
const hooks = `let port;
export function initialize(data) { port = data.port; }
export async function load(url, context, next) { const loaded = await next(url, context); port.postMessage(url); return loaded; }`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, {
  data: { port: port2 },
  transferList: [port2],
});

process.on('exit', () => {
  const imported = new Set();
  // Drained here, synchronously: a load hook posts before its module runs, so every URL is queued by now.
  for (let message = receiveMessageOnPort(port1); message; message = receiveMessageOnPort(port1)) {
    const url = message.message;
    imported.add(url.startsWith('file:') ? fileURLToPath(url) : url);
  }
  const seen = new Set([...Object.keys(createRequire(import.meta.url).cache), ...imported]);
  const paths = (set) => JSON.stringify([...set].map((path) => path.replaceAll('\\', '/')));
  writeSync(1, `\nMODULES ${paths(seen)}\nIMPORTED ${paths(imported)}\n`);
});
