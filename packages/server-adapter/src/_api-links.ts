/**
 * Signed links: `POST /api/links` gives a URL for one of the caller's files that works without a key until it
 * expires, with Range, optionally as a download; and `GET /f/…` honours such a URL.
 *
 * The URL is a presigned GET on S3 and an HMAC-signed `/f/` URL on local disk (`_link-signer.ts`). The longest life
 * is SigV4's 7 days, so the same maximum applies on local disk.
 */
import { MAX_PRESIGN_SECONDS } from '@bytedrop/core';
import * as v from 'valibot';
import { firstIssueOf, readJson } from './_api-json';
import { isPrivateKey } from './_private';
import { signedAnswer } from './_signed-links';
import type { AccessKey } from './auth';
import type { FileRecord } from './catalog/types';
import { type FileReader, keyFromPath, serveFile } from './files';
import { fail, json, methodNotAllowed } from './response';
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
  const { signer, privatePrefix } = app;

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
    const { url, expiresAt } = await signer.signedUrl(key, expiresIn, download, context.origin);
    return json({ success: true, key, url, expiresAt: expiresAt.toISOString(), download });
  };

  /**
   * `GET|HEAD /f/<path>`: a signed link when the query carries one, else the file as before; a private file
   * (under the private prefix) only through a signed link.
   */
  const serve = async (request: Request, url: URL, files: FileReader, path: string): Promise<Response> => {
    const key = keyFromPath(path);
    const grant = key === undefined ? undefined : await signer.links.check(key, url.searchParams);
    if (key !== undefined && !grant && isPrivateKey(key, privatePrefix)) {
      throw fail(
        'ERR_FORBIDDEN',
        `'${key}' is a private file: open it through a signed link (its owner asks POST /api/links for one)`,
      );
    }
    const response = await serveFile(request, files, path);
    return grant && key !== undefined ? signedAnswer(response, key, grant) : response;
  };

  return { create, serve };
}
