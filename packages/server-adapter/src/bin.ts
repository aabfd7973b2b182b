/**
 * `bytedrop-server`: the self-hosted endpoint, configured by environment (ByteGo's names work) or `--config <file>`.
 * Without S3 settings it stores files on local disk under BYTEDROP_DATA_DIR and serves them from `/f/`.
 * When no access key is configured it generates one, saves it next to the data and prints it at each start until
 * it is first used; `keys show` prints it again, `unban` lifts a ban.
 */
import { parseArgs } from 'node:util';
import { BytedropError, isBytedropError } from '@bytedrop/core';
import { showKeys, unban } from './_bin-admin';
import { rebuildCommand } from './_bin-catalog';
import { keysCommand } from './_bin-keys';
import { runServer } from './_bin-serve';
import { loadSetup } from './_bin-setup';
import { thumbnailsCommand } from './_bin-thumbnails';

// The AWS SDK prints an eight-line notice on Node 20 at the first client: not something for the server's log. The
// SDK's documented switch; a value the operator set is kept. The README says which Node to run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const HELP = `bytedrop-server: self-hosted upload endpoint and page

Usage: bytedrop-server [--config bytedrop.config.json] [--port 8000]
       bytedrop-server keys show            print the access keys (name, key)
       bytedrop-server keys add|list|revoke|rotate   managed keys in the catalog (keys --help)
       bytedrop-server unban <address>      lift a ban (Redis directly; else asks the running server, --url)
       bytedrop-server catalog rebuild      list the store into the file catalog (adopts existing files)
       bytedrop-server thumbnails --backfill   make the thumbnails the catalog's images are missing

The config file holds the storage settings (as for the bytedrop CLI) and, optionally, a "server" object with
any of the variables below, e.g. {"bucket": "shots", "server": {"AUTH_KEY": "…", "MAX_FILE_SIZE_MB": 20}}.
The environment wins over the file. Without --config, ./bytedrop.config.json and ~/.config/bytedrop/config.json
are read for storage settings when they exist.

Environment (ByteGo names work as they are):
  PORT, HOST                      where to listen (default 8000, all interfaces)
  AUTH_KEY | KEYS_FILE            one access key, or a JSON keys file [{"name","key","prefix"}]
  S3_ENDPOINT S3_BUCKET S3_ACCESS_KEY S3_SECRET_KEY S3_REGION S3_ACL PUBLIC_DOMAIN   S3 storage
  BYTEDROP_DATA_DIR               local storage and generated key/secret (default ./data)
  MAX_FILE_SIZE_MB, MAX_FILES, ALLOWED_TYPES      limits (100, 10, all types)
  TRUST_PROXY                     hop count or proxy addresses whose X-Forwarded-For is believed
  REDIS_URL                       share bans between instances
  DATABASE_URL                    PostgreSQL for the file catalog (default: SQLite in BYTEDROP_DATA_DIR)
  REDIS_TIMEOUT_MS                longest Redis command before keyed requests get 503 (1000)
  BAN_MAX_FAILURES, BAN_SECONDS   wrong keys before a ban, and its length (3, 3600)
  BAN_LOOPBACK                    also ban loopback clients (false: this machine is never banned)
  CORS_ORIGINS                    other web pages that may send keys, e.g. https://notes.example.com
  UPLOADS_PER_HOUR, _PER_DAY      files one access key may store per hour / day (keys file: per key)
  TUS_CREATIONS_PER_HOUR          tus + direct S3 multipart uploads one key may create per hour (1000)
  JWT_JWKS_URL, JWT_PUBLIC_KEY    sign-in by JWT besides access keys (the subject owns its uploads),
                                  with JWT_ISSUER and JWT_AUDIENCE; JWT_PREFIX_CLAIM (bytedrop_prefix)
  WEBHOOK_URLS                    receivers of signed file.uploaded / file.deleted events (comma-separated)
  WEBHOOK_SECRET                  their signing secret, whsec_ and base64 (Standard Webhooks)
  WEBHOOK_ALLOW_PRIVATE           allow receivers on loopback or private addresses (false)
  BYTEDROP_STRIP_METADATA         false keeps images' metadata (GPS, camera) as uploaded (true: stripped)
  BYTEDROP_HIDPI                  false: links give a 144 DPI image its pixels, not half (true)
  BYTEDROP_THUMBNAILS             WebP thumbnail sizes beside images, longest side px (320; e.g. 320,640; off)
  BYTEDROP_THUMBNAIL_QUALITY      their WebP quality (75)
  BYTEDROP_SECRET                 delete-link secret, at least 32 characters (default: generated)
  LOG_LEVEL, LOG_TO_FILE, LOG_DIR logs on stdout, and rotated JSON files
  LOG_FORMAT                      auto (pretty on a terminal, else JSON), pretty or json
  IDLE_TIMEOUT_S                  client silence allowed while its body is read (60)
  HEADERS_TIMEOUT_S, REQUEST_TIMEOUT_S   time to send the headers, and the whole request (30, 900)
  STORAGE_TIMEOUT_S               storage silence before an upload is aborted with 504 (120)
  SHUTDOWN_GRACE_S                on SIGTERM/SIGINT, time for uploads in flight to finish (8)
  SWEEP_INTERVAL_S                how often to remove what dead uploads left in storage (3600)
  SWEEP_AFTER_S                   how old such a leftover must be (3600; at least REQUEST_TIMEOUT_S + STORAGE_TIMEOUT_S)
  BYTEDROP_SERVER_URL             the public URL of this server, when behind a proxy

GET /metrics is Prometheus text for a client with an access key (Authorization: Bearer <key>).
`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  // Managed keys take flags of their own (_bin-keys.ts); `keys show` stays with the rest.
  if (argv[0] === 'keys' && argv[1] !== 'show') return keysCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      port: { type: 'string' },
      url: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      backfill: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const [command, ...rest] = positionals;
  const setup = await loadSetup(values);
  if (command === undefined) return runServer(setup);
  if (command === 'keys' && rest[0] === 'show' && rest.length === 1) return showKeys(setup);
  if (command === 'unban' && rest.length <= 1) return unban(setup, rest[0], values.url);
  if (command === 'catalog' && rest[0] === 'rebuild' && rest.length === 1) return rebuildCommand(setup);
  if (command === 'thumbnails' && values.backfill && rest.length === 0) return thumbnailsCommand(setup);
  throw new BytedropError(
    'ERR_INPUT',
    `unknown command '${positionals.join(' ')}': use \`bytedrop-server\`, \`bytedrop-server keys show\`, \`bytedrop-server unban <address>\` or \`bytedrop-server catalog rebuild\` or \`bytedrop-server thumbnails --backfill\` (--help lists the settings)`,
  );
}

main().catch((error: unknown) => {
  // Mistakes the operator can fix are one line; only a bug shows its stack.
  const message = isBytedropError(error)
    ? `${error.code}: ${error.message}`
    : String((error as Error)?.stack ?? error);
  process.stderr.write(`bytedrop-server: ${message}\n`);
  process.exit(1);
});
