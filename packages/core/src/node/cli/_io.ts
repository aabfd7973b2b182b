/**
 * Internal: where CLI commands read their environment and write their output. Commands take it as a parameter
 * so the link lines on stdout and the messages on stderr stay strictly apart.
 */
import { dirname, resolve } from 'node:path';

/** A writable text stream; `isTTY` decides whether a progress bar is drawn. */
export interface CliStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** The process as the CLI commands see it. */
export interface CliIO {
  stdout: CliStream;
  stderr: CliStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** One error line on stderr, prefixed so it is clear which program is talking in Typora's or a script's logs. */
export function printError(io: CliIO, message: string): void {
  io.stderr.write(`bytedrop: ${message}\n`);
}

/**
 * The directory the user ran the command from. Package managers run scripts from the package's root
 * (`npm_package_json`'s directory) and keep the caller's directory in INIT_CWD (npm, pnpm, yarn). Only a command
 * started right there takes INIT_CWD: one that a script started elsewhere (`cd docs && bytedrop …`, a test or tool
 * spawning it in a directory of its own) is where it runs, as is any command outside a script (`npx`, `pnpm exec`, a
 * global install).
 *
 * @example
 * ```ts
 * const env = { npm_lifecycle_event: 'pics', npm_package_json: '/repo/package.json', INIT_CWD: '/repo/notes' };
 * callerDirectory(env, '/repo'); // '/repo/notes'
 * callerDirectory(env, '/repo/docs'); // '/repo/docs'
 * ```
 */
export function callerDirectory(env: Record<string, string | undefined>, cwd: string): string {
  const scriptRoot = env.npm_package_json === undefined ? undefined : dirname(env.npm_package_json);
  return env.npm_lifecycle_event &&
    env.INIT_CWD &&
    scriptRoot !== undefined &&
    resolve(scriptRoot) === resolve(cwd)
    ? env.INIT_CWD
    : cwd;
}

/** A path the user typed, resolved against the directory they ran the command from. */
export function userPath(io: CliIO, path: string): string {
  return resolve(io.cwd, path);
}
