/**
 * Signed links: `POST /api/links` gives a URL for one of the caller's files that works without a key until it
 * expires, with Range, optionally as a download; and `GET /f/…` honours such a URL.
 *
 * - S3 store: the URL is a presigned GET, answered directly (not a redirect through this server): the provider
 *   then serves Range, caching and the bytes without this server in the path, and the link keeps working while
 *   the server is down. The longest life is SigV4's 7 days, so the same maximum applies on local disk.
 * - Local disk: an HMAC-signed `/f/` URL (`_signed-links.ts`), served by this server with Range.
 *
 * A download is named after the key's last segment on both, as `/f/` names the downloads it makes itself.
 */
import {
  attachmentDisposition,
  MAX_PRESIGN_SECONDS,
  presignGet,
  publicUrl,
  type S3Store,
} from '@bytedrop/core';
import * as v from 'valibot';
import { firstIssueOf, readJson } from './_api-json';
import { createSignedLinks, signedAnswer } from './_signed-links';
import type { AccessKey } from './auth';
import type { FileRecord } from './catalog/types';
import { type FileReader, keyFromPath, serveFile } from './files';
import { fail, json, methodNotAllowed, StorageFailure } from './response';
import type { App, RouteContext } from './types';

/** The longest a link lives, in seconds (7 days: SigV4's limit, kept on local disk too). */
export const MAX_LINK_SECONDS = MAX_PRESIGN_SECONDS;

const LinkRequest = v.strictObject({
  key: v.pipe(
    v.string('key must be a string: the key of one of your files'),
    v.minLength(1, 'key is empty: name one of your files (GET /api/files lists them)'),
  ),
  expiresIn: v.pipe(
    v.number(`expiresIn must be a number of seconds, from 1 to ${MAX_LINK_SECONDS}`),
    v.integer(`expiresIn must be whole seconds, from 1 to ${MAX_LINK_SECONDS}`),
    v.minValue(1, 'expiresIn must be at least 1 second: a link cannot expire in the past or now'),
    v.maxValue(
      MAX_LINK_SECONDS,
      `expiresIn is over the maximum of ${MAX_LINK_SECONDS} seconds (7 days): ask for a shorter link`,
    ),
  ),
  download: v.optional(v.boolean('download must be true or false')),
});

/** The link routes of one handler. */
export function createLinkRoutes(app: App) {
  const links = createSignedLinks(app.options.secret);

  /** `POST /api/links`; `mine` looks the key up and checks the caller may see it. */
  const create = async (
    request: Request,
    context: RouteContext,
    mine: (who: AccessKey, key: string, context: RouteContext) => Promise<FileRecord>,
  ): Promise<Response> => {
    if (request.method !== 'POST') return methodNotAllowed('POST');
    const who = await app.authenticate(request, context.client, context.log);
    const body = await readJson(request, context, 8192, 'POST /api/links');
    const parsed = v.safeParse(LinkRequest, body);
    if (!parsed.success) throw fail('ERR_INPUT', firstIssueOf(parsed.issues, 'key, expiresIn and download'));
    const { key, expiresIn, download = false } = parsed.output;
    await mine(who, key, context);
    const expires = Math.floor(Date.now() / 1000) + expiresIn;
    let url: string;
    if (app.options.files) {
      url = `${publicUrl(`${context.origin}/f`, key)}?${await links.sign(key, expires, download)}`;
    } else if (app.store?.kind === 's3') {
      const store = app.store as S3Store;
      try {
        url = await presignGet(store.client, store.bucket, key, expiresIn, {
          ...(download ? { contentDisposition: attachmentDisposition(key.split('/').at(-1)!) } : {}),
        });
      } catch (error) {
        throw new StorageFailure(error);
      }
    } else {
      throw fail(
        'ERR_CONFIG',
        'signed links need the local-disk store (files) or the S3 store on this server',
      );
    }
    return json({
      success: true,
      key,
      url,
      expiresAt: new Date(expires * 1000).toISOString(),
      download,
    });
  };

  /** `GET|HEAD /f/<path>`: a signed link when the query carries one, else the file as before. */
  const serve = async (request: Request, url: URL, files: FileReader, path: string): Promise<Response> => {
    const key = keyFromPath(path);
    const grant = key === undefined ? undefined : await links.check(key, url.searchParams);
    const response = await serveFile(request, files, path);
    return grant && key !== undefined ? signedAnswer(response, key, grant) : response;
  };

  return { create, serve };
}
