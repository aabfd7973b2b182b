/**
 * The `bytedrop` command. Links go to stdout, everything else (notices, errors, progress) to stderr, so Typora's
 * "Custom Command" uploader and shell pipes can read stdout as-is.
 *
 * Exit codes: 0 success, 1 a file or check failed, 2 bad usage, 128 + the signal's number when stopped by SIGINT
 * (130), SIGTERM (143) or SIGHUP (129), after stopping what was in flight (a large file's upload is kept to resume;
 * `bytedrop upload` first lets its parts in flight finish, see `STOPPING`).
 */
import { constants } from 'node:os';
import { cac } from 'cac';
import { version } from '../../package.json';
import { toBytedropError } from '../error-mapping';
import { isBytedropError } from '../errors';
import { CLI_FORMATS } from './cli/_formats';
import { type CliIO, callerDirectory, printError } from './cli/_io';
import { completionScript, SHELLS, type Shell } from './cli/completion';
import type { GcCommandOptions } from './cli/gc';
import { hashCommand } from './cli/hash';
import type { UploadCommandOptions } from './cli/upload';

// The AWS SDK prints an eight-line notice on Node 20 at the first client; the README says which Node to use, and a
// CLI's stderr belongs to its own messages. The SDK's documented switch; a value the user set is kept.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const io: CliIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  // Relative paths are the caller's: INIT_CWD when a package script runs us from the package's root.
  cwd: callerDirectory(process.env, process.cwd()),
};
/** Stops everything at once: requests in flight too. */
const interrupt = new AbortController();
/** Stops `bytedrop upload` between parts: no new part or file starts, the parts in flight finish. */
const stop = new AbortController();
/** Whether the command running stops gently on a first signal (`bytedrop upload`). */
let gentle = false;
/**
 * Signals that stop the CLI: caught, so that the requests in flight stop cleanly (`kill`, a closed terminal and Ctrl-C
 * alike). A large file's multipart upload then stays open and journaled for the same command to resume; anything
 * else in flight is aborted. The first signal stops `bytedrop upload` between parts: the parts in flight finish and
 * are journaled, so the resume sends none of them again (parts cut mid-way are lost whole: S3 keeps no part of a
 * part). Waiting is bounded by those parts (each fails after `socketTimeout` of silence); a second signal stops at
 * once, and a third kills (the default action).
 */
const STOPPING = {
  SIGINT: 'interrupted (Ctrl-C)',
  SIGTERM: 'terminated (SIGTERM)',
  SIGHUP: 'the terminal closed (SIGHUP)',
} as const;
const AGAIN = { SIGINT: 'Ctrl-C again', SIGTERM: 'SIGTERM again', SIGHUP: 'another signal' } as const;
let stoppedBy: keyof typeof STOPPING | undefined;
const onSignal = (signal: keyof typeof STOPPING) => {
  stoppedBy ??= signal;
  const why = STOPPING[signal];
  if (gentle && !stop.signal.aborted) {
    stop.abort(new Error(why));
    io.stderr.write(
      `bytedrop: ${why}: stopping once the parts in flight finish, so the next run need not send them again; ${AGAIN[signal]} stops at once\n`,
    );
    return;
  }
  if (gentle) io.stderr.write(`bytedrop: ${why}: stopping at once\n`);
  interrupt.abort(new Error(why));
  // The next signal has the default action: it kills.
  for (const name of Object.keys(STOPPING))
    process.removeListener(name, handlers[name as keyof typeof STOPPING]);
};
const handlers = {
  SIGINT: () => onSignal('SIGINT'),
  SIGTERM: () => onSignal('SIGTERM'),
  SIGHUP: () => onSignal('SIGHUP'),
};
for (const [name, handler] of Object.entries(handlers)) process.on(name, handler);
/** The shell's convention for a process ended by a signal: 128 + its number (130 for Ctrl-C, 143 for SIGTERM). */
const exitCode = (code: number) => (stoppedBy ? 128 + constants.signals[stoppedBy] : code);

const cli = cac('bytedrop');
let run: Promise<number> | undefined;

cli
  .command(
    'upload <...files>',
    'Upload files; print one link per file on stdout, in order (first cleans up after runs that died)',
  )
  .option('--format <format>', `Link format: ${CLI_FORMATS.join(' | ')}`, { default: 'url' })
  .option(
    '--config <file>',
    'JSON config file (default: ./bytedrop.config.json, then ~/.config/bytedrop/config.json)',
  )
  .option('--json', 'Print one JSON document: {ok, files: [{file, url, link, key, …} or {file, error}]}')
  .option(
    '--convert <format>',
    'Convert images to webp or avif before upload (needs sharp: npm install sharp)',
  )
  .option('--quality <quality>', 'Quality of --convert, 1-100 (default 80)')
  .option('--max-side <pixels>', 'With --convert: scale images down to this longest side, e.g. 2560')
  .option(
    '--keep-metadata',
    'Keep image metadata (GPS, camera, EXIF, XMP): upload images exactly as they are (default: stripped)',
  )
  .option(
    '--no-hidpi',
    'Links give a 144 DPI image (a Retina screenshot) its pixels, not half (default: half, its size on screen)',
  )
  .option(
    '--no-resume',
    'Start over instead of resuming an interrupted upload of the same file (the interrupted one is aborted)',
  )
  .example('bytedrop upload shot.png --format markdown')
  .example('bytedrop upload photo.jpg --convert webp --quality 80 --max-side 2560')
  .example(
    'bytedrop upload photo.jpg --keep-metadata   # GPS and camera tags kept (or "stripMetadata": false)',
  )
  .example('S3_ENDPOINT=https://s3.example.com S3_BUCKET=notes bytedrop upload a.png b.pdf')
  .example('Typora: Preferences → Image → Upload Service: Custom Command, command: bytedrop upload')
  .example('Any failure: exit 1, nothing on stdout, each problem on stderr (re-runs are deduplicated)')
  .example(
    'Ctrl-C (or SIGTERM) starts no new part and lets the parts in flight finish, so the next run sends none of them again; a second Ctrl-C stops at once',
  )
  .example(
    "Uploads in flight are journaled in $XDG_STATE_HOME/bytedrop/journal (default ~/.local/state/bytedrop/journal); the next run aborts what a killed one left, except a large file's interrupted upload, which the next upload of that file resumes",
  )
  .action((files: string[], options: UploadCommandOptions) => {
    // upload and doctor load the AWS SDK (~100 ms); `hash` and `--help` never need it.
    gentle = true;
    run = import('./cli/upload').then(({ uploadCommand }) =>
      uploadCommand(files, { ...options, signal: interrupt.signal, stop: stop.signal }, io),
    );
  });

