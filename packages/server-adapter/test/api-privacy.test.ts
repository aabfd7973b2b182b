/**
 * `PATCH /api/files/{key}` `{ "private": … }` on local disk with SQLite and on radosgw with PostgreSQL (one suite,
 * both stores, both catalogs): the object moves under the private prefix and back, bytes intact, the old key gone
 * from storage and catalog; the public URL stops working while private; the moved object is served with the
 * original's headers and metadata, and webhooks get one `file.moved` per move; bad input, other owners' files and a
 * taken target are refused with a code.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { useRgw } from '../../core/test/_support/rgw';
import { inspector } from '../../core/test/_support/s3';
import { createPostgresCatalog } from '../src/catalog/postgres';
import type { BytedropHandler } from '../src/handler';
import type { WebhookEventType, WebhookFile, Webhooks } from '../src/webhooks';
import { apiFixture } from './_support/api';
import { postgresDatabase } from './_support/catalogs';
import { body, KEY, KEY2, ORIGIN, uploadRequest } from './_support/fixtures';
import { objectsIn, rgwHandler } from './_support/rgw-server';

interface Answer {
  code?: string;
  msg?: string;
  file?: { key: string; private: boolean; url: string | null };
}

interface Subject {
  handler: BytedropHandler;
  /** Every object key in storage, sorted. */
  objects(): Promise<string[]>;
  /** The bytes a public URL answers, or its status when it does not. */
  open(url: string): Promise<string | number>;
  /** The headers a public URL is served with that come from the object (type, caching, disposition, metadata). */
  served(url: string): Promise<Record<string, string>>;
  /** The webhook events the handler sent, in order. */
  events: { type: WebhookEventType; file: WebhookFile }[];
  /** Writes an object straight to storage, past the server and its catalog. */
  plant(key: string, text: string): Promise<void>;
  dispose(): Promise<void>;
}

/** Webhooks that record what the handler emits (their delivery has its own tests in webhooks.test.ts). */
function recordingWebhooks(): { webhooks: Webhooks; events: Subject['events'] } {
  const events: Subject['events'] = [];
  return { events, webhooks: { emit: (type, file) => events.push({ type, file }), drain: async () => {} } };
}

/** The headers of `response` that storage keeps with the object. */
function objectHeaders(response: Response): Record<string, string> {
  const kept = ['content-type', 'cache-control', 'content-disposition'];
  return Object.fromEntries(
    [...response.headers].filter(([name]) => kept.includes(name) || name.startsWith('x-amz-meta-')),
  );
}

