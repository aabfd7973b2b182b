/**
 * Internal: where CLI commands read their environment and write their output. Commands take it as a parameter
 * so the link lines on stdout and the messages on stderr stay strictly apart.
 */

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
