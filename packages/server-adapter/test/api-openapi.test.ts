/**
 * `GET /api/openapi.json`: the document validates against the OpenAPI 3.1 schema, every route and method it names
 * answers as it says (200 bodies and errors checked against its schemas with ajv; POSTs with a JSON body), and methods it does not name
 * are refused.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createSharpEncoder } from '@bytedrop/core/node';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThumbnails } from '../src/thumbnails';
import type { WebhookEventType, WebhookFile } from '../src/webhooks';
import { ADMIN_KEY, API_KINDS, type ApiFixture, apiFixture, seed } from './_support/api';
import { body, KEY, KEY2, ORIGIN, uploadRequest } from './_support/fixtures';

interface Response {
  $ref?: string;
  content?: Record<string, { schema?: { $ref: string } }>;
}
interface Operation {
  responses: Record<string, Response>;
}
interface Document {
  servers: unknown;
  paths: Record<string, Record<string, Operation | undefined>>;
  webhooks: Record<string, unknown>;
  components: { responses: Record<string, Response> };
}

let api: ApiFixture;
let document: Document;

/** Checks `body` against the schema a response of `operation` for `status` names. */
function conforms(operation: Operation | undefined, status: number, body: unknown): void {
  let response = operation?.responses[String(status)];
  expect(response, `status ${status} is documented`).toBeDefined();
  if (response?.$ref) response = document.components.responses[response.$ref.split('/').at(-1)!];
  const schema = response?.content?.['application/json']?.schema;
  if (!schema) return;
  matches(schema.$ref, body);
}

/** Checks `body` against the schema at `pointer` (`#/…`) in the document. */
function matches(pointer: string, body: unknown): void {
  const ajv = new Ajv2020({ strict: false });
  // The one format the document uses; ajv leaves formats to a plugin, and ignoring it would check nothing.
  ajv.addFormat(
    'date-time',
    (text: string) => /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(text) && !Number.isNaN(Date.parse(text)),
  );
  ajv.addSchema({ $id: 'doc', components: document.components, webhooks: document.webhooks });
  const validate = ajv.compile({ $ref: `doc${pointer}` });
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
}

