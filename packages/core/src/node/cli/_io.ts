/**
 * Internal: where CLI commands read their environment and write their output. Commands take it as a parameter
 * so the link lines on stdout and the messages on stderr stay strictly apart.
 */
import { resolve } from 'node:path';

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
 * The directory the user ran the command from. Package managers run scripts from the package's root and keep the
 * caller's directory in INIT_CWD (npm, pnpm, yarn); outside a script (`npx`, `pnpm exec`, a global install) it is the
 * process's own working directory.
 *
 * @example
 * ```ts
 * callerDirectory({ npm_lifecycle_event: 'bytedrop', INIT_CWD: '/home/me/notes' }, '/repo'); // '/home/me/notes'
 * ```
 */
export function callerDirectory(env: Record<string, string | undefined>, cwd: string): string {
  return env.npm_lifecycle_event && env.INIT_CWD ? env.INIT_CWD : cwd;
}

/** A path the user typed, resolved against the directory they ran the command from. */
export function userPath(io: CliIO, path: string): string {
  return resolve(io.cwd, path);
}
