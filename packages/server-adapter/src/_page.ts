/**
 * `GET /`: the upload page, one static HTML file inlined at build time. Its one inline script is allowed by hash,
 * so the page's CSP needs no 'unsafe-inline' for scripts.
 */
import page from './page.html';

let headers: Promise<Record<string, string>> | undefined;

async function scriptHash(html: string): Promise<string> {
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(script));
  let binary = '';
  for (const byte of new Uint8Array(digest)) binary += String.fromCharCode(byte);
  return `'sha256-${btoa(binary)}'`;
}

async function pageHeaders(): Promise<Record<string, string>> {
  const csp = [
    "default-src 'none'",
    `script-src ${await scriptHash(page)}`,
    "style-src 'unsafe-inline'",
    // Previews load from the store, which may be another origin (a CDN or S3).
    'img-src * data: blob:',
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
}

/** The upload page. */
export async function pageResponse(request: Request): Promise<Response> {
  headers ??= pageHeaders();
  return new Response(request.method === 'HEAD' ? null : page, { headers: await headers });
}
