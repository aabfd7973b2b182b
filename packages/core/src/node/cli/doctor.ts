/**
 * `bytedrop doctor`: runs every check against the configured storage and prints each with ✓/!/✗ and the fix.
 * Warnings (leftovers of uploads that died, no lifecycle rule) name the command that fixes them but do not fail.
 */
import { parseConfig } from '../../config';
import type { BytedropConfigInput } from '../../config-input';
import { type DoctorCheck, runDoctor } from '../../doctor';
import { toBytedropError } from '../../error-mapping';
import { BytedropError } from '../../errors';
import { createS3Store } from '../../stores/s3';
import { loadConfigLayers } from '../load-config';
import { hasS3Settings } from '../local-default';
import { checkBucketCors } from '../s3-cors';
import { type CliIO, userPath } from './_io';
import { openCliJournal } from './_journal';
import { localStore } from './_storage';

const MARK: Record<DoctorCheck['status'], string> = { ok: '✓', warn: '!', fail: '✗', skip: '-' };

/**
 * Runs `bytedrop doctor`; resolves to 0 when no check failed (warnings included), else 1.
 *
 * @example
 * ```ts
 * process.exitCode = await doctorCommand({ config: './bytedrop.config.json' }, io);
 * // ✓ Endpoint has a scheme: endpoint https://s3.example.com
 * // ✗ Bucket reachable: bucket 'notes' does not exist at https://s3.example.com
 * //     fix: create the bucket, or fix its name (S3_BUCKET / BYTEDROP_BUCKET); names are case-sensitive
 * ```
 */
export async function doctorCommand(
  options: { config?: string; json?: boolean; fixCors?: string | string[] },
  io: CliIO,
): Promise<number> {
  let checks: DoctorCheck[];
  let configFile: string | undefined;
  try {
    const fixCors = corsOrigins(options.fixCors);
    const { input, file } = await loadConfigLayers({
      env: io.env,
      cwd: io.cwd,
      ...(options.config ? { file: userPath(io, options.config) } : {}),
    });
    configFile = file;
    checks = hasS3Settings(input)
      ? await s3Checks(input, io, fixCors)
      : await localChecks(input, io, fixCors !== undefined);
  } catch (caught) {
    // Only unreadable input gets here (a missing or malformed config file, a bad env value); provider trouble
    // is reported by the checks themselves.
    const error = toBytedropError(caught);
    checks = [
      {
        id: 'config',
        title: 'Config is valid',
        status: 'fail',
        message: error.message,
        fix: 'fix the config file or environment variable named above',
        code: error.code,
      },
    ];
  }
  const failed = checks.some((check) => check.status === 'fail');
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ ok: !failed, configFile, checks }, null, 2)}\n`);
    return failed ? 1 : 0;
  }
  if (configFile) io.stdout.write(`config file: ${configFile}\n`);
  for (const check of checks) {
    io.stdout.write(`${MARK[check.status]} ${check.title}: ${check.message}\n`);
    if (check.fix && (check.status === 'fail' || check.status === 'warn')) {
      io.stdout.write(`    fix: ${check.fix}\n`);
    }
  }
  return failed ? 1 : 0;
}

/** `--fix-cors` origins (repeated, or comma-separated); each must be an origin, not a page's URL. */
function corsOrigins(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const origins = (Array.isArray(value) ? value : [value]).flatMap((entry) => String(entry).split(','));
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^/?#]+$/.test(origin.trim())) {
      throw new BytedropError(
        'ERR_CONFIG',
        `--fix-cors '${origin}' is not an origin: write the scheme and host of the page that uploads, e.g. https://drop.example.com`,
      );
    }
  }
  return origins.map((origin) => origin.trim());
}

/**
 * The shared checks, then, once the bucket is reachable, its CORS (set first with `--fix-cors`). One store (one S3
 * client, one connection pool) serves both; a config that does not parse gets no store, so runDoctor reports why.
 */
async function s3Checks(input: Partial<BytedropConfigInput>, io: CliIO, fixCors: string[] | undefined) {
  const built = storeFor(input);
  const { checks } = await runDoctor(input, {
    leftovers: { journal: openCliJournal(io.env) },
    ...(built === undefined ? {} : { store: built.store }),
  });
  if (built === undefined || checks.find((check) => check.id === 'bucket')?.status !== 'ok') return checks;
  return [
    ...checks,
    await checkBucketCors(built.store.client, built.bucket, fixCors ? { fix: fixCors } : {}),
  ];
}

/** The store the checks share, or none when the config is wrong: runDoctor then reports what is wrong with it. */
function storeFor(input: Partial<BytedropConfigInput>) {
  try {
    const config = parseConfig(input);
    return { store: createS3Store(config), bucket: config.bucket };
  } catch {
    return undefined;
  }
}

async function localChecks(
  input: Parameters<typeof localStore>[0],
  io: CliIO,
  fixCors: boolean,
): Promise<DoctorCheck[]> {
  const store = localStore(input, io);
  try {
    await store.check();
  } catch (caught) {
    const error = toBytedropError(caught);
    return [
      {
        id: 'config',
        title: 'Local storage',
        status: 'fail',
        message: error.message,
        fix: 'set BYTEDROP_DATA_DIR to a writable directory',
        code: error.code,
      },
    ];
  }
  return [
    {
      id: 'config',
      title: 'Local storage',
      status: 'ok',
      message: `no S3 configured: uploads go to ${store.dir}, served at ${store.publicBaseUrl}/ by the Bytedrop server (set S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY to use a bucket)`,
    },
    {
      id: 'lifecycle',
      title: 'Lifecycle rule aborts incomplete uploads',
      status: 'skip',
      message: "n/a: local disk has no lifecycle rules; 'bytedrop gc' sweeps its partial and temporary files",
    },
    fixCors
      ? {
          id: 'cors',
          title: 'Bucket CORS exposes ETag',
          status: 'fail',
          message: '--fix-cors needs a bucket, and no S3 is configured (uploads go to the local disk)',
          fix: 'configure S3 (S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY), or leave out --fix-cors',
        }
      : {
          id: 'cors',
          title: 'Bucket CORS exposes ETag',
          status: 'skip',
          message: 'n/a: local disk has no bucket CORS',
        },
  ];
}
