/**
 * The OpenAPI paths and schemas of `/api/keys` (managed keys, admin scope), merged into the document by `_openapi.ts`.
 */
import { MAX_EXPIRY_DAYS } from './_key-params';
import { SCOPES } from './catalog/keys';

const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [String(status), { $ref: `#/components/responses/E${status}` }]),
  );

const ok = (ref: string, description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});

const nameParameter = {
  name: 'name',
  in: 'path',
  required: true,
  description: 'The key name, percent-encoded.',
  schema: { type: 'string' },
};

const count = { type: 'integer', minimum: 1 };
const nullable = (type: string) => ({ type: [type, 'null'] });

export const KEYS_PATHS = {
  '/api/keys': {
    get: {
      operationId: 'listKeys',
      summary: 'Every access key, revoked and expired ones included (admin scope); never their secrets',
      responses: { '200': ok('KeyList', 'The keys.'), ...errors(401, 403, 503) },
    },
    post: {
      operationId: 'addKey',
      summary: 'Adds a managed key (admin scope); its secret is in this answer only',
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/NewKey' } } },
      },
      responses: {
        '201': ok('KeySecret', 'The key and its secret.'),
        ...errors(400, 401, 403, 409, 413, 503),
      },
    },
  },
  '/api/keys/{name}': {
    parameters: [nameParameter],
    delete: {
      operationId: 'revokeKey',
      summary: 'Revokes a managed key: it is answered 401 from now on (admin scope)',
      responses: { '200': ok('Revoked', 'The revoked key.'), ...errors(400, 401, 403, 404, 409, 503) },
    },
  },
  '/api/keys/{name}/rotate': {
    parameters: [nameParameter],
    post: {
      operationId: 'rotateKey',
      summary: 'Gives a managed key a new secret; the old one stops working at once (admin scope)',
      responses: {
        '200': ok('KeySecret', 'The key and its new secret.'),
        ...errors(400, 401, 403, 404, 409, 503),
      },
    },
  },
};

export const KEYS_SCHEMAS = {
  NewKey: {
    type: 'object',
    required: ['name'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$' },
      prefix: {
        type: 'string',
        maxLength: 256,
        description: 'Folder every upload goes under, e.g. `alice/`.',
      },
      scopes: {
        type: 'array',
        minItems: 1,
        items: { enum: SCOPES },
        description: 'Default: upload, delete-own, list-own.',
      },
      quotaBytes: {
        type: ['integer', 'string'],
        description: 'Bytes it may store in all: a number, or a size like `5GB` or `1TiB`.',
      },
      quotaFiles: { ...count, description: 'Files it may store in all.' },
      uploadsPerHour: count,
      uploadsPerDay: count,
      expires: {
        type: 'string',
        description: `A duration (\`12h\`, \`30d\`, \`2w\`) or an ISO date; at most ${MAX_EXPIRY_DAYS} days ahead.`,
      },
    },
  },
  Key: {
    type: 'object',
    required: [
      'name',
      'prefix',
      'scopes',
      'quota',
      'rates',
      'expiresAt',
      'createdAt',
      'revokedAt',
      'source',
      'status',
    ],
    additionalProperties: false,
    properties: {
      name: { type: 'string' },
      prefix: nullable('string'),
      scopes: { type: 'array', items: { enum: SCOPES } },
      quota: {
        type: 'object',
        required: ['bytes', 'files'],
        additionalProperties: false,
        properties: { bytes: nullable('integer'), files: nullable('integer') },
      },
      rates: {
        type: 'object',
        required: ['perHour', 'perDay'],
        additionalProperties: false,
        properties: { perHour: nullable('integer'), perDay: nullable('integer') },
      },
      expiresAt: { type: ['string', 'null'], format: 'date-time' },
      createdAt: { type: 'string', format: 'date-time' },
      revokedAt: { type: ['string', 'null'], format: 'date-time' },
      source: { enum: ['config', 'managed'], description: '`config`: from the keys file or AUTH_KEY.' },
      status: { enum: ['active', 'revoked', 'expired'] },
    },
  },
  KeyList: {
    type: 'object',
    required: ['success', 'keys'],
    additionalProperties: false,
    properties: {
      success: { const: true },
      keys: { type: 'array', items: { $ref: '#/components/schemas/Key' } },
    },
  },
  KeySecret: {
    type: 'object',
    required: ['success', 'key', 'secret'],
    additionalProperties: false,
    properties: {
      success: { const: true },
      key: { $ref: '#/components/schemas/Key' },
      secret: { type: 'string', description: 'Shown once: only its SHA-256 is stored.' },
    },
  },
  Revoked: {
    type: 'object',
    required: ['success', 'msg', 'key'],
    additionalProperties: false,
    properties: {
      success: { const: true },
      msg: { const: 'revoked' },
      key: { $ref: '#/components/schemas/Key' },
    },
  },
};
