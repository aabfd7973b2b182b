/**
 * Scopes: what an access key may do. Every keyed route names the scope it needs and refuses a key without it with
 * 403 `ERR_SCOPE`, naming the scope, so the holder knows what to ask the admin for.
 */
import { BytedropError } from '@bytedrop/core';
import type { AccessKey } from './auth';
import { SCOPES, type Scope } from './catalog/keys';

/** The scopes of a key that names none: a keys-file or JWT key uploads, and lists and deletes its own files. */
export const DEFAULT_SCOPES: readonly Scope[] = ['upload', 'delete-own', 'list-own'];

/**
 * The scopes `key` has: its own, else every scope for an admin key and `DEFAULT_SCOPES` for the others.
 *
 * @example
 * ```ts
 * scopesOf({ name: 'ci', key: '…', scopes: ['upload'] }); // ['upload']
 * scopesOf({ name: 'root', key: '…', admin: true }); // ['upload', 'delete-own', 'list-own', 'admin']
 * ```
 */
export function scopesOf(key: AccessKey): readonly Scope[] {
  return key.scopes ?? (key.admin ? SCOPES : DEFAULT_SCOPES);
}

/**
 * Throws 403 `ERR_SCOPE` unless `who` has `scope` (an `admin` key has every scope).
 *
 * @example
 * ```ts
 * requireScope(who, 'upload');
 * ```
 */
export function requireScope(who: AccessKey, scope: Scope): void {
  const has = scopesOf(who);
  if (has.includes(scope) || has.includes('admin')) return;
  const fix = who.jwt
    ? `sign in with a token whose scope claim includes '${scope}' (your identity provider grants it)`
    : `ask the server's admin for a key with '${scope}' (bytedrop-server keys add --scopes ${scope},…)`;
  throw new BytedropError(
    'ERR_SCOPE',
    `access key '${who.name}' lacks the '${scope}' scope (it has: ${has.join(', ') || 'none'}): ${fix}`,
  );
}
