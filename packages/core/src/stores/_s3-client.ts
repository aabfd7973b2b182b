/**
 * The S3Client of a store: built from the provider settings with timeouts and outage-proof retries, and viewed per
 * put through `scopedClient`, which adds what one upload needs to the requests lib-storage sends for it.
 */
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { ProviderSettings } from '../providers';
import type { S3Sdk } from './_s3-sdk';
import { createRetryStrategy, DEFAULT_RETRY_POLICY } from './s3-retry';

/** Time to open a connection to the provider, in ms. */
export const DEFAULT_CONNECTION_TIMEOUT = 10_000;
/** Silence allowed on a connection while a request is sent or answered, in ms: a stalled provider fails, never hangs. */
export const DEFAULT_SOCKET_TIMEOUT = 30_000;

interface SdkErrorShape {
  name?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

export function statusOf(error: unknown): number | undefined {
  const status = (error as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

export function nameOf(error: unknown): string | undefined {
  const name = (error as SdkErrorShape | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * The request a failure came from, for messages ("UploadPart 3 stalled"): set by `scopedClient` on the errors of
 * the requests it sends, read by `toBytedropError`.
 */
export const OPERATION = Symbol.for('bytedrop.operation');

type Command = Parameters<S3Client['send']>[0];

function operationOf(command: Command): string {
  const name = command.constructor.name.replace(/Command$/, '');
  const part = (command.input as { PartNumber?: number }).PartNumber;
  return part === undefined ? name : `${name} ${part}`;
}

/** Builds the S3Client a config describes: provider quirks first, then timeouts and retries, then the caller's. */
export function buildClient(
  sdk: typeof S3Sdk,
  settings: ProviderSettings,
  options: {
    requestHandler?: S3ClientConfig['requestHandler'];
    clientConfig?: S3ClientConfig;
    connectionTimeout: number;
    socketTimeout: number;
  },
): S3Client {
  const client = new sdk.S3Client({
    region: settings.region,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    forcePathStyle: settings.forcePathStyle,
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
    requestChecksumCalculation: settings.requestChecksumCalculation,
    responseChecksumValidation: settings.responseChecksumValidation,
    // A caller's `maxAttempts` keeps its meaning (tests use 1 where an outage is certain).
    retryStrategy: createRetryStrategy({
      ...DEFAULT_RETRY_POLICY,
      ...(typeof options.clientConfig?.maxAttempts === 'number'
        ? { maxAttempts: options.clientConfig.maxAttempts }
        : {}),
    }),
    // A host's own handler (Obsidian's requestUrl) keeps its own timeouts; the SDK's default one gets ours.
    requestHandler: options.requestHandler ?? {
      connectionTimeout: options.connectionTimeout,
      socketTimeout: options.socketTimeout,
    },
    ...options.clientConfig,
  });
  // Without a logger of the caller's the SDK logs to a no-op, yet its logger middleware still walks every request's
  // input and every answer's output through the operation's schema to mask sensitive fields: CPU on every request
  // for lines nobody sees (issue 16). A caller's logger keeps it.
  if (options.clientConfig?.logger === undefined) client.middlewareStack.remove('loggerMiddleware');
  return client;
}

/** What one put adds to the requests lib-storage sends for it. */
export interface PutScope {
  signal: AbortSignal | undefined;
  /** The whole body's SHA-256 (hex), for a single PutObject. */
  sha256: string | undefined;
  /** The whole body's MD5 (base64), for a single PutObject. */
  contentMd5: string | undefined;
  /** Sent as `If-None-Match: *` on a single PutObject and on CompleteMultipartUpload, where the provider honours it. */
  ifNoneMatch: { put: boolean; complete: boolean };
  /**
   * Told each multipart upload id once the provider made it, before any part is sent (the journal). `retriedSince`
   * is set when the create was sent more than once: an earlier attempt whose answer was lost may have made another
   * upload of the key, which nothing else knows about.
   */
  onCreated?: (uploadId: string, retriedSince: number | undefined) => Promise<void>;
  /** Told each part the provider confirmed (a resumable upload writes it down). */
  onPart?: (partNumber: number) => void;
  /**
   * Holds each UploadPart and CreateMultipartUpload until it settled (and `onCreated` ran), for a stopped upload to
   * wait for what it has in flight: lib-storage's own abort lets them go on without waiting for them.
   */
  inFlight?: Set<Promise<unknown>>;
}

/** Headers one PutObject adds to its request, keyed by the command (the SDK copies its input on the way). */
const putHeaders = new WeakMap<object, Record<string, string>>();
/** Clients that carry the middleware below: one per client, added with its first put. */
const withPutHeaders = new WeakSet<S3Client>();
/** Where the SDK keeps the command being sent in a middleware's context (`SMITHY_CONTEXT_KEY` of @smithy/types). */
const SMITHY_CONTEXT = '__smithy_context';

/**
 * One middleware on the client sets each put's own headers (`putHeaders`), before the signer needs them. A middleware
 * added to every command instead made the SDK resolve a longer stack for each request: CPU on every upload the server
 * makes (issue 16).
 */
function addPutHeaders(client: S3Client): void {
  if (withPutHeaders.has(client)) return;
  withPutHeaders.add(client);
  client.middlewareStack.add(
    (next, context) => (args) => {
      const command = (context[SMITHY_CONTEXT] as { commandInstance?: object } | undefined)?.commandInstance;
      const headers = command && putHeaders.get(command);
      const request = args.request as { headers?: Record<string, string> };
      if (headers && request.headers) Object.assign(request.headers, headers);
      return next(args);
    },
    { step: 'build', name: 'bytedrop:putHeaders' },
  );
}

/**
 * A view of `client` for one put. Its requests carry `signal`, except two: AbortMultipartUpload must still go out
 * after the signal fired, and CreateMultipartUpload must be allowed to finish (the provider creates the upload
 * whether or not the client still listens, and without its id nothing could abort it). lib-storage sends without
 * an abortSignal, so without this an abort would only stop it between parts and an in-flight single PUT would still
 * create the object.
 *
 * A PutObject carries the whole body (lib-storage sends one only when the body fits in one part), so a known
 * SHA-256 of the body is its SigV4 payload hash: set as `x-amz-content-sha256`, the signer uses it instead of
 * hashing the body again, and the provider refuses bytes that do not match it. A known MD5 goes out as
 * `Content-MD5`, which providers verify too. Parts keep the SDK's own per-part hashes.
 *
 * Failures are tagged with the request they came from (`OPERATION`), so a stall names UploadPart 3, not "S3".
 */
export function scopedClient(sdk: typeof S3Sdk, client: S3Client, scope: PutScope): S3Client {
  const {
    AbortMultipartUploadCommand,
    CompleteMultipartUploadCommand,
    CreateMultipartUploadCommand,
    PutObjectCommand,
    UploadPartCommand,
  } = sdk;
  const scoped = Object.create(client) as S3Client;
  const headers = {
    ...(scope.sha256 === undefined ? {} : { 'x-amz-content-sha256': scope.sha256 }),
    ...(scope.contentMd5 === undefined ? {} : { 'content-md5': scope.contentMd5 }),
  };
  const send = async (command: Command, options?: { abortSignal?: AbortSignal }) => {
    if (
      command instanceof PutObjectCommand &&
      (scope.sha256 !== undefined || scope.contentMd5 !== undefined)
    ) {
      addPutHeaders(client);
      putHeaders.set(command, headers);
    }
    // lib-storage spreads its params into every request; the condition belongs only where the provider honours it.
    const input = command.input as { IfNoneMatch?: string };
    if (command instanceof PutObjectCommand && scope.ifNoneMatch.put) input.IfNoneMatch = '*';
    if (command instanceof CompleteMultipartUploadCommand && scope.ifNoneMatch.complete)
      input.IfNoneMatch = '*';
    const keepsSignal =
      scope.signal !== undefined &&
      !(command instanceof AbortMultipartUploadCommand || command instanceof CreateMultipartUploadCommand);
    const sentAt = Date.now();
    try {
      // Always with options: a client with `cacheMiddleware` reuses the handler of the first command of a kind for
      // later sends without options, and with it the first put's headers (its payload hash, its Content-MD5).
      const out = await client.send(
        command,
        keepsSignal ? { ...options, abortSignal: scope.signal } : { ...options },
      );
      const uploadId = (out as { UploadId?: string }).UploadId;
      if (command instanceof CreateMultipartUploadCommand && uploadId && scope.onCreated) {
        const retried = (out.$metadata.attempts ?? 1) > 1 ? sentAt : undefined;
        await scope.onCreated(uploadId, retried).catch(async (error: unknown) => {
          // lib-storage learns no upload id from a failed create, so it would never abort this one: do it here.
          const { Bucket, Key } = command.input;
          await client
            .send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }))
            .catch(() => undefined);
          throw error;
        });
      }
      if (command instanceof UploadPartCommand && command.input.PartNumber !== undefined) {
        scope.onPart?.(command.input.PartNumber);
      }
      return out;
    } catch (error) {
      if (typeof error === 'object' && error !== null) {
        Object.defineProperty(error, OPERATION, { value: operationOf(command), configurable: true });
      }
      throw error;
    }
  };
  const tracked = (command: Command, options?: { abortSignal?: AbortSignal }) => {
    const sent = send(command, options);
    const inFlight = scope.inFlight;
    if (
      inFlight &&
      (command instanceof UploadPartCommand || command instanceof CreateMultipartUploadCommand)
    ) {
      const settled: Promise<unknown> = sent.then(
        () => inFlight.delete(settled),
        () => inFlight.delete(settled),
      );
      inFlight.add(settled);
    }
    return sent;
  };
  scoped.send = tracked as S3Client['send'];
  return scoped;
}
