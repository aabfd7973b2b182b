/**
 * Internal: where images meet the upload pipeline. Between sniffing and hashing, an image is read into memory (up to
 * `STRIP_MAX_BYTES`), stripped of its metadata unless the config or the upload says to keep it, and measured, so the
 * hash, the size and the key all name the bytes that are stored.
 */
import { raceAbort } from './_abort';
import { type ConversionMemo, type ConvertSettings, convertImage } from './_convert';
import type { Sniffed } from './_engine';
import { readImageSize, STRIP_MAX_BYTES, type StrippedImage, stripMetadata } from './images';
import type { ImageFacts } from './types';

/** How much of an image too large to strip is read for its size: enough for any header, EXIF included. */
export const SIZE_HEAD_BYTES = 256 * 1024;

/** What the pipeline continues with: the bytes to hash and store, and what it learnt about the image. */
export interface PreparedImage<Body> {
  body: Body | Uint8Array;
  facts: ImageFacts;
  /** The bytes given, when stripping or conversion changed them (a client's Content-MD5 describes these). */
  original?: Uint8Array;
  /** The type and extension of the stored bytes, when conversion changed them. */
  converted?: Sniffed;
}

/** Conversion asked for this upload: its settings, and the uploader's memo of recent conversions. */
export interface ConvertRequest {
  settings: ConvertSettings;
  memo: ConversionMemo;
}

/** Reads a Blob (or part of it) whole; aborted with the upload. */
type ReadBlob = (blob: Blob) => Promise<Uint8Array>;

/**
 * Strips and measures an image (`image/*`); anything else passes through untouched, as does an image larger than
 * `STRIP_MAX_BYTES` (measured from its first bytes, `metadataKept: 'too-large'`).
 */
export async function prepareImage<Body extends Uint8Array | Blob>(
  body: Body,
  sniffed: Sniffed,
  strip: boolean,
  read: ReadBlob,
  convert?: ConvertRequest,
): Promise<PreparedImage<Body>> {
  if (!sniffed.contentType.startsWith('image/')) return { body, facts: {} };
  const size = body instanceof Uint8Array ? body.byteLength : body.size;
  if (size > STRIP_MAX_BYTES) {
    const head =
      body instanceof Uint8Array
        ? body.subarray(0, SIZE_HEAD_BYTES)
        : await read(body.slice(0, SIZE_HEAD_BYTES));
    return {
      body,
      facts: {
        stripped: [],
        metadataKept: strip ? 'too-large' : 'setting',
        ...(convert ? { conversionSkipped: 'too-large' } : {}),
        ...readImageSize(head),
      },
    };
  }
  const bytes = body instanceof Uint8Array ? body : await read(body);
  // Walked even when the metadata is kept: the orientation and density it finds give the displayed size.
  const walked: StrippedImage = await stripMetadata(bytes, sniffed.contentType);
  const stored = strip && walked.kept === undefined ? walked.bytes : bytes;
  const facts: ImageFacts = {
    stripped: strip ? walked.stripped : [],
    ...(strip
      ? walked.kept === undefined
        ? {}
        : { metadataKept: walked.kept }
      : { metadataKept: 'setting' }),
    // A file whose structure could not be walked is broken somewhere: its header's size is not to be trusted.
    ...(walked.kept === 'unreadable' ? {} : readImageSize(stored, walked)),
  };
  if (convert) {
    const type = sniffed.contentType;
    const conversion = await convertImage(stored, type, convert.settings, !strip, convert.memo);
    if ('skipped' in conversion)
      return withBody(bytes, stored, { ...facts, conversionSkipped: conversion.skipped });
    // The encoder drew the image upright and kept no metadata (unless asked to): what it stored is all there is.
    const { pixelRatio, ...before } = facts;
    const size = readImageSize(conversion.bytes);
    // A Retina screenshot still shows at half its pixels, unless it was scaled down.
    const density = size?.width === facts.width && pixelRatio !== undefined ? { pixelRatio } : {};
    return {
      body: conversion.bytes,
      facts: { ...before, ...size, ...density, converted: { from: type, size: stored.byteLength } },
      original: bytes,
      converted: { contentType: conversion.contentType, ext: conversion.ext },
    };
  }
  return withBody(bytes, stored, facts);
}

/** The prepared image stored as `stored`, which came from the given `bytes`. */
function withBody<Body>(bytes: Uint8Array, stored: Uint8Array, facts: ImageFacts): PreparedImage<Body> {
  return stored === bytes ? { body: bytes, facts } : { body: stored, facts, original: bytes };
}

/** A `ReadBlob` that fails like the rest of the upload when aborted. */
export function blobReader(
  signal: AbortSignal | undefined,
  what: string,
  onError: (error: unknown) => never,
): ReadBlob {
  return async (blob) => new Uint8Array(await raceAbort(blob.arrayBuffer(), signal, what).catch(onError));
}
