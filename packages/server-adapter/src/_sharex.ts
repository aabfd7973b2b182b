/**
 * `GET /config/sharex.sxcu`: a ShareX custom-uploader config pointing at this server. The access key is put in a
 * header (never the URL), and only when the request itself presented a valid one; otherwise a placeholder.
 */

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
