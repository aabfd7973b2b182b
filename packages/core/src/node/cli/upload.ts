/**
 * `bytedrop upload <files…>`: uploads each file and prints one link per input on stdout, in input order.
 *
 * stdout is all or nothing. Typora's "Custom Command" uploader reads the last N lines of stdout as the URLs of its N
 * images, in order, and a shell pipe pairs line i with file i. If one file failed and we printed only the others,
 * every link after it would land on the wrong image. So on any failure stdout stays empty, the exit code is 1, and
 * stderr names each failed file with the reason and lists the links that did work. Re-running is cheap: uploads are
 * content-addressed, so the files that went through are deduplicated instead of sent again.
 *
 * Before the first file, it aborts what runs that died (SIGKILL, a crash, a power cut) left in the bucket, as its
 * journal in the user's state directory records it (`_journal.ts`), and says so on stderr.
 */
import { isBytedropError } from '../../errors';
import { formatLink } from '../../links';
import type { LinkFormat, Uploader } from '../../types';
import { statFile } from '../_stat';
import { uploadFile } from '../file';
import { recoverEarlierRuns } from './_cleanup';
import { CLI_FORMATS } from './_formats';
import { type CliIO, printError } from './_io';
import { startProgress } from './_progress';
import { openStorage } from './_storage';

/** Options of `bytedrop upload`. */
export interface UploadCommandOptions {
  format?: string;
  config?: string;
  signal?: AbortSignal;
}

/**
 * Runs `bytedrop upload`; resolves to the exit code (0 all uploaded, 1 any failure, 2 bad usage).
 *
 * @example
 * ```ts
 * const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
 * process.exitCode = await uploadCommand(['shot.png'], { format: 'markdown' }, io);
 * ```
 */
export async function uploadCommand(
  files: string[],
  options: UploadCommandOptions,
  io: CliIO,
): Promise<number> {
  const format = (options.format ?? 'url') as LinkFormat;
  if (!(CLI_FORMATS as readonly string[]).includes(format)) {
    printError(io, `--format '${options.format}' is not supported: use ${CLI_FORMATS.join(', ')}`);
    return 2;
  }
  if (files.length === 0) {
    printError(io, 'no files given: bytedrop upload <file> [more files…]');
    return 2;
  }
  const storage = await openStorage(options.config, io);
  const { uploader } = storage;
  await recoverEarlierRuns(storage, io);
  try {
    return await uploadAll(files, format, options.signal, uploader, io);
  } finally {
    await storage.journal?.tidy();
  }
}

/** Uploads each file in turn; prints every link on stdout, or none when any failed. */
async function uploadAll(
  files: string[],
  format: LinkFormat,
  signal: AbortSignal | undefined,
  uploader: Uploader,
  io: CliIO,
): Promise<number> {
  const links: (string | undefined)[] = [];
  for (const file of files) {
    try {
      const stats = await statFile(file);
      const bar = startProgress(io.stderr, file, stats.size);
      try {
        const result = await uploadFile(uploader, file, {
          ...(bar ? { onProgress: bar.update } : {}),
          ...(signal ? { signal } : {}),
        });
        links.push(formatLink(result, format));
      } finally {
        bar?.stop();
      }
    } catch (error) {
      links.push(undefined);
      printError(io, `${file}: ${describe(error)}`);
      // After an abort (Ctrl-C) the remaining files are not attempted.
      if (isBytedropError(error, 'ERR_ABORTED')) break;
    }
  }

  const failed = files.length - links.filter((link) => link !== undefined).length;
  if (failed === 0) {
    io.stdout.write(`${links.join('\n')}\n`);
    return 0;
  }
  links.forEach((link, index) => {
    if (link !== undefined) io.stderr.write(`bytedrop: uploaded ${files[index]}: ${link}\n`);
  });
  const why = signal?.aborted ? 'interrupted' : `${failed} of ${files.length} file(s) failed`;
  printError(
    io,
    `${why}; no links were printed to stdout so none can be paired with the wrong file. ` +
      'Run the same command again (after fixing the errors above): files already uploaded are deduplicated.',
  );
  return 1;
}

function describe(error: unknown): string {
  if (isBytedropError(error)) return `${error.message} [${error.code}]`;
  return error instanceof Error ? error.message : String(error);
}
