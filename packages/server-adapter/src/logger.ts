/**
 * The server's logger: pino on stdout, one JSON object a line for log collectors, or readable lines (pino-pretty)
 * when stdout is a terminal; with `LOG_TO_FILE` also daily/size-rotated JSON files (pino-roll).
 * Secrets are redacted by path, so an access key, delete token or storage secret that ends up in a logged object
 * is replaced before it is written.
 */
import { join } from 'node:path';
import type { DestinationStream, Logger as PinoLogger } from 'pino';

/**
 * Object paths whose values never reach a log line (pino `redact` syntax).
 *
 * @example
 * ```ts
 * pino({ redact: { paths: [...REDACT_PATHS], censor: '[redacted]' } });
 * ```
 */
export const REDACT_PATHS: readonly string[] = [
  'accessKey',
  'authKey',
  'key.key',
  'keys[*].key',
  'secret',
  'token',
  'secretAccessKey',
  'sessionToken',
  'authorization',
  '*.accessKey',
  '*.authKey',
  '*.secret',
  '*.token',
  '*.secretAccessKey',
  '*.sessionToken',
  '*.authorization',
  '*.Authorization',
  '*["x-api-key"]',
  '*["x-picgo-secret"]',
  '*["x-delete-token"]',
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.headers["x-api-key"]',
  '*.headers["x-picgo-secret"]',
  '*.headers["x-delete-token"]',
  '*.config.secretAccessKey',
  '*.config.sessionToken',
];

/** Options of `createLogger`. */
export interface LoggerOptions {
  level?: string;
  /** Also write rotated files to `dir` (daily, or at 10 MB; 14 old files kept). */
  toFile?: boolean;
  dir?: string;
  /** Where stdout lines go; tests pass their own stream. */
  destination?: DestinationStream;
  /**
   * `pretty` (coloured lines for people), `json` (one object a line) or `auto` (default: pretty when stdout is a
   * terminal): `LOG_FORMAT`. Files are always JSON.
   */
  format?: 'auto' | 'pretty' | 'json';
}

/** Whether lines should be pretty: `format`, or else whether they go to stdout and it is a terminal. */
function wantsPretty(options: LoggerOptions): boolean {
  if (options.format === 'pretty' || options.format === 'json') return options.format === 'pretty';
  return options.destination === undefined && process.stdout.isTTY === true;
}

/**
 * Creates the pino logger the server uses.
 *
 * @example
 * ```ts
 * const logger = await createLogger({ level: 'info', toFile: true, dir: './logs' });
 * logger.info({ headers: { authorization: 'Bearer s3cret' } }, 'hello'); // authorization: "[redacted]"
 * ```
 */
export async function createLogger(options: LoggerOptions = {}): Promise<PinoLogger> {
  const pretty = wantsPretty(options);
  // Loaded here, each only when used: a server that logs JSON never evaluates pino-pretty, nor pino-roll without files.
  const { default: pino } = await import('pino');
  const pinoPretty = pretty ? (await import('pino-pretty')).default : undefined;
  // pino-pretty as a stream in this thread (not a transport worker): lines come out in order with the stderr banner.
  const stdout = pinoPretty
    ? pinoPretty({
        colorize: options.destination === undefined && pinoPretty.isColorSupported,
        sync: true,
        ignore: 'pid,hostname,service',
        translateTime: 'SYS:HH:MM:ss.l',
        ...(options.destination ? { destination: options.destination } : {}),
      })
    : (options.destination ?? pino.destination(1));
  const settings = {
    level: options.level ?? 'info',
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    base: { service: 'bytedrop-server' },
  };
  if (!options.toFile) return pino(settings, stdout);
  const { default: pinoRoll } = await import('pino-roll');
  const file = await pinoRoll({
    file: join(options.dir ?? './logs', 'bytedrop'),
    extension: '.log',
    frequency: 'daily',
    size: '10m',
    mkdir: true,
    limit: { count: 14 },
  });
  return pino(settings, pino.multistream([{ stream: stdout }, { stream: file }]));
}
