/**
 * The handler's public types (options, request context, upload answer) and what its route modules share.
 */
import type { ImageFacts, ObjectStore, Uploader } from '@bytedrop/core';
import type { LinkSigner } from './_link-signer';
import type { RecordBatcher } from './_record-batch';
import type { AccessKey } from './auth';
import type { BanPolicy, BanStore } from './bans';
import type { Catalog } from './catalog/types';
import type { TrustProxy } from './client-address';
import type { DeleteTokens } from './delete-token';
import type { FileReader } from './files';
import type { JwtVerifier } from './jwt';
import type { ServerMetrics } from './metrics';
import type { RateLimits } from './rate-limits';
import type { ResponseConstructor } from './response';
import type { Thumbnails } from './thumbnails';
import type { TusOptions } from './tus-store';
import type { Webhooks } from './webhooks';

/** The subset of a pino logger the handler uses. */
export interface Logger {
  info(object: Record<string, unknown>, message?: string): void;
  warn(object: Record<string, unknown>, message?: string): void;
  error(object: Record<string, unknown>, message?: string): void;
}

/** Options of `createHandler`. */
export interface HandlerOptions {
  /** Core's uploader (`createUploader`); the server calls only `upload`. */
  uploader: Uploader;
  /**
   * The store behind the uploader, for `/health`, deletes and removing the files of a multi-file request that failed
   * part-way. Defaults to `uploader.store` when it has one.
   */
  store?: ObjectStore;
  /**
   * Access keys (at least one without a catalog). With a `catalog` they are mirrored into it (a changed list updates
   * them, a key left out is revoked) beside the keys managed there (`bytedrop-server keys`, `/api/keys`).
   */
  keys: readonly AccessKey[];
  /** Secret for per-file delete tokens; keep it stable across restarts. */
  secret: string | Uint8Array;
  /** Largest file in bytes (default 100 MiB, ByteGo's `MAX_FILE_SIZE_MB`). */
  maxFileSize?: number;
  /** Most files per request (default 10). */
  maxFiles?: number;
  /**
   * Sniffed types allowed, e.g. `['image/*', 'application/pdf']`; everything when absent. Passed to the uploader as
   * `allowedTypes`, which core's uploaders enforce (a custom `Uploader` must do the same).
   */
  allowedTypes?: readonly string[];
  /** Where failed attempts and bans live (default: in memory with `banPolicy`). */
  bans?: BanStore;
  /** Wrong keys before a ban, its length and the addresses remembered, for the default in-memory ban store. */
  banPolicy?: BanPolicy;
  /** Proxies whose `X-Forwarded-*` headers are believed; by default none are. */
  trustProxy?: TrustProxy;
  /**
   * Serve `GET /f/*` from this reader (the local-disk store). Links then point at `<origin>/f/<key>` unless
   * `publicBaseUrl` is set.
   */
  files?: FileReader;
  /**
   * Where private uploads are stored (default `private/`, before the access key's own prefix): `/f/` serves it only
   * through signed links, and on S3 the bucket policy must leave it unreadable. See `_private.ts`.
   */
  privatePrefix?: string;
  /** Base URL of stored files, overriding the store's own `publicUrl` (e.g. the server's public `/f` URL). */
  publicBaseUrl?: string;
  /** The server's public origin (`https://drop.example.com`), when requests arrive with another Host. */
  serverUrl?: string;
  /** How long `/health` waits for storage and the ban store (default 3000 ms). */
  healthTimeoutMs?: number;
  /** How long a `/health` probe's result is reused (default 5000 ms), so polling it costs no storage I/O per call. */
  healthCacheMs?: number;
  /**
   * Silence allowed from storage during an upload (default 120 s): while the uploader is not reading the body, and
   * after the body until the upload settles. Past it the upload is aborted (nothing is left) and answered 504
   * `ERR_TIMEOUT`. Time spent waiting on the client does not count.
   */
  storageTimeoutMs?: number;
  /**
   * Web origins besides the server's own page that may send requests with an access key (`CORS_ORIGINS`), e.g.
   * `['https://notes.example.com']`; `['*']` allows every website to spend its visitors' guesses.
   */
  corsOrigins?: readonly string[];
  /**
   * Count wrong keys from loopback clients too (`BAN_LOOPBACK`). Off by default: a loopback client is someone on
   * this machine, and three typos must not lock its owner out. A request that came through a proxy on loopback
   * (it carries `X-Forwarded-For`) is counted as usual, so a proxy without `trustProxy` does not switch bans off.
   */
  banLoopback?: boolean;
  /**
   * Give a 144 DPI image (`pixelRatio` 2, a Retina screenshot) half its pixels in the answer's `html` and `markdown`
   * links, the size it had on screen (`BYTEDROP_HIDPI`). Default true; false gives its pixels. `width` and `height`
   * in the answer are always the pixels.
   */
  hidpi?: boolean;
  /** Counters and histograms (`createPrometheusMetrics` in `@bytedrop/server/node`); `GET /metrics` serves them. */
  metrics?: ServerMetrics;
  /** Called after each request whose access key was proven (the bin stops printing a generated key after it). */
  onKeyUsed?: (key: AccessKey) => void;
  /** Request log and failures; keys and tokens are never passed to it. */
  logger?: Logger;
  /**
   * Sign-in by JWT besides the access keys (`createJwtVerifier`): a bearer shaped like a JWT is verified against the
   * issuer's keys, and its subject owns what it uploads.
   */
  jwt?: JwtVerifier;
  /** The tus endpoint at `/tus/` (resumable uploads): where bytes in flight wait, the locks, the expiry. */
  tus?: TusOptions;
  /** Upload rates per access key (`createRateLimits`), asked before each file is stored. */
  rateLimits?: RateLimits;
  /** Told of every stored and deleted file (`createWebhooks`); deliveries never delay the answer. */
  webhooks?: Webhooks;
  /**
   * The file catalog (`createSqliteCatalog` or `createPostgresCatalog` from `@bytedrop/server/node`): every upload
   * is recorded, deletes remove the record, and `/api/files` and `/api/usage` answer from it. Off when absent.
   */
  catalog?: Catalog;
  /**
   * WebP thumbnails next to each image (`createThumbnails`): made after the answer, never failing the upload; the
   * answer gives the `thumbnail` URL, and deleting a file deletes its thumbnails. Off when absent.
   */
  thumbnails?: Thumbnails;
}

