import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dist = (path: string) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));

/** The CommonJS packages a fresh Node process has loaded after importing `entry`. */
async function loadedBy(entry: string): Promise<string[]> {
  const print = 'console.log(JSON.stringify(Object.keys(require.cache)))';
  const { stdout } = entry.endsWith('.cjs')
    ? await run(process.execPath, ['-e', `require(${JSON.stringify(entry)}); ${print}`])
    : await run(process.execPath, [
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(entry)}); const require = (await import('node:module')).createRequire(import.meta.url); ${print}`,
      ]);
  return (JSON.parse(stdout) as string[]).map((path) => path.replaceAll('\\', '/'));
}

// Every server start pays its imports: what only some deployments use (pretty logs, log files, Prometheus, Redis)
// and what only the first upload needs (the AWS SDK) load when used.
const LAZY = /node_modules\/(@aws-sdk|@smithy|pino|pino-pretty|pino-roll|prom-client|ioredis)\//;

describe('importing the server loads only what every server uses', () => {
  it.each(['index.js', 'index.cjs', 'node.js', 'node.cjs'])('dist/%s', async (entry) => {
    const loaded = await loadedBy(dist(entry));
    expect(loaded.filter((path) => LAZY.test(path))).toEqual([]);
    // Proves the probe sees what an import loads: the multipart parser every upload uses is there.
    expect(loaded.some((path) => path.includes('node_modules/busboy/'))).toBe(true);
  });

  it('the probe sees a lazy package once something loads it (control)', async () => {
    const loaded = await loadedBy(fileURLToPath(import.meta.resolve('prom-client')));
    expect(loaded.some((path) => LAZY.test(path))).toBe(true);
  });
});
