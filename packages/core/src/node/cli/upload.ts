/**
 * `bytedrop upload <files…>`: uploads each file and prints one link per input on stdout, in input order.
 *
 * stdout is all or nothing. Typora's "Custom Command" uploader reads the last N lines of stdout as the URLs of its N
 * images, in order, and a shell pipe pairs line i with file i. If one file failed and we printed only the others,
 * every link after it would land on the wrong image. So on any failure stdout stays empty, the exit code is 1, and
 * stderr names each failed file with the reason and lists the links that did work. Re-running is cheap: uploads are
 * content-addressed, so the files that went through are deduplicated instead of sent again.
 *
 * `--json` prints one JSON document instead, success or not: `{ ok, files: [{ file, url, link, key, … } or
 * { file, error: { code, message } }] }`, so a script gets every result and every failure with its code.
 *
 * Relative paths are resolved against the directory the user ran the command from (`io.cwd`).
 *
 * Before the first file, it aborts what runs that died (SIGKILL, a crash, a power cut) left in the bucket, as its
 * journal in the user's state directory records it (`_journal.ts`), and says so on stderr.
 *
 * A large file's multipart upload that was cut (Ctrl-C, network loss, a kill) is the exception: it stays open and
 * journaled, and the next upload of the same unchanged file sends only the parts the bucket is missing
 * (`UploadOptions.resume`). `--no-resume` aborts it and starts over; a changed file always starts over. A first
 * Ctrl-C (`options.stop`) starts no new part or file and lets the parts in flight finish, so that run loses nothing;
 * `options.signal` (a second Ctrl-C) stops at once.
 */
import { BytedropError, isBytedropError } from '../../errors';
import { type ImageConversion, unconvertedReason } from '../../image-encoder';
import { formatLink } from '../../links';
import type { LinkFormat, Uploader, UploadResult } from '../../types';
import { statFile } from '../_stat';
import { conversionFromText } from '../conversion';
import { uploadFile } from '../file';
import { recoverEarlierRuns } from './_cleanup';
import { CLI_FORMATS } from './_formats';
import { type CliIO, printError, userPath } from './_io';
import { startProgress } from './_progress';
import { openStorage } from './_storage';

/** Options of `bytedrop upload`. */
export interface UploadCommandOptions {
  format?: string;
  config?: string;
  /** Print one JSON document with every result and error instead of link lines. */
  json?: boolean;
  /** `--convert webp|avif`, `--quality`, `--max-side`: image conversion with sharp. */
  convert?: string;
  quality?: string | number;
  maxSide?: string | number;
  /** `--no-resume` sets it to false: an interrupted upload of the same file is aborted and the file sent afresh. */
  resume?: boolean;
  /** `--keep-metadata`: store images exactly as they are (`stripMetadata: false`), whatever the config says. */
  keepMetadata?: boolean;
  /** `--no-hidpi` sets it to false: links give a 144 DPI image's pixels instead of half (`formatLink`'s `hidpi`). */
  hidpi?: boolean;
  /** Stops everything at once, requests in flight too. */
  signal?: AbortSignal;
  /** Stops between parts (the first Ctrl-C): no new part or file starts, the parts in flight finish and are kept. */
  stop?: AbortSignal;
}

/** One file's outcome: what was uploaded, or why not. */
type Outcome = { file: string; result: UploadResult; link: string } | { file: string; error: unknown };

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
  let convert: ImageConversion | undefined;
  try {
    convert = conversionFromText({
      format: ['--convert', options.convert],
      quality: ['--quality', options.quality],
      maxSide: ['--max-side', options.maxSide],
    });
  } catch (error) {
    printError(io, describe(error));
    return 2;
  }
  const storage = await openStorage(
    options.config === undefined ? undefined : userPath(io, options.config),
    io,
    convert,
  );
  const { uploader } = storage;
  await recoverEarlierRuns(storage, io);
  try {
    const outcomes = await uploadAll(files, format, options, uploader, io);
    const stopped = options.signal?.aborted === true || options.stop?.aborted === true;
    return options.json ? printJson(outcomes, io) : printLinks(outcomes, stopped, io);
  } finally {
    await storage.journal?.tidy();
  }
}

