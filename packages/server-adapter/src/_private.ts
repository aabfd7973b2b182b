/**
 * Private files. A private upload is stored under the private prefix (`private/` unless `privatePrefix` says
 * otherwise), in front of the key's own prefix: `private/alice/2026/11/30/shot-9f86d081.png`. The key is then the
 * one record of privacy, the same in storage and in the catalog: it survives `catalog rebuild`, the same bytes
 * uploaded public and private never share an object (dedupe stays within each side), `/f/` refuses the prefix
 * without a signed link, and on S3 one bucket-policy rule keeps the prefix unreadable (see the README for R2/B2).
 *
 * An upload is private when its `private` form field (before the file parts), `Bytedrop-Private` header or `private`
 * tus metadata says so, else when its access key is (`"private": true` in the keys file).
 */

import { booleanField } from './_boolean-field';
import { fail } from './response';

/** The header and form field name. */
export const PRIVATE_FIELD = 'private';
export const PRIVATE_HEADER = 'bytedrop-private';
/** Where private files are stored when `privatePrefix` is not set. */
export const DEFAULT_PRIVATE_PREFIX = 'private/';
/** How long the link in the upload answer of a private file works (1 hour); `POST /api/links` makes others. */
export const PRIVATE_ANSWER_SECONDS = 3600;

/**
 * `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off`; absent says nothing (the access key's setting decides).
 *
 * @example
 * ```ts
 * privateFlag(request.headers.get(PRIVATE_HEADER), 'header'); // true, false or undefined
 * ```
 */
export function privateFlag(
  value: string | null | undefined,
  where: 'header' | 'form field' | 'tus metadata',
): boolean | undefined {
  const flag = booleanField(value);
  if (flag !== null) return flag;
  const name = where === 'header' ? 'Bytedrop-Private header' : `private ${where}`;
  throw fail(
    'ERR_INPUT',
    `${name} '${value}' is not a boolean: send true to store the file private (reachable only through signed links), false or nothing for a public file`,
  );
}

/**
 * Whether `key` is a private file's (under `prefix`).
 *
 * @example
 * ```ts
 * isPrivateKey('private/alice/a.png', 'private/'); // true
 * ```
 */
export function isPrivateKey(key: string, prefix: string): boolean {
  return key.startsWith(prefix);
}