cli
  .command('hash <file>', 'Print the content hash of a file (hex)')
  .option('--algorithm <algorithm>', 'sha256 | md5', { default: 'sha256' })
  .option('--json', 'Print {file, algorithm, hash, size} as JSON')
  .action((file: string, options: { algorithm?: string; json?: boolean }) => {
    run = hashCommand(file, options, io);
  });

cli
  .command(
    'doctor',
    'Check the config and the bucket, say exactly what is wrong; warn (!) about leftovers and a missing lifecycle rule',
  )
  .option('--config <file>', 'JSON config file')
  .option('--json', 'Print the report as JSON: {ok, configFile, checks: [{id, status, message, fix}]}')
  .option(
    '--fix-cors <origin>',
    'Set the bucket CORS rule browsers need to upload straight to it (PUT allowed, ETag exposed) for this page origin; repeat for more',
  )
  .action((options: { config?: string; json?: boolean; fixCors?: string | string[] }) => {
    run = import('./cli/doctor').then(({ doctorCommand }) => doctorCommand(options, io));
  });

cli
  .command('gc', 'Remove what uploads that died left; --lifecycle lets the bucket do it from then on')
  // No cac default: gc.ts holds it (DEFAULT_OLDER_THAN), and importing it here would load the AWS SDK for --help.
  .option(
    '--older-than <duration>',
    'Only what started this long ago or earlier: 30m, 7d, 0 for all (default: 24h)',
  )
  .option(
    '--all-uploads',
    "Also abort EVERY open multipart upload in the bucket older than --older-than, other tools' too (your call: nothing else does)",
  )
  .option(
    '--lifecycle',
    'Install lifecycle rules: abort incomplete multipart uploads (whole bucket) and expire .bytedrop-tmp/ after 1 day; other rules are kept',
  )
  .option('--config <file>', 'JSON config file')
  .example('Always: what the journal says runs that died left. Then: multipart uploads and objects under')
  .example('.bytedrop-tmp/ older than --older-than (local disk: partial and temporary files).')
  .example('bytedrop gc                     # what dead uploads left, older than 24h')
  .example('bytedrop gc --older-than 0      # everything of Bytedrop, uploads in progress too')
  .example('bytedrop gc --lifecycle         # and let the bucket clean up by itself from now on')
  .action((options: GcCommandOptions) => {
    run = import('./cli/gc').then(({ gcCommand }) => gcCommand({ ...options, signal: interrupt.signal }, io));
  });

cli
  .command('completion <shell>', `Print the shell completion script: ${SHELLS.join(' | ')}`)
  .example('bash:  bytedrop completion bash > ~/.local/share/bash-completion/completions/bytedrop')
  .example('zsh:   source <(bytedrop completion zsh)   (in ~/.zshrc, after compinit)')
  .example('fish:  bytedrop completion fish > ~/.config/fish/completions/bytedrop.fish')
  .action((shell: string) => {
    if (!(SHELLS as readonly string[]).includes(shell)) {
      printError(io, `no completion for shell '${shell}': use ${SHELLS.join(', ')}`);
      run = Promise.resolve(2);
      return;
    }
    const values = { format: CLI_FORMATS, algorithm: ['sha256', 'md5'], config: 'file' } as const;
    io.stdout.write(completionScript(cli, shell as Shell, values, { completion: SHELLS }));
  });

cli.help();
cli.version(version);

async function main(): Promise<number> {
  try {
    const parsed = cli.parse(process.argv, { run: false });
    if (parsed.options.help || parsed.options.version) return 0;
    if (!cli.matchedCommand) {
      if (parsed.args.length > 0) printError(io, `unknown command '${parsed.args[0]}'`);
      cli.outputHelp();
      return 2;
    }
    await cli.runMatchedCommand();
  } catch (error) {
    // cac reports usage mistakes (missing argument, unknown option) by throwing CACError.
    if ((error as { name?: unknown } | null)?.name === 'CACError') {
      printError(io, `${(error as Error).message}; see bytedrop --help`);
      return 2;
    }
    throw error;
  }
  return (await run) ?? 0;
}

main().then(
  (code) => {
    process.exitCode = exitCode(code);
  },
  (error: unknown) => {
    const wrapped = isBytedropError(error) ? error : toBytedropError(error);
    printError(io, `${wrapped.message} [${wrapped.code}]`);
    process.exitCode = exitCode(1);
  },
);