/** Uploads each file in turn, naming each failure on stderr; after an abort (Ctrl-C) the rest are not attempted. */
async function uploadAll(
  files: string[],
  format: LinkFormat,
  options: UploadCommandOptions,
  uploader: Uploader,
  io: CliIO,
): Promise<Outcome[]> {
  const { signal, stop } = options;
  const outcomes: Outcome[] = [];
  for (const file of files) {
    if (stop?.aborted) {
      // Stopped after the last file finished (a file sent in one request is let finish): the rest never started.
      const error = new BytedropError(
        'ERR_ABORTED',
        'not started: the run was interrupted; run the command again',
      );
      outcomes.push({ file, error });
      printError(io, `${file}: ${describe(error)}`);
      break;
    }
    try {
      const path = userPath(io, file);
      const stats = await statFile(path, file);
      const bar = startProgress(io.stderr, file, stats.size);
      try {
        const result = await uploadFile(uploader, path, {
          resume: {
            source: path,
            version: `${stats.size}:${stats.mtimeMs}`,
            restart: options.resume === false,
            ...(stop ? { stop } : {}),
            onNotice: (message) => io.stderr.write(`bytedrop: ${file}: ${message}\n`),
          },
          ...(options.keepMetadata ? { stripMetadata: false } : {}),
          ...(bar ? { onProgress: bar.update } : {}),
          ...(signal ? { signal } : {}),
        });
        const link = formatLink(result, format, { hidpi: options.hidpi !== false });
        outcomes.push({ file, result, link });
        const why = result.conversionSkipped && unconvertedReason(result.conversionSkipped);
        if (why) io.stderr.write(`bytedrop: warning: ${file} was uploaded unconverted: ${why}\n`);
      } finally {
        bar?.stop();
      }
    } catch (error) {
      outcomes.push({ file, error });
      // Said at once on stderr (also with --json): a long run shows each failure as it happens.
      printError(io, `${file}: ${describe(error)}`);
      if (isBytedropError(error, 'ERR_ABORTED')) break;
    }
  }
  return outcomes;
}

/** Every link on stdout, one per line in input order, or none when any file failed (each failure on stderr). */
function printLinks(outcomes: Outcome[], stopped: boolean, io: CliIO): number {
  const failed = outcomes.filter((outcome) => 'error' in outcome);
  if (failed.length === 0) {
    io.stdout.write(`${outcomes.map((outcome) => ('link' in outcome ? outcome.link : '')).join('\n')}\n`);
    return 0;
  }
  for (const outcome of outcomes) {
    if ('link' in outcome) io.stderr.write(`bytedrop: uploaded ${outcome.file}: ${outcome.link}\n`);
  }
  const why = stopped ? 'interrupted' : `${failed.length} of ${outcomes.length} file(s) failed`;
  printError(
    io,
    `${why}; no links were printed to stdout so none can be paired with the wrong file. ` +
      'Run the same command again (after fixing the errors above): files already uploaded are deduplicated.',
  );
  return 1;
}

/** One JSON document on stdout with every outcome; exit 1 when any failed. */
function printJson(outcomes: Outcome[], io: CliIO): number {
  const files = outcomes.map((outcome) => {
    if ('error' in outcome) {
      const code = isBytedropError(outcome.error) ? outcome.error.code : 'ERR_UNKNOWN';
      const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
      return { file: outcome.file, error: { code, message } };
    }
    const { url, key, size, contentType, hash, deduplicated, converted, conversionSkipped } = outcome.result;
    // What stripping removed or why it kept the metadata, and the image's size: the facts a script checks.
    const { stripped, metadataKept, width, height, pixelRatio } = outcome.result;
    return {
      file: outcome.file,
      url,
      link: outcome.link,
      key,
      size,
      contentType,
      hash,
      deduplicated,
      ...(converted ? { converted } : {}),
      ...(conversionSkipped ? { conversionSkipped } : {}),
      ...(stripped ? { stripped } : {}),
      ...(metadataKept ? { metadataKept } : {}),
      ...(width === undefined ? {} : { width }),
      ...(height === undefined ? {} : { height }),
      ...(pixelRatio === undefined ? {} : { pixelRatio }),
    };
  });
  const ok = files.every((file) => !('error' in file));
  io.stdout.write(`${JSON.stringify({ ok, files }, null, 2)}\n`);
  return ok ? 0 : 1;
}

function describe(error: unknown): string {
  if (isBytedropError(error)) return `${error.message} [${error.code}]`;
  return error instanceof Error ? error.message : String(error);
}
