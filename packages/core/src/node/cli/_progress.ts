/**
 * Internal: the upload progress bar. Drawn on stderr only, only on a terminal, only for files big enough to wait
 * for — Typora and pipes read stdout and must never see it.
 */
import { createRequire } from 'node:module';
import type * as CliProgress from 'cli-progress';
import type { UploadProgress } from '../../types';
import type { CliStream } from './_io';

/** Files from this size up get a bar; smaller ones finish before a bar would be readable. */
export const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

/** A bar for one file, or `undefined` when none should be drawn. */
export interface ProgressBar {
  update(progress: UploadProgress): void;
  stop(): void;
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** Starts a bar on `stream` for a file of `size` bytes when the stream is a TTY and the file is large. */
export function startProgress(stream: CliStream, name: string, size: number): ProgressBar | undefined {
  if (!stream.isTTY || size < PROGRESS_MIN_BYTES) return undefined;
  // Required here, not imported: most uploads draw no bar, and cli-progress costs about 40 ms of every start.
  const { SingleBar } = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
  const bar = new SingleBar({
    // cli-progress writes escape codes; it gets the real stderr, which is what `stream` is when it is a TTY.
    stream: stream as NodeJS.WritableStream,
    format: `${name} [{bar}] {percentage}% | {done}/{all} MiB`,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(size, 0, { done: mib(0), all: mib(size) });
  return {
    update: ({ loaded }) => bar.update(loaded, { done: mib(loaded), all: mib(size) }),
    stop: () => bar.stop(),
  };
}
