/**
 * The `/api/` routes with the server's other identities and events: a JWT whose `scope` holds `admin` sees every
 * owner's files and one without sees its own, and a delete through `DELETE /api/files/{key}` tells the webhooks.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier } from '../src/jwt';
import { createWebhooks, type WebhookPayload } from '../src/webhooks';
import { type ApiFixture, apiFixture, seed } from './_support/api';
import { KEY } from './_support/fixtures';

const ISSUER = 'https://id.example.test/';
let jwks: Server;
let jwksUrl: string;
let signing: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  signing = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
  jwks = createServer((_req, res) => res.writeHead(200).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((done) => jwks.listen(0, '127.0.0.1', done));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`;
});
afterAll(() => new Promise((done) => jwks.close(done)));

const token = (sub: string, scope?: string) =>
  new SignJWT(scope ? { scope } : {})
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(ISSUER)
    .setAudience('bytedrop')
    .setSubject(sub)
    .setExpirationTime('5m')
    .sign(signing);

describe('/api/ with JWTs and webhooks', () => {
  let fx: ApiFixture;
  afterEach(() => fx.dispose());

  it("a JWT with scope 'admin' lists every owner's files; one without lists its subject's only", async () => {
    fx = await apiFixture({ jwt: createJwtVerifier({ jwksUrl, issuer: ISSUER, audience: 'bytedrop' }) });
    await fx.catalog.record(seed('alice/a.png'));
    await fx.catalog.record(seed('dave/d.png', { owner: 'dave@example.test' }));
    const admin = await fx.call('/api/files', await token('ops@example.test', 'upload admin'));
    expect(admin.status).toBe(200);
    expect((admin.body.files as { key: string }[]).map((f) => f.key).sort()).toEqual([
      'alice/a.png',
      'dave/d.png',
    ]);
    const dave = await fx.call('/api/files', await token('dave@example.test', 'upload list-own'));
    expect((dave.body.files as { key: string }[]).map((f) => f.key)).toEqual(['dave/d.png']);
  });

  it('DELETE /api/files/{key} sends file.deleted with the owner', async () => {
    const bodies: string[] = [];
    let arrived: () => void = () => {};
    const receiver = createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      bodies.push(body);
      res.writeHead(204).end();
      arrived();
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    const secret = `whsec_${Buffer.from('api identities webhook secret...').toString('base64')}`;
    const webhooks = createWebhooks({
      urls: [`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`],
      secret,
      allowPrivate: true,
    });
    try {
      fx = await apiFixture({ webhooks });
      const uploaded = await fx.handler(
        new Request('http://drop.test/upload/w.txt', {
          method: 'PUT',
          headers: { authorization: KEY },
          body: 'w',
        }),
      );
      const { files } = (await uploaded.json()) as { files: { key: string }[] };
      await webhooks.drain();
      const delivered = new Promise<void>((done) => {
        arrived = done;
      });
      const deleted = await fx.call(`/api/files/${files[0]!.key}`, KEY, 'DELETE');
      expect(deleted.status).toBe(200);
      await delivered;
      const event = JSON.parse(bodies.at(-1)!) as WebhookPayload;
      expect(event).toMatchObject({ type: 'file.deleted', data: { key: files[0]!.key, owner: 'alice' } });
    } finally {
      await webhooks.drain();
      receiver.closeAllConnections();
      await new Promise((done) => receiver.close(done));
    }
  });
});
