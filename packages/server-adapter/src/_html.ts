/**
 * Internal: `text` safe inside HTML, in element content and in quoted attributes alike, for the pages the server
 * renders itself (the delete page, the API docs).
 *
 * @example
 * ```ts
 * `<code>${escapeHtml(key)}</code>`;
 * ```
 */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