/** Per-request facts a runtime knows and `Request` does not. */
export interface RequestContext {
  /** The socket's remote address. srvx's `request.ip` is used when this is absent. */
  ip?: string;
  /**
   * The request body as the runtime reads it natively, read instead of `request.body` (the Node runner passes the
   * IncomingMessage: Node's web-stream adapter copies every chunk, a second copy of every upload). Leaving its
   * iteration early must not close the connection, or the client loses the early answer (a 413) to a reset.
   */
  body?: AsyncIterable<Uint8Array>;
}

/** A web-standard request handler, with the housekeeping a host with a timer runs now and then. */
export interface BytedropHandler {
  (request: Request, context?: RequestContext): Promise<Response>;
  /**
   * Removes the tus uploads past their expiry that the catalog lists as in flight (their bytes and records); answers
   * how many. The handler runs it itself after tus creations, at most once a minute; a host calls it from a timer
   * too, so a server that gets no new tus uploads still ends expired ones (the bin does, every `SWEEP_INTERVAL_S`).
   * Joins a sweep already running; never rejects (a failure is logged). Without a catalog or tus backend: 0.
   *
   * @example
   * ```ts
   * setInterval(() => void handler.sweepExpiredUploads(), 3_600_000).unref();
   * ```
   */
  sweepExpiredUploads(): Promise<number>;
}

/** One stored file in an upload response. */
export interface UploadedFile extends ImageFacts {
  url: string;
  key: string;
  size: number;
  hash: string;
  contentType: string;
  deduplicated: boolean;
  filename: string;
  /**
   * `DELETE` this URL to remove the file; the token in it works for this file only, while it is this key's. `null`
   * when the bytes were already stored by another access key (or another tool): the link, without the right to
   * delete it for everyone.
   */
  deleteUrl: string | null;
  /**
   * The URL of the image's WebP thumbnail (the first of the configured sizes), where it appears once made, moments
   * after the answer; absent when the server makes none for this file.
   */
  thumbnail?: string;
  /** Ready-made Markdown and HTML (core's `formatLink`), so clients need no escaping of their own. */
  markdown: string;
  html: string;
}

/** What the route modules share: the options and the parts built from them once. */
export interface App {
  options: HandlerOptions;
  store: ObjectStore | undefined;
  logger: Logger;
  /** Checks the request's key against the keys and the client's ban allowance; `log` carries the request id. */
  authenticate: (request: Request, client: string, log?: Logger) => Promise<AccessKey>;
  metrics: ServerMetrics;
  tokens: DeleteTokens;
  maxFileSize: number;
  maxFiles: number;
  storageTimeoutMs: number;
  ResponseClass: ResponseConstructor;
  catalog: Catalog | undefined;
  /** Records uploads in `catalog`, batched with those finishing beside them (`_record-batch.ts`); none without one. */
  recordBatch: RecordBatcher | undefined;
  /** Where private files are stored: `options.privatePrefix`, else `private/`. */
  privatePrefix: string;
  /** Signs links to this handler's files (`POST /api/links`, private files' upload answers). */
  signer: LinkSigner;
}

/** What a route gets besides the request: the client's address, the public origin and the runtime's body. */
export interface RouteContext {
  client: string;
  /** The request's id (`X-Request-Id`), and the logger that tags every line with it. */
  requestId: string;
  log: Logger;
  origin: string;
  body: AsyncIterable<Uint8Array> | undefined;
}
