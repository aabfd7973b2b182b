/**
 * `GET /config/sharex.sxcu`: a ShareX custom-uploader config pointing at this server. The access key is put in a
 * header (never the URL), and only when the request itself presented a valid one; otherwise a placeholder.
 */
import { presentedKey } from './auth';
import type { App, RouteContext } from './types';

/** The ShareX custom uploader (`.sxcu`) for `origin`. */
export function sharexConfig(origin: string, accessKey: string | undefined): Record<string, unknown> {
  const host = new URL(origin).host;
  return {
    Version: '16.0.0',
    Name: `Bytedrop (${host})`,
    DestinationType: 'ImageUploader, TextUploader, FileUploader',
    RequestMethod: 'POST',
    RequestURL: `${origin}/upload`,
    Headers: { Authorization: `Bearer ${accessKey ?? 'PASTE-YOUR-ACCESS-KEY'}` },
    Body: 'MultipartFormData',
    FileFormName: 'file',
    URL: '{json:url}',
    // ShareX opens it in a browser, which shows a page that asks before deleting.
    DeletionURL: '{json:deleteUrl}',
    ErrorMessage: '{json:msg}',
  };
}

/**
 * The `GET /config/sharex.sxcu` route. Only a key the request proved it holds goes into the file; anonymous
 * requests get a placeholder.
 */
export function createSharexRoute(app: App) {
  return async (request: Request, context: RouteContext): Promise<Response> => {
    const presented = presentedKey(request.headers);
    if (presented !== undefined) await app.authenticate(request, context.client, context.log);
    return new Response(JSON.stringify(sharexConfig(context.origin, presented), null, 2), {
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="bytedrop-${new URL(context.origin).hostname}.sxcu"`,
        'cache-control': 'no-store',
      },
    });
  };
}
