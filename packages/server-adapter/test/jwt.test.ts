/**
 * Sign-in by JWT: tokens signed with keys this test generates, checked against a JWKS it serves on loopback (and
 * against one PEM public key). A good token uploads as its subject, into its prefix; every bad token is refused with
 * a reason and counted like a wrong key; a JWKS that is down is a 503, not a guess spent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier } from '../src/jwt';
import { serverSettingsFromEnv } from '../src/settings';
import { KEY, type LocalFixture, localFixture, uploadRequest } from './_support/fixtures';

const ISSUER = 'https://id.example.test/';
const AUDIENCE = 'bytedrop';

let jwks: Server;
let jwksUrl: string;
let signing: CryptoKey;
let stranger: CryptoKey;
let publicPem: string;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  signing = pair.privateKey;
  publicPem = await exportSPKI(pair.publicKey);
  stranger = (await generateKeyPair('ES256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  jwks = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((done) => jwks.listen(0, '127.0.0.1', done));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(() => new Promise((done) => jwks.close(done)));

/** A token as an identity provider would sign it; `change` alters claims, header or key. */
async function token(
  change: { claims?: Record<string, unknown>; kid?: string; key?: CryptoKey; expiresIn?: string } = {},
) {
  const { iss = ISSUER, aud = AUDIENCE, ...claims } = change.claims ?? {};
  return new SignJWT({ bytedrop_prefix: 'team-a/', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: change.kid ?? 'k1' })
    .setIssuer(String(iss))
    .setAudience(String(aud))
    .setSubject('carol@example.test')
    .setIssuedAt()
    .setExpirationTime(change.expiresIn ?? '5m')
    .sign(change.key ?? signing);
}

