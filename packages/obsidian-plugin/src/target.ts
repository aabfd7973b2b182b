/**
 * Builds the upload target from the settings, lazily: `onload` must stay cheap, so no S3 client (or anything else)
 * exists until the first upload asks for one, and a settings change drops the old one.
 */
import { BytedropError, createServerUploader, createUploader, type Uploader } from '@bytedrop/core';
import { createRequestUrlFetch } from './request-fetch';
import { RequestUrlHandler } from './request-handler';
import { type BytedropSettings, maxFileSizeBytes, type SecretReader, s3ConfigInput } from './settings';

/** Makes the uploader the settings describe; throws `ERR_CONFIG` naming what to fill in. */
export function createTargetUploader(settings: BytedropSettings, secrets: SecretReader): Uploader {
  if (settings.target === 'server') {
    const url = settings.serverUrl.trim();
    const accessKey = settings.serverKeyName ? secrets.getSecret(settings.serverKeyName) : null;
    if (!url) {
      throw new BytedropError(
        'ERR_CONFIG',
        'the server URL is empty: set it in Settings → Bytedrop → Server URL',
      );
    }
    if (!accessKey) {
      throw new BytedropError(
        'ERR_CONFIG',
        `the server access key is missing: pick a secret under Settings → Bytedrop → Server access key${
          settings.serverKeyName ? ` (secret '${settings.serverKeyName}' is empty)` : ''
        }`,
      );
    }
    // The server enforces its own limit too; core checks this one first, so a file is not sent only to be refused.
    return createServerUploader({
      url,
      accessKey,
      fetch: createRequestUrlFetch(),
      maxFileSize: maxFileSizeBytes(settings),
    });
  }
  return createUploader(s3ConfigInput(settings, secrets), { requestHandler: new RequestUrlHandler() });
}

/** Holds the uploader between uploads; built on first use, dropped when the settings change. */
export class LazyTarget {
  #uploader: Uploader | undefined;
  readonly #build: () => Uploader;

  constructor(build: () => Uploader) {
    this.#build = build;
  }

  /** Whether an uploader (and so an S3 client) exists yet. */
  get built(): boolean {
    return this.#uploader !== undefined;
  }

  get(): Uploader {
    this.#uploader ??= this.#build();
    return this.#uploader;
  }

  reset(): void {
    this.#uploader = undefined;
  }
}
