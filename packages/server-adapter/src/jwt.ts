/**
 * Sign-in by JWT beside access keys: `Authorization: Bearer <jwt>` from an identity provider, verified with jose
 * against its JWKS (or one public key), with issuer, audience and algorithm checked. The subject becomes the owner of
 * what it uploads; a claim may carry its folder prefix. A token that fails says why (expired, wrong audience, unknown
 * key, unsigned), and counts as a wrong key for bans; a JWKS that cannot be fetched is the server's problem (503).
 */
import { BytedropError } from '@bytedrop/core';
import type { AccessKey } from './auth';
import { SCOPES, type Scope } from './catalog/keys';

/** Options of `createJwtVerifier`. */
export interface JwtOptions {
  /** The identity provider's JWKS (`JWT_JWKS_URL`), fetched and cached by jose, refreshed for unknown `kid`s. */
  jwksUrl?: string;
  /** Or one public key, PEM SPKI (`JWT_PUBLIC_KEY`). */
  publicKey?: string;
  /** The required `iss` (`JWT_ISSUER`). */
  issuer: string;
  /** The required `aud` (`JWT_AUDIENCE`). */
  audience: string;
  /** Accepted algorithms (default RS256, ES256, EdDSA, PS256); `none` never is. */
  algorithms?: readonly string[];
  /** The claim holding the key prefix for the subject's uploads (default `bytedrop_prefix`). */
  prefixClaim?: string;
}

/** Checks a presented bearer: an access key for it, or why it is not one. */
export type JwtVerifier = (token: string) => Promise<{ key: AccessKey } | { problem: string }>;

const DEFAULT_ALGORITHMS = ['RS256', 'ES256', 'EdDSA', 'PS256'];

/** Whether a presented credential is shaped like a JWT (three base64url parts) rather than an access key. */
export function looksLikeJwt(presented: string): boolean {
  return /^eyJ[\w-]*\.[\w-]*\.[\w-]*$/.test(presented);
}

/**
 * The Bytedrop scopes a token grants: OAuth's space-separated `scope` string and the `scp` claim (an array, or a
 * string as some providers send it), each name kept only when it is one of `SCOPES` (`openid`, `email`… are ignored).
 */
function scopesOfClaims(payload: Record<string, unknown>): Scope[] {
  const names = [payload.scope, payload.scp].flatMap((claim) =>
    typeof claim === 'string' ? claim.split(' ') : Array.isArray(claim) ? claim : [],
  );
  return SCOPES.filter((scope) => names.includes(scope));
}

/** What a token's failure says to its client; undefined for failures that are not the token's fault. */
function problemOf(error: unknown, options: JwtOptions): string | undefined {
  const { code, claim } = error as { code?: string; claim?: string };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'the token has expired: sign in again for a new one';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'aud')
        return `the token is not for this server: its audience must be '${options.audience}'`;
      if (claim === 'iss')
        return `the token is from another issuer: it must be issued by '${options.issuer}'`;
      if (claim === 'nbf') return 'the token is not valid yet (nbf): check the clocks';
      return `the token's '${claim}' claim is not valid`;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return `the token's algorithm is not accepted (use one of ${(options.algorithms ?? DEFAULT_ALGORITHMS).join(', ')}; unsigned tokens never are)`;
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return "the token is signed with a key the issuer's JWKS does not have (unknown kid)";
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'the token signature does not verify';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'the token is not a valid signed JWT';
    default:
      return undefined;
  }
}

/**
 * Creates the JWT check `createHandler({ jwt })` uses for bearers shaped like a JWT. Throws `ERR_CONFIG` for a
 * missing issuer, audience or key source.
 *
 * @example
 * ```ts
 * const handler = createHandler({
 *   uploader, keys, secret,
 *   jwt: { jwksUrl: 'https://id.example.com/.well-known/jwks.json', issuer: 'https://id.example.com/', audience: 'bytedrop' },
 * });
 * ```
 */
export function createJwtVerifier(options: JwtOptions): JwtVerifier {
  if (!options.issuer || !options.audience) {
    throw new BytedropError(
      'ERR_CONFIG',
      'JWT sign-in needs JWT_ISSUER and JWT_AUDIENCE: set both (the iss and aud your tokens carry)',
    );
  }
  if (!options.jwksUrl === !options.publicKey) {
    throw new BytedropError('ERR_CONFIG', 'JWT sign-in needs exactly one of JWT_JWKS_URL and JWT_PUBLIC_KEY');
  }
  const algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)];
  if (algorithms.some((alg) => alg.toLowerCase() === 'none')) {
    throw new BytedropError('ERR_CONFIG', "JWT algorithm 'none' would accept unsigned tokens: remove it");
  }
  const prefixClaim = options.prefixClaim ?? 'bytedrop_prefix';
  // Loaded on first token, so servers without JWT sign-in never load jose.
  const jose = import('jose');
  const keySource = jose.then(async ({ createRemoteJWKSet, importSPKI }) => {
    if (options.jwksUrl) return createRemoteJWKSet(new URL(options.jwksUrl));
    // A PEM without a known algorithm is imported once per algorithm that matches its type.
    const pem = options.publicKey as string;
    for (const alg of algorithms) {
      const key = await importSPKI(pem, alg).catch(() => undefined);
      if (key) return key;
    }
    throw new BytedropError(
      'ERR_CONFIG',
      `JWT_PUBLIC_KEY is not a PEM public key for ${algorithms.join(', ')}`,
    );
  });
  keySource.catch(() => undefined);

  return async (token) => {
    const { jwtVerify } = await jose;
    const key = await keySource;
    try {
      const checks = { issuer: options.issuer, audience: options.audience, algorithms };
      const { payload } =
        typeof key === 'function' ? await jwtVerify(token, key, checks) : await jwtVerify(token, key, checks);
      if (typeof payload.sub !== 'string' || payload.sub === '')
        return { problem: 'the token has no subject (sub)' };
      const prefix = payload[prefixClaim];
      // A token naming no Bytedrop scope gets a keys file key's default; `admin` sees and deletes every owner's
      // files, as a keys file's admin key.
      const scopes = scopesOfClaims(payload);
      return {
        key: {
          name: payload.sub,
          key: '',
          jwt: true,
          ...(typeof prefix === 'string' && prefix !== '' ? { prefix } : {}),
          ...(scopes.length > 0 ? { scopes } : {}),
          ...(scopes.includes('admin') ? { admin: true } : {}),
        },
      };
    } catch (error) {
      const problem = problemOf(error, options);
      if (problem !== undefined) return { problem };
      throw new BytedropError(
        'ERR_NETWORK',
        `the server cannot check tokens right now (JWKS at ${options.jwksUrl} unreachable): try again later`,
        { cause: error },
      );
    }
  };
}
