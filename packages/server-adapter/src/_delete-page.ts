/**
 * Internal: the page a `deleteUrl` opens in a browser (ShareX's "Delete" opens the deletion URL there). A GET only
 * shows the file and a button: link previews and prefetchers fetch URLs, and must never delete. The button POSTs
 * the form back to the same URL, token included, and the answer says what happened. No script, so the CSP allows
 * none.
 */
import { escapeHtml } from './_html';

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  // The URL carries the delete token: never send it on, never keep the page.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${title} · Bytedrop</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}
code{word-break:break-all}button{font:inherit;padding:.5rem 1.25rem;cursor:pointer}</style></head>
<body>${body}</body></html>`;
}

/** The confirmation page for `key`: a button that POSTs back to this URL. */
export function deleteConfirmPage(key: string): Response {
  return new Response(
    page(
      'Delete file',
      `<h1>Delete this file?</h1><p><code>${escapeHtml(key)}</code></p>
<p>Its link stops working for everyone. This cannot be undone.</p>
<form method="post"><button type="submit">Delete</button></form>`,
    ),
    { headers: HEADERS },
  );
}

/** The page after the form's POST deleted `key`. */
export function deletedPage(key: string): Response {
  return new Response(
    page('File deleted', `<h1>Deleted</h1><p><code>${escapeHtml(key)}</code> is gone.</p>`),
    { headers: HEADERS },
  );
}
