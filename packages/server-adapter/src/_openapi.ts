/**
 * The OpenAPI 3.1 document of the `/api/` routes, served at `GET /api/openapi.json` (no key needed: it describes,
 * it reveals nothing). A test checks every route against it, and the answers against its schemas.
 */
import { MAX_LIMIT } from './_api-params';
import { KEYS_PATHS, KEYS_SCHEMAS } from './_openapi-keys';
import { TRANSFER_PATHS, TRANSFER_SCHEMAS } from './_openapi-transfer';
import { UPLOADS_PATHS, UPLOADS_SCHEMAS } from './_openapi-uploads';
import { WEBHOOK_SCHEMAS, WEBHOOKS } from './_openapi-webhooks';

const error = {
  description: 'The failure: `msg` names what was wrong and the fix.',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};

const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [String(status), { $ref: `#/components/responses/E${status}` }]),
  );

const ok = (ref: string, description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});

const query = (name: string, description: string, schema: Record<string, unknown>) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

const keyParameter = {
  name: 'key',
  in: 'path',
  required: true,
  description: 'The file key, each segment percent-encoded (slashes stay).',
  schema: { type: 'string' },
};

/** The document; `servers` is the caller's origin. */
export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Bytedrop server API',
    version: '1',
    description:
      'The file catalog: list, inspect, zip, link to and delete stored files, list uploads in flight, count usage and (admins) statistics. Every route needs an access key.',
  },
  security: [{ accessKey: [] }],
  paths: {
    '/api/files': {
      get: {
        operationId: 'listFiles',
        summary: "The caller's files (an admin key: everyone's), newest first, a page at a time",
        parameters: [
          query('limit', 'Files per page.', { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 50 }),
          query('cursor', '`next` of the previous page of the same query.', { type: 'string' }),
          query('prefix', 'Keys starting with this (a folder).', { type: 'string', maxLength: 1024 }),
          query('q', 'Case-insensitive part of the original filename.', { type: 'string', maxLength: 200 }),
          query('type', 'A media type (`image/png`) or a family (`image/*`).', { type: 'string' }),
          query('from', 'Created at or after (ISO date or time).', { type: 'string' }),
          query('to', 'Created before (ISO date or time).', { type: 'string' }),
          query('owner', "Admin keys only: one owner's files.", { type: 'string' }),
        ],
        responses: {
          '200': ok('FilePage', 'A page of files and the totals of the whole filtered set.'),
          ...errors(400, 401, 403, 503),
        },
      },
    },
    '/api/files/{key}': {
      parameters: [keyParameter],
      get: {
        operationId: 'getFile',
        summary: "One file's metadata (its owner or an admin key)",
        responses: { '200': ok('FileAnswer', 'The file.'), ...errors(401, 403, 404, 503) },
      },
      patch: {
        operationId: 'setFilePrivacy',
        summary: 'Makes a file private or public (its owner or an admin key)',
        description:
          'Privacy is the key: the object moves under the private prefix or out of it (copied with its headers and metadata, the copy checked, then the old one deleted), so the answer names its new key. Old public links stop working when it turns private. Thumbnails are not carried over. Webhooks get a `file.moved` event.',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/PrivacyRequest' } } },
        },
        responses: {
          '200': ok('FileAnswer', 'The file, at its new key.'),
          ...errors(400, 401, 403, 404, 409, 502, 503),
        },
      },
      delete: {
        operationId: 'deleteFile',
        summary: 'Deletes a file: its owner or an admin key, no delete token needed',
        responses: {
          '200': ok('Deleted', 'The file is gone from storage and the catalog.'),
          ...errors(401, 403, 404, 502, 503),
        },
      },
    },
    '/api/usage': {
      get: {
        operationId: 'getUsage',
        summary: 'What the caller stores, and uploads today (UTC), against its limits',
        parameters: [query('owner', "Admin keys only: another owner's usage.", { type: 'string' })],
        responses: { '200': ok('Usage', 'The usage.'), ...errors(400, 401, 403, 503) },
      },
    },
    ...KEYS_PATHS,
    ...TRANSFER_PATHS,
    ...UPLOADS_PATHS,
    '/api/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        summary: 'This document',
        security: [],
        responses: { '200': { description: 'The OpenAPI document.', content: { 'application/json': {} } } },
      },
    },
    '/api/docs': {
      get: {
        operationId: 'getApiDocs',
        summary: 'This document as a readable page',
        security: [],
        responses: { '200': { description: 'The page.', content: { 'text/html': {} } } },
      },
    },
  },
  webhooks: WEBHOOKS,
  components: {
    securitySchemes: {
      accessKey: {
        type: 'http',
        scheme: 'bearer',
        description: 'An access key (`Authorization: Bearer <key>`).',
      },
    },
    responses: Object.fromEntries(
      [400, 401, 403, 404, 409, 413, 502, 503].map((status) => [`E${status}`, error]),
    ),
    schemas: {
      ...TRANSFER_SCHEMAS,
      ...UPLOADS_SCHEMAS,
      ...WEBHOOK_SCHEMAS,
      PrivacyRequest: {
        type: 'object',
        required: ['private'],
        additionalProperties: false,
        properties: {
          private: { type: 'boolean', description: 'true: only signed links open it; false: public.' },
        },
      },
      File: {
        type: 'object',
        required: [
          'key',
          'owner',
          'filename',
          'size',
          'hash',
          'contentType',
          'width',
          'height',
          'createdAt',
          'requestId',
          'deleteToken',
          'url',
          'private',
        ],
        additionalProperties: false,
        properties: {
          key: { type: 'string' },
          owner: { type: ['string', 'null'], description: 'null for objects another tool wrote.' },
          filename: { type: 'string' },
          size: { type: 'integer', minimum: 0 },
          hash: { type: ['string', 'null'], pattern: '^[a-z0-9]+:[0-9a-f]+$' },
          contentType: { type: 'string' },
          width: { type: ['integer', 'null'] },
          height: { type: ['integer', 'null'] },
          createdAt: { type: 'string', format: 'date-time' },
          requestId: { type: ['string', 'null'] },
          deleteToken: { enum: ['issued', 'none'] },
          url: {
            type: ['string', 'null'],
            description: 'null for a private file: POST /api/links signs one.',
          },
          thumbnail: {
            type: 'string',
            description:
              "The smallest thumbnail's URL (WebP), for an image when the server makes thumbnails (BYTEDROP_THUMBNAILS). Absent for other files, when thumbnails are off, for an image whose recorded size is over the thumbnails' pixel bound (none is ever made of it), and for a private file (nothing public may point into the private prefix). It answers 404 until the thumbnail is made, shortly after the upload.",
          },
          private: {
            type: 'boolean',
            description: 'Stored under the private prefix: reachable through signed links only.',
          },
        },
      },
      FilePage: {
        type: 'object',
        required: ['success', 'files', 'next', 'total'],
        additionalProperties: false,
        properties: {
          success: { const: true },
          files: { type: 'array', items: { $ref: '#/components/schemas/File' } },
          next: { type: ['string', 'null'], description: 'The cursor of the next page; null on the last.' },
          total: {
            type: 'object',
            required: ['count', 'bytes'],
            additionalProperties: false,
            properties: { count: { type: 'integer' }, bytes: { type: 'integer' } },
          },
        },
      },
      FileAnswer: {
        type: 'object',
        required: ['success', 'file'],
        additionalProperties: false,
        properties: { success: { const: true }, file: { $ref: '#/components/schemas/File' } },
      },
      Deleted: {
        type: 'object',
        required: ['success', 'msg', 'key'],
        additionalProperties: false,
        properties: { success: { const: true }, msg: { const: 'deleted' }, key: { type: 'string' } },
      },
      Usage: {
        type: 'object',
        required: ['success', 'owner', 'files', 'bytes', 'uploadsToday', 'limits'],
        additionalProperties: false,
        properties: {
          success: { const: true },
          owner: { type: 'string' },
          files: { type: 'integer' },
          bytes: { type: 'integer' },
          uploadsToday: { type: 'integer' },
          limits: {
            type: 'object',
            description: "The key's storage quota and upload rates; null where there is no limit.",
            required: ['files', 'bytes', 'uploadsPerHour', 'uploadsPerDay'],
            additionalProperties: false,
            properties: {
              files: { type: ['integer', 'null'] },
              bytes: { type: ['integer', 'null'] },
              uploadsPerHour: { type: ['integer', 'null'] },
              uploadsPerDay: { type: ['integer', 'null'] },
            },
          },
        },
      },
      ...KEYS_SCHEMAS,
      Error: {
        type: 'object',
        required: ['success', 'msg', 'code'],
        properties: {
          success: { const: false },
          msg: { type: 'string' },
          code: { type: 'string', pattern: '^ERR_' },
          requestId: { type: 'string' },
        },
      },
    },
  },
} as const;
