/**
 * Builds the upload target from the settings, lazily: `onload` must stay cheap, so no S3 client (or anything else)
 * exists until the first upload asks for one. Secrets are read again on every use, so a secret corrected in
 * Obsidian's keychain counts at once (SecretStorage announces no change, and data.json holds only its name).
 */
import {
  BytedropError,
  createServerUploader,
  createUploader,
  type Uploader,
  type UploadJournal,
} from '@bytedrop/core';
import { canvasConversion, serverConversion, withConversionNotices } from './image-conversion';
import { createRequestUrlFetch } from './request-fetch';
import { RequestUrlHandler } from './request-handler';
import { type BytedropSettings, maxFileSizeBytes, type SecretReader, s3ConfigInput } from './settings';
import { serverTusOptions } from './settings-tus';

/**
 * Makes the uploader the settings describe; throws `ERR_CONFIG` naming what to fill in. `journal` is where the S3
 * store writes down its multipart uploads, to be aborted by `recover()` after a crash.
 */
export function createTargetUploader(
  settings: BytedropSettings,
  secrets: SecretReader,
  journal?: UploadJournal,
  notify: (message: string) => void = () => undefined,
): Uploader {
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
    const convert = serverConversion(settings);
    // The server enforces its own limit too; core checks this one first, so a file is not sent only to be refused.
    const server = createServerUploader({
      url,
      accessKey,
      fetch: createRequestUrlFetch(),
      maxFileSize: maxFileSizeBytes(settings),
      keepMetadata: settings.keepMetadata,
      ...serverTusOptions(settings),
      ...(convert ? { convert } : {}),
    });
    return convert ? withConversionNotices(server, notify) : server;
  }
  const conversion = canvasConversion(settings, notify);
  const uploader = createUploader(s3ConfigInput(settings, secrets), {
    requestHandler: new RequestUrlHandler(),
    ...(journal ? { journal } : {}),
    ...(conversion ? { convert: conversion } : {}),
  });
  return conversion ? withConversionNotices(uploader, notify) : uploader;
}

/** Everything an uploader is built from, secrets included, as one string: a different one needs a new uploader. */
export function targetInputs(settings: BytedropSettings, secrets: SecretReader): string {
  const secret = (name: string) => (name ? secrets.getSecret(name) : null);
  return JSON.stringify([settings, secret(settings.secretKeyName), secret(settings.serverKeyName)]);
}

/**
 * Holds the uploader between uploads; built on first use, built again when its inputs (settings or secrets) are not
 * the ones it was built from. Reading them costs a few synchronous keychain lookups per upload.
 */
export class LazyTarget {
  #uploader: Uploader | undefined;
  #builtFrom: string | undefined;
  readonly #inputs: () => string;
  readonly #build: () => Uploader;

  constructor(inputs: () => string, build: () => Uploader) {
    this.#inputs = inputs;
    this.#build = build;
  }

  /** Whether an uploader (and so an S3 client) exists yet. */
  get built(): boolean {
    return this.#uploader !== undefined;
  }

  get(): Uploader {
    const inputs = this.#inputs();
    if (this.#uploader === undefined || inputs !== this.#builtFrom) {
      this.#uploader = this.#build();
      this.#builtFrom = inputs;
    }
    return this.#uploader;
  }
}
