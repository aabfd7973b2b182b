/**
 * Signed URLs of stored files, for `POST /api/links` and for the upload answer of a private file: a presigned GET
 * of the provider on S3 (answered directly, no redirect through this server: Range, caching and the bytes then need
 * nothing from it, and the link works while it is down), an HMAC-signed `/f/` URL on the local disk
 * (`_signed-links.ts`). A download is named after the key's last segment on both, as `/f/` names its own.
 */
import { attachmentDisposition, type ObjectStore, presignGet, publicUrl, type S3Store } from '@bytedrop/core';
import { createSignedLinks, type SignedLinks } from './_signed-links';
import { fail, StorageFailure } from './response';
import type { HandlerOptions } from './types';

/** Signs links to one handler's files. */
export interface LinkSigner {
  links: SignedLinks;
  /** A URL for `key` that works until `expiresIn` seconds from now, as a download when `download`. */
  signedUrl(
    key: string,
    expiresIn: number,
    download: boolean,
    origin: string,
  ): Promise<{ url: string; expiresAt: Date }>;
}

/**
 * The signer of one handler (built once, on its `App`); `ERR_CONFIG` when its store can have no signed links.
 *
 * @example
 * ```ts
 * const signer = createLinkSigner(options, store);
 * const { url } = await signer.signedUrl('2026/11/30/a.png', 600, false, 'https://drop.example.com');
 * ```
 */
export function createLinkSigner(
  options: Pick<HandlerOptions, 'secret' | 'files'>,
  store: ObjectStore | undefined,
): LinkSigner {
  const links = createSignedLinks(options.secret);
  return {
    links,
    async signedUrl(key, expiresIn, download, origin) {
      const expires = Math.floor(Date.now() / 1000) + expiresIn;
      const expiresAt = new Date(expires * 1000);
      if (options.files) {
        return {
          url: `${publicUrl(`${origin}/f`, key)}?${await links.sign(key, expires, download)}`,
          expiresAt,
        };
      }
      if (store?.kind === 's3') {
        const s3 = store as S3Store;
        try {
          const url = await presignGet(s3.client, s3.bucket, key, expiresIn, {
            ...(download ? { contentDisposition: attachmentDisposition(key.split('/').at(-1)!) } : {}),
          });
          return { url, expiresAt };
        } catch (error) {
          throw new StorageFailure(error);
        }
      }
      throw fail(
        'ERR_CONFIG',
        'signed links need the local-disk store (files) or the S3 store on this server',
      );
    },
  };
}