/** `header.payload.` with `alg: none`: what an attacker sends to skip the signature. */
function unsigned(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'mallory', iss: ISSUER, aud: AUDIENCE, exp: now + 300 })}.`;
}

describe('JWT sign-in through the handler', () => {
  let fx: LocalFixture;
  afterEach(() => fx.dispose());

  const send = (bearer: string, ip = '192.0.2.50') =>
    fx.handler(
      uploadRequest([{ name: 'jwt.txt', body: `by jwt ${Math.random()}` }], {
        authorization: `Bearer ${bearer}`,
      }),
      {
        ip,
      },
    );

  it('a valid token uploads as its subject, into the prefix its claim names; access keys still work', async () => {
    fx = await localFixture({ jwt: createJwtVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE }) });
    const response = await send(await token());
    expect(response.status).toBe(200);
    const { files } = (await response.json()) as { files: { key: string }[] };
    expect(files[0]?.key.startsWith('team-a/')).toBe(true);
    const stored = await fx.store.head(files[0]!.key);
    expect(stored?.meta?.owner).toBe('carol@example.test');
    expect((await send(KEY)).status).toBe(200);
  });

  it.each([
    ['expired', () => token({ expiresIn: '-1m' }), 'the token has expired: sign in again'],
    [
      'for another audience',
      () => token({ claims: { aud: 'someone-else' } }),
      "its audience must be 'bytedrop'",
    ],
    ['from another issuer', () => token({ claims: { iss: 'https://evil.test/' } }), `issued by '${ISSUER}'`],
    [
      'signed by an unknown kid',
      () => token({ kid: 'k9', key: stranger }),
      "the issuer's JWKS does not have (unknown kid)",
    ],
    ['signed by another key under a known kid', () => token({ key: stranger }), 'signature does not verify'],
    ['unsigned (alg: none)', async () => unsigned(), 'unsigned tokens never are'],
  ])('a token %s is refused with 401 saying why', async (_what, make, reason) => {
    fx = await localFixture({ jwt: createJwtVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE }) });
    const response = await send(await make());
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'ERR_AUTH', msg: expect.stringContaining(reason) });
    expect(await fx.objects()).toEqual([]);
  });

  it('bad tokens count as wrong keys: the third from one address bans it', async () => {
    fx = await localFixture({ jwt: createJwtVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE }) });
    const expired = await token({ expiresIn: '-1m' });
    expect((await send(expired, '198.51.100.9')).status).toBe(401);
    expect((await send(expired, '198.51.100.9')).status).toBe(401);
    const third = await send(expired, '198.51.100.9');
    const { msg } = await third.json();
    expect(msg).toContain('the token has expired');
    expect(msg).toContain('and that was the last try');
    expect((await send(await token(), '198.51.100.9')).status).toBe(403);
  });

  it('a JWKS that cannot be fetched is a 503, and spends no guess', async () => {
    fx = await localFixture({
      jwt: createJwtVerifier({ jwksUrl: 'http://127.0.0.1:9/jwks.json', issuer: ISSUER, audience: AUDIENCE }),
    });
    for (let i = 0; i < 4; i++) {
      const response = await send(await token(), '198.51.100.10');
      expect(response.status).toBe(503);
      expect((await response.json()).msg).toContain('cannot check tokens right now');
    }
  });

  it('verifies against one PEM public key too', async () => {
    fx = await localFixture({
      jwt: createJwtVerifier({ publicKey: publicPem, issuer: ISSUER, audience: AUDIENCE }),
    });
    expect((await send(await token())).status).toBe(200);
    expect((await send(await token({ key: stranger }))).status).toBe(401);
  });
});

describe('Bytedrop scopes in a token', () => {
  let fx: LocalFixture;
  beforeAll(async () => {
    fx = await localFixture({ jwt: createJwtVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE }) });
  });
  afterAll(() => fx.dispose());

  const upload = async (claims: Record<string, unknown>) =>
    fx.handler(
      uploadRequest([{ name: 'scoped.txt', body: `scoped ${Math.random()}` }], {
        authorization: `Bearer ${await token({ claims })}`,
      }),
      { ip: '192.0.2.60' },
    );

  it.each([
    ['scope', { scope: 'openid list-own email' }],
    ['scp (array)', { scp: ['list-own', 'profile'] }],
    ['scp (string)', { scp: 'list-own' }],
  ])('a token with only list-own in its %s cannot upload: 403 ERR_SCOPE naming upload', async (_, claims) => {
    const response = await upload(claims);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      code: 'ERR_SCOPE',
      msg: expect.stringContaining(
        "'carol@example.test' lacks the 'upload' scope (it has: list-own): sign in with a token whose scope claim includes 'upload'",
      ),
    });
  });

  it.each([
    ['upload in scope', { scope: 'upload' }],
    ['upload in scp', { scp: ['upload'] }],
    ['no Bytedrop scope (the default)', { scope: 'openid email something-else' }],
    ['no scope claim at all (the default)', {}],
  ])('a token with %s uploads', async (_, claims) => {
    expect((await upload(claims)).status).toBe(200);
  });

  it('a token with only upload cannot list: 403 ERR_SCOPE naming list-own', async () => {
    const response = await fx.handler(
      new Request('http://drop.test/api/files', {
        headers: { authorization: `Bearer ${await token({ claims: { scope: 'upload' } })}` },
      }),
      { ip: '192.0.2.61' },
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      code: 'ERR_SCOPE',
      msg: expect.stringContaining("lacks the 'list-own' scope"),
    });
  });
});

describe('bad JWT settings', () => {
  it.each([
    [{ jwksUrl: 'http://x.test/jwks', issuer: '', audience: 'a' }, 'needs JWT_ISSUER and JWT_AUDIENCE'],
    [{ issuer: 'i', audience: 'a' }, 'exactly one of JWT_JWKS_URL and JWT_PUBLIC_KEY'],
    [
      { jwksUrl: 'http://x.test/jwks', issuer: 'i', audience: 'a', algorithms: ['none'] },
      "'none' would accept unsigned",
    ],
  ])('refuses %j naming the fix', (options, message) => {
    expect(() => createJwtVerifier(options)).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG', message: expect.stringContaining(message) }),
    );
  });

  it('reads JWT_* from the environment, a PEM with literal \\n included', () => {
    const settings = serverSettingsFromEnv({
      JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----',
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
    });
    expect(settings.jwt).toEqual({
      publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
      issuer: ISSUER,
      audience: AUDIENCE,
    });
  });
});
