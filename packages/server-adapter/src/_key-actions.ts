/**
 * What `bytedrop-server keys` and `/api/keys` do to managed keys: add (the secret is made here and shown once),
 * revoke, rotate, and the public view of a key (never its hash). Keys of the keys file or AUTH_KEY belong to that
 * file: they are changed by editing it, not here.
 */
import { BytedropError } from '@bytedrop/core';
import { hashSecret, keyProblem, newSecret, unknownKey } from './_catalog-keyring';
import type { NewKey } from './_key-params';
import type { KeyRecord } from './catalog/keys';
import type { Catalog } from './catalog/types';

/** A key as the API and `keys list` show it. */
export interface KeyView {
  name: string;
  prefix: string | null;
  scopes: string[];
  quota: { bytes: number | null; files: number | null };
  rates: { perHour: number | null; perDay: number | null };
  expiresAt: string | null;
  createdAt: string;
  revokedAt: string | null;
  /** `config`: from the keys file or AUTH_KEY; `managed`: added by the CLI or the API. */
  source: 'config' | 'managed';
  status: 'active' | 'revoked' | 'expired';
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** The public view of a key. */
export function viewKey(record: KeyRecord, now = new Date()): KeyView {
  const problem = keyProblem(record, now);
  return {
    name: record.name,
    prefix: record.prefix,
    scopes: [...record.scopes],
    quota: { bytes: record.quotaBytes, files: record.quotaFiles },
    rates: { perHour: record.perHour, perDay: record.perDay },
    expiresAt: iso(record.expiresAt),
    createdAt: record.createdAt.toISOString(),
    revokedAt: iso(record.revokedAt),
    source: record.source,
    status: problem === undefined ? 'active' : record.revokedAt ? 'revoked' : 'expired',
  };
}

/** Adds a managed key; its secret is in the answer and nowhere else. */
export async function addKey(
  catalog: Catalog,
  settings: NewKey,
  now = new Date(),
): Promise<{ key: KeyView; secret: string }> {
  const secret = newSecret();
  const record: KeyRecord = { ...settings, createdAt: now, revokedAt: null, source: 'managed' };
  await catalog.accessKeys.add({ record, hash: await hashSecret(secret) });
  return { key: viewKey(record, now), secret };
}

/** A managed key by name: 404 when unknown, 409 when the keys file owns it. */
async function managed(catalog: Catalog, name: string, doing: string): Promise<KeyRecord> {
  const record = await catalog.accessKeys.get(name);
  if (!record) throw unknownKey(name);
  if (record.source === 'config') {
    throw new BytedropError(
      'ERR_CONFLICT',
      `access key '${name}' comes from the keys file (KEYS_FILE or AUTH_KEY), so it cannot be ${doing} here: edit the file and restart (a key left out of it stops working)`,
    );
  }
  return record;
}

/** Revokes a managed key (again is fine: the first time is kept). */
export async function revokeKey(catalog: Catalog, name: string, now = new Date()): Promise<KeyView> {
  await managed(catalog, name, 'revoked');
  const record = await catalog.accessKeys.revoke(name, now);
  if (!record) throw unknownKey(name);
  return viewKey(record, now);
}

/** Gives a managed key a new secret: the old one stops working at once; revoked keys stay revoked (409). */
export async function rotateKey(
  catalog: Catalog,
  name: string,
  now = new Date(),
): Promise<{ key: KeyView; secret: string }> {
  const record = await managed(catalog, name, 'rotated');
  if (record.revokedAt) {
    throw new BytedropError(
      'ERR_CONFLICT',
      `access key '${name}' is revoked: a revoked key is not brought back; add a new key (with another name) instead`,
    );
  }
  const secret = newSecret();
  if (!(await catalog.accessKeys.rehash(name, await hashSecret(secret)))) throw unknownKey(name);
  return { key: viewKey(record, now), secret };
}