const call = async (method: string, path: string, key = ADMIN_KEY, json?: unknown) => {
  const response = await api.handler(
    new Request(`${ORIGIN}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    }),
  );
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    body: type.includes('json') ? await response.json() : await response.arrayBuffer(),
  };
};

/** The JSON bodies of the documented POSTs. */
const BODIES: Record<string, unknown> = {
  'post /api/keys': { name: 'doc-key' },
  'post /api/zip': { keys: ['alice/a b.png'] },
  'post /api/links': { key: 'alice/a b.png', expiresIn: 60 },
  // Public already: answered in place, so the reads after it still find the file.
  'patch /api/files/{key}': { private: false },
};

describe.each(API_KINDS)('the OpenAPI document on %s', (kind) => {
  beforeAll(async () => {
    // Thumbnails on: the image's record carries its `thumbnail`, checked against the schema like the rest.
    api = await apiFixture({ thumbnails: createThumbnails({ encoder: createSharpEncoder() }) }, kind);
    await api.catalog.recordMany([
      seed('alice/a b.png', { width: 2, height: 3, hash: 'sha256:ab' }),
      seed('alice/c.txt'),
    ]);
    // An upload in flight, so GET /api/uploads answers a row to check against the schema.
    await api.catalog.uploads.put({
      id: 'f'.repeat(32),
      kind: 'tus',
      owner: 'alice',
      filename: 'big.bin',
      length: null,
      offset: 5,
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    // The ZIP reads the bytes: the seeded record's 10 of them.
    const file = api.store.path('alice/a b.png');
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, '0123456789');
    const response = await api.handler(new Request(`${ORIGIN}/api/openapi.json`));
    expect(response.status).toBe(200);
    document = (await response.json()) as Document;
  });
  afterAll(() => api.dispose());

  it('validates as OpenAPI 3.1, with this server as its server', async () => {
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.servers).toEqual([{ url: ORIGIN }]);
  });

  it('describes every route: each documented method answers its documented 200 body', async () => {
    const concrete = (path: string) => path.replace('{key}', 'alice/a%20b.png').replace('{name}', 'doc-key');
    // POST first (it adds the key the others rotate and revoke), DELETE last: it removes what the others read.
    const order = ['post', 'patch', 'get', 'delete'];
    let checked = 0;
    for (const method of order) {
      for (const [path, item] of Object.entries(document.paths)) {
        if (!item[method]) continue;
        const answer = await call(
          method.toUpperCase(),
          concrete(path),
          ADMIN_KEY,
          BODIES[`${method} ${path}`],
        );
        const status = Number(Object.keys(item[method].responses)[0]);
        expect(answer.status, `${method} ${path}`).toBe(status);
        if (path !== '/api/openapi.json') conforms(item[method], status, answer.body);
        checked += 1;
      }
    }
    expect(checked).toBe(15);
  });

  it('is readable at /api/docs without a key: one HTML page naming every operation, loading nothing', async () => {
    const response = await api.handler(new Request(`${ORIGIN}/api/docs`));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    const escaped = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
    const items = { ...document.paths, ...(document.webhooks as Document['paths']) };
    for (const [path, item] of Object.entries(items)) {
      for (const method of ['get', 'post', 'patch', 'delete']) {
        const summary = (item[method] as { summary?: string } | undefined)?.summary;
        if (summary === undefined) continue;
        expect(html, `${method} ${path}`).toContain(
          `${method.toUpperCase()}</span> <code>${escaped(path)}</code>`,
        );
        expect(html).toContain(escaped(summary).replace(/`([^`]+)`/g, '<code>$1</code>'));
      }
    }
    // Parameters, bodies and response schemas, with their fields.
    expect(html).toContain('<code>cursor</code>?</td><td>query</td>');
    expect(html).toContain('<a href="#schema-ZipRequest">ZipRequest</a>');
    expect(html).toContain('<section id="schema-File"><h3>File</h3><ul><li><code>key</code>: string</li>');
    expect(html).toContain('Needs an access key');
    // Statuses answered alike share one line.
    expect(html).toContain('<li><b>400, 401, 403, 503</b> The failure: <code>msg</code> names');
    expect(html).not.toMatch(/<script|(src|href)="(https?:)?\/\//);
  });

  it('documents the errors as they are answered', async () => {
    const list = document.paths['/api/files']!.get;
    conforms(list, 400, (await call('GET', '/api/files?limit=0')).body);
    conforms(list, 401, (await call('GET', '/api/files', 'wrong-key-000000000')).body);
    conforms(document.paths['/api/files/{key}']!.get, 404, (await call('GET', '/api/files/none')).body);
    const privacy = document.paths['/api/files/{key}']!.patch;
    conforms(
      privacy,
      400,
      (await call('PATCH', '/api/files/alice/c.txt', ADMIN_KEY, { private: 'yes' })).body,
    );
    const keys = document.paths['/api/keys']!;
    conforms(keys.post, 400, (await call('POST', '/api/keys', ADMIN_KEY, { name: '' })).body);
    conforms(keys.post, 403, (await call('POST', '/api/keys', KEY, { name: 'x' })).body);
    conforms(keys.post, 409, (await call('POST', '/api/keys', ADMIN_KEY, { name: 'alice' })).body);
    conforms(document.paths['/api/keys/{name}']!.delete, 404, (await call('DELETE', '/api/keys/none')).body);
    const zip = document.paths['/api/zip']!.post;
    conforms(zip, 400, (await call('POST', '/api/zip', ADMIN_KEY, { keys: [] })).body);
    conforms(zip, 403, (await call('POST', '/api/zip', KEY2, { keys: ['alice/c.txt'] })).body);
    const links = document.paths['/api/links']!.post;
    conforms(links, 400, (await call('POST', '/api/links', ADMIN_KEY, { key: 'x', expiresIn: -1 })).body);
    conforms(links, 404, (await call('POST', '/api/links', ADMIN_KEY, { key: 'x', expiresIn: 1 })).body);
    conforms(document.paths['/api/stats']!.get, 403, (await call('GET', '/api/stats', KEY2)).body);
  });

  it('documents every webhook event as the handler sends it: upload, move (privacy) and delete', async () => {
    const sent: { type: WebhookEventType; file: WebhookFile }[] = [];
    const hooked = await apiFixture(
      {
        webhooks: { emit: (type, file) => sent.push({ type, file }), drain: async () => {} },
      },
      kind,
    );
    try {
      const stored = await body(await hooked.handler(uploadRequest([{ name: 'a.txt', body: 'webhook' }])));
      const key = stored.files[0]!.key;
      const move = await hooked.handler(
        new Request(`${ORIGIN}/api/files/${key}`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ private: true }),
        }),
      );
      expect(move.status).toBe(200);
      const gone = await hooked.call(`/api/files/private/${key}`, KEY, 'DELETE');
      expect(gone.status).toBe(200);
    } finally {
      await hooked.dispose();
    }
    expect(sent.map((event) => event.type)).toEqual(['file.uploaded', 'file.moved', 'file.deleted']);
    expect(Object.keys(document.webhooks).sort()).toEqual(['file.deleted', 'file.moved', 'file.uploaded']);
    for (const { type, file } of sent) {
      // As webhooks.ts delivers it: the event around the file and the request id.
      const payload = { type, timestamp: new Date().toISOString(), data: { ...file, requestId: 'r1' } };
      matches(`#/webhooks/${type}/post/requestBody/content/application~1json/schema`, payload);
    }
  });

  it('names every method a route takes: the others are refused with 405', async () => {
    let refused = 0;
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
        if (item[method]) continue;
        const concrete = path.replace('{key}', 'x').replace('{name}', 'x');
        expect((await call(method.toUpperCase(), concrete)).status, `${method} ${path}`).toBe(405);
        refused += 1;
      }
    }
    expect(refused).toBe(45);
  });
});
