/**
 * What a fresh Node process loads when it imports a built entry, and after it uses some of it: the probe for the
 * tests that keep start-up imports lazy (core's `lazy-sdk.test.ts`, the server's `lazy-import.test.ts`). Not a
 * timing: the module set, which does not depend on the machine's load.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PROBE = fileURLToPath(new URL('./module-probe.mjs', import.meta.url));

/**
 * The modules a fresh process loaded importing `entry` (a file path; `.cjs` is `require`d), then running `then` (a
 * statement with the entry's exports in `entry`): file paths, `node:` builtins, and, for each loaded file of a
 * package's `dist`, the dependency files bundled into it (esbuild's `// path` comments), so that a bundled
 * dependency counts as loaded when its chunk is.
 */
export async function loadedModules(entry: string, then = ''): Promise<string[]> {
  const script = entry.endsWith('.cjs')
    ? `(async () => { const entry = require(${JSON.stringify(entry)}); ${then} })();`
    : `const entry = await import(${JSON.stringify(entry)}); ${then}`;
  const args = entry.endsWith('.cjs') ? ['-e', script] : ['--input-type=module', '-e', script];
  return (await probed(args)).loaded;
}

/**
 * Runs `node <args>` under the probe: its stdout, the modules it loaded (as `loadedModules` counts them), and those
 * of them that went through the ES module loader (`imported`).
 */
export async function probed(
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ stdout: string; loaded: string[]; imported: string[] }> {
  const { stdout } = await run(process.execPath, ['--import', PROBE, ...args], env ? { env } : {});
  const list = (prefix: string) => {
    const line = stdout
      .split('\n')
      .reverse()
      .find((text) => text.startsWith(prefix));
    if (!line) throw new Error(`the module probe printed no ${prefix.trim()} line: ${stdout.slice(-500)}`);
    return JSON.parse(line.slice(prefix.length)) as string[];
  };
  const loaded = list('MODULES ');
  const bundled = await Promise.all(
    loaded
      .filter((path) => /\/packages\/[^/]+\/dist\/.*\.c?js$/.test(path))
      .map(async (path) =>
        [...(await readFile(path, 'utf8')).matchAll(/^\/\/ (\S*node_modules\/\S+)$/gm)].map(
          (match) => match[1]!,
        ),
      ),
  );
  return { stdout, loaded: [...loaded, ...bundled.flat()], imported: list('IMPORTED ') };
}