function privacySuite(kind: string, make: () => Promise<Subject>) {
  describe(`PATCH /api/files/{key} on ${kind}`, () => {
    const call = async (handler: BytedropHandler, key: string, json: unknown, as = KEY) => {
      const response = await handler(
        new Request(`${ORIGIN}/api/files/${key.split('/').map(encodeURIComponent).join('/')}`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' },
          body: typeof json === 'string' ? json : JSON.stringify(json),
        }),
      );
      return { status: response.status, body: (await response.json()) as Answer };
    };
    const upload = async (handler: BytedropHandler, text: string) => {
      const answer = await body(
        await handler(uploadRequest([{ name: 'note.txt', body: text, type: 'text/plain' }])),
      );
      expect(answer.success).toBe(true);
      return answer.files[0]!;
    };

    it('moves a file under the private prefix and back, bytes and record intact', async () => {
      const subject = await make();
      try {
        const file = await upload(subject.handler, 'hello privacy');
        expect(await subject.open(file.url)).toBe('hello privacy');
        const hidden = await call(subject.handler, file.key, { private: true });
        expect(hidden.status).toBe(200);
        expect(hidden.body.file).toMatchObject({
          key: `private/${file.key}`,
          private: true,
          url: null,
          filename: 'note.txt',
          size: 13,
        });
        expect(await subject.objects()).toEqual([`private/${file.key}`]);
        expect(await subject.open(file.url)).not.toBe('hello privacy');
        const gone = await subject.handler(
          new Request(`${ORIGIN}/api/files/${file.key}`, { headers: { authorization: `Bearer ${KEY}` } }),
        );
        expect(gone.status).toBe(404);
        // Asked again: already private, answered in place.
        expect((await call(subject.handler, `private/${file.key}`, { private: true })).body.file?.key).toBe(
          `private/${file.key}`,
        );
        const shown = await call(subject.handler, `private/${file.key}`, { private: false });
        expect(shown.status).toBe(200);
        expect(shown.body.file).toMatchObject({ key: file.key, private: false, url: file.url });
        expect(await subject.objects()).toEqual([file.key]);
        expect(await subject.open(file.url)).toBe('hello privacy');
      } finally {
        await subject.dispose();
      }
    });

    it('keeps the headers and metadata the file was served with, and sends one file.moved per move', async () => {
      const subject = await make();
      try {
        // HTML is stored as an attachment, so it has a Content-Disposition; every hashed key has a Cache-Control.
        const answer = await body(
          await subject.handler(uploadRequest([{ name: 'page.html', body: '<p>hi</p>', type: 'text/html' }])),
        );
        const file = answer.files[0]!;
        const before = await subject.served(file.url);
        expect(before).toMatchObject({
          'content-type': expect.stringContaining('text/html'),
          'cache-control': expect.stringContaining('immutable'),
          'content-disposition': expect.stringContaining('attachment'),
        });
        subject.events.length = 0;
        expect((await call(subject.handler, file.key, { private: true })).status).toBe(200);
        expect((await call(subject.handler, `private/${file.key}`, { private: false })).status).toBe(200);
        // Through the private copy and back: what the public URL serves is what it served before.
        expect(await subject.served(file.url)).toEqual(before);
        expect(subject.events).toEqual([
          {
            type: 'file.moved',
            file: {
              key: `private/${file.key}`,
              previousKey: file.key,
              owner: 'alice',
              private: true,
              size: 9,
              hash: file.hash,
              contentType: file.contentType,
              filename: 'page.html',
            },
          },
          {
            type: 'file.moved',
            file: {
              key: file.key,
              previousKey: `private/${file.key}`,
              owner: 'alice',
              private: false,
              url: file.url,
              size: 9,
              hash: file.hash,
              contentType: file.contentType,
              filename: 'page.html',
            },
          },
        ]);
        // Asking for the side the file is on already moves nothing and tells no one.
        expect((await call(subject.handler, file.key, { private: false })).status).toBe(200);
        expect(subject.events).toHaveLength(2);
      } finally {
        await subject.dispose();
      }
    });

    it('refuses bad input, another owner, and a key already taken, naming why; the file stays', async () => {
      const subject = await make();
      try {
        const file = await upload(subject.handler, 'stays put');
        for (const [json, message] of [
          [{ private: 'yes' }, /^private must be true/],
          [{}, /private/],
          [{ private: true, also: 1 }, /also/],
          ['not json', /JSON/],
        ] as const) {
          const refused = await call(subject.handler, file.key, json);
          expect([refused.status, refused.body.code]).toEqual([400, 'ERR_INPUT']);
          expect(refused.body.msg).toMatch(message);
        }
        const other = await call(subject.handler, file.key, { private: true }, KEY2);
        expect([other.status, other.body.code]).toEqual([403, 'ERR_FORBIDDEN']);
        // The same bytes uploaded public again after the first went private: the private key is taken.
        expect((await call(subject.handler, file.key, { private: true })).status).toBe(200);
        const again = await upload(subject.handler, 'stays put');
        expect(again.key).toBe(file.key);
        const taken = await call(subject.handler, again.key, { private: true });
        expect([taken.status, taken.body.code]).toEqual([409, 'ERR_CONFLICT']);
        expect(taken.body.msg).toMatch(/already holds a file/);
        expect(await subject.objects()).toEqual([file.key, `private/${file.key}`].sort());
      } finally {
        await subject.dispose();
      }
    });

    it('never copies over an object the catalog does not list: 409, both objects as they were', async () => {
      const subject = await make();
      try {
        const file = await upload(subject.handler, 'mine');
        await subject.plant(`private/${file.key}`, 'not in the catalog');
        const refused = await call(subject.handler, file.key, { private: true });
        expect([refused.status, refused.body.code]).toEqual([409, 'ERR_CONFLICT']);
        expect(refused.body.msg).toMatch(/the catalog does not list: .*catalog rebuild/);
        expect(await subject.open(file.url)).toBe('mine');
        expect(await subject.objects()).toEqual([file.key, `private/${file.key}`].sort());
      } finally {
        await subject.dispose();
      }
    });
  });
}

privacySuite('local disk', async () => {
  const { webhooks, events } = recordingWebhooks();
  const api = await apiFixture({ webhooks });
  return {
    handler: api.handler,
    objects: api.objects,
    events,
    async open(url) {
      const response = await api.handler(new Request(url));
      return response.ok ? await response.text() : response.status;
    },
    served: async (url) => objectHeaders(await api.handler(new Request(url))),
    async plant(key, text) {
      await mkdir(dirname(join(api.dir, key)), { recursive: true });
      await writeFile(join(api.dir, key), text);
    },
    dispose: api.dispose,
  };
});

const rgw = useRgw('privacy');
let runs = 0;
// The deployment of several instances: S3 and PostgreSQL.
privacySuite('radosgw with PostgreSQL', async () => {
  const catalog = await createPostgresCatalog({ url: await postgresDatabase() });
  const prefix = `privacy-${++runs}`;
  const { webhooks, events } = recordingWebhooks();
  const handler = rgwHandler(rgw, { catalog, webhooks }, { keyTemplate: `${prefix}/{hash:16}.{ext}` });
  return {
    handler,
    events,
    served: async (url) => objectHeaders(await fetch(url)),
    objects: async () =>
      [...(await objectsIn(rgw, `${prefix}/`)), ...(await objectsIn(rgw, `private/${prefix}/`))].sort(),
    async open(url) {
      const response = await fetch(url);
      return response.ok ? await response.text() : response.status;
    },
    async plant(key, text) {
      await inspector(rgw.direct).send(new PutObjectCommand({ Bucket: rgw.bucket, Key: key, Body: text }));
    },
    dispose: () => catalog.close(),
  };
});
