/**
 * One stored file as the upload answer gives it (the ByteGo/PicGo/PicList superset): its public URL (a signed one
 * for a private file), the delete link for the key that owns it, the image's facts, the thumbnail, and the Markdown
 * and HTML links. The upload routes and the tus and direct-S3 finishes answer with it.
 */
import { formatLink, type ImageFacts, publicUrl, type UploadResult } from '@bytedrop/core';
import { isPrivateKey, PRIVATE_ANSWER_SECONDS } from './_private';
import { thumbnailOf } from './_upload-thumbnail';
import type { AccessKey } from './auth';
import type { App, UploadedFile } from './types';

/**
 * An image's facts for the response (`stripped`, `metadataKept`, `width`, `height`, `pixelRatio`, `converted`,
 * `conversionSkipped`), when it has any.
 */
function imageFacts(result: UploadResult): ImageFacts {
  const { stripped, metadataKept, width, height, pixelRatio, converted, conversionSkipped } = result;
  return Object.fromEntries(
    Object.entries({
      stripped,
      metadataKept,
      width,
      height,
      pixelRatio,
      converted,
      conversionSkipped,
    }).filter(([, value]) => value !== undefined),
  );
}

/** `describe(result, who, origin)` for one handler; `thumbnailBytes` holds stored images' bytes for their thumbnails. */
export function createDescriber(app: App, thumbnailBytes: WeakMap<UploadResult, Uint8Array>) {
  const { options } = app;
  const { privatePrefix, signer } = app;
  return async (result: UploadResult, who: AccessKey, origin: string): Promise<UploadedFile> => {
    const base = options.publicBaseUrl ?? (options.files ? `${origin}/f` : undefined);
    // A private file has no public link: the answer carries a signed one that works for an hour.
    const url = isPrivateKey(result.key, privatePrefix)
      ? (await signer.signedUrl(result.key, PRIVATE_ANSWER_SECONDS, false, origin)).url
      : base
        ? publicUrl(base, result.key)
        : result.url;
    const link = { ...result, url };
    const hidpi = options.hidpi !== false;
    // Only the key that owns the object may delete it: a dedupe hit on another key's object gets the link alone.
    const deleteUrl =
      result.owner === who.name
        ? `${publicUrl(`${origin}/files`, result.key)}?token=${await app.tokens.sign(result.key, who.name)}`
        : null;
    return {
      url,
      key: result.key,
      size: result.size,
      hash: result.hash,
      contentType: result.contentType,
      deduplicated: result.deduplicated,
      filename: result.filename,
      ...imageFacts(result),
      ...thumbnailOf(app, result, thumbnailBytes, base, isPrivateKey(result.key, privatePrefix)),
      deleteUrl,
      markdown: formatLink(link, 'markdown', { hidpi }),
      html: formatLink(link, 'html', { hidpi }),
    };
  };
}
