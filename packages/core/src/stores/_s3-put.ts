/**
 * How a put's bytes go out: one PutObject for a body in memory that fits in one part, sent straight through the
 * put's scoped client; lib-storage's `Upload` for everything else (streams, Blobs, multipart). For bytes within one
 * part lib-storage sends exactly that PutObject too, after a chunking generator and before a second endpoint
 * resolution (for a `Location` nothing reads): about a tenth of the server's CPU per 1 MiB upload (issue 16). A
 * request handler that reports upload progress as events (the XHR handler) keeps lib-storage, which forwards them.
 */
import type { PutObjectCommandInput, PutObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { loadUpload } from '../_load';
import type { UploadProgress } from '../types';
import type { S3Sdk } from './_s3-sdk';

/** What the store needs of a put in flight: lib-storage's `Upload` has the same two members. */
export interface PutInFlight {
  readonly uploadId?: string | undefined;
  done(): Promise<{ ETag?: string | undefined }>;
}

export interface StartPutOptions {
  partSize: number;
  queueSize: number;
  /** Keep the parts of a failed multipart upload (a resumable one). */
  leavePartsOnError: boolean;
  /** Starts no new part once it fires (`ResumeOptions.stop`); lib-storage leaves the parts in flight alone. */
  stop?: AbortSignal | undefined;
  onProgress: ((progress: UploadProgress) => void) | undefined;
  /** The declared size, for progress totals lib-storage does not know. */
  size: number | undefined;
}

/** Starts the put of `params` through `client` (the put's scoped view of the store's client). */
export async function startPut(
  sdk: typeof S3Sdk,
  client: S3Client,
  params: PutObjectCommandInput,
  options: StartPutOptions,
): Promise<PutInFlight> {
  const single = singlePut(sdk, client, params, options);
  if (single) return single;
  // lib-storage reads the client's config (endpoint, checksums): `client` is a view of the real one.
  const { Upload } = await loadUpload();
  const { partSize, queueSize, leavePartsOnError, onProgress, stop } = options;
  // lib-storage's own abort: it starts no part after it, and its `done` rejects at once (AbortError) while the parts
  // in flight go on, since it sends them without a signal (the store waits for them: `PutScope.inFlight`).
  const abortController = new AbortController();
  stop?.addEventListener('abort', () => abortController.abort(stop.reason), { once: true });
  const upload = new Upload({ client, params, partSize, queueSize, leavePartsOnError, abortController });
  if (onProgress) {
    upload.on('httpUploadProgress', (progress) => {
      onProgress({ loaded: progress.loaded ?? 0, total: progress.total ?? options.size });
    });
  }
  return upload;
}

/** The single PUT of bytes within one part, or undefined for what lib-storage sends. */
function singlePut(
  sdk: typeof S3Sdk,
  client: S3Client,
  params: PutObjectCommandInput,
  { partSize, onProgress }: StartPutOptions,
): PutInFlight | undefined {
  const body = params.Body;
  if (!(body instanceof Uint8Array) || body.byteLength > partSize) return undefined;
  const handler = client.config.requestHandler as { on?: unknown } | undefined;
  if (typeof handler?.on === 'function') return undefined;
  return {
    async done(): Promise<PutObjectCommandOutput> {
      const out = await client.send(new sdk.PutObjectCommand(params));
      // lib-storage's one progress event for a single PUT: all of it, once the provider has answered.
      onProgress?.({ loaded: body.byteLength, total: body.byteLength });
      return out;
    },
  };
}
