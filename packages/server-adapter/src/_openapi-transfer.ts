/**
 * The OpenAPI paths and schemas of the routes that hand files out or count them: `POST /api/zip`,
 * `POST /api/links` and `GET /api/stats`. Spread into the document by `_openapi.ts`.
 */
import { MAX_LINK_SECONDS } from './_api-links';
import { MAX_TOP } from './_api-stats';
import { MAX_ZIP_FILES } from './_api-zip';

const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [String(status), { $ref: `#/components/responses/E${status}` }]),
  );

const ok = (ref: string, description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});

const jsonBody = (ref: string) => ({
  required: true,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});

const tally = (name: string, schema: Record<string, unknown>) => ({
  type: 'object',
  required: [name, 'files', 'bytes'],
  additionalProperties: false,
  properties: { [name]: schema, files: { type: 'integer' }, bytes: { type: 'integer' } },
});

export const TRANSFER_PATHS = {
  '/api/zip': {
    post: {
      operationId: 'zipFiles',
      summary:
        "One ZIP of the caller's files (an admin key: anyone's), streamed, with its exact Content-Length",
      description:
        'Files are stored uncompressed, so the length is known before the first byte. A file gone from storage (or of another size than the catalog says) when the archive reaches it cuts the stream: the client gets fewer bytes than Content-Length and reports a failed download; the log names the key.',
      requestBody: jsonBody('ZipRequest'),
      responses: {
        '200': {
          description: 'The ZIP.',
          headers: { 'Content-Length': { schema: { type: 'integer' }, description: 'The exact length.' } },
          content: { 'application/zip': { schema: { type: 'string', contentMediaType: 'application/zip' } } },
        },
        ...errors(400, 401, 403, 404, 413, 503),
      },
    },
  },
  '/api/links': {
    post: {
      operationId: 'createLink',
      summary: 'A URL to one of the caller’s files that works without a key until it expires, with Range',
      description:
        'On S3 a presigned GET of the provider (answered directly, no redirect); on local disk an HMAC-signed /f/ URL. An expired or changed local link answers 403.',
      requestBody: jsonBody('LinkRequest'),
      responses: { '200': ok('Link', 'The link.'), ...errors(400, 401, 403, 404, 502, 503) },
    },
  },
  '/api/stats': {
    get: {
      operationId: 'getStats',
      summary: 'Admin keys: uploads and bytes per UTC day, per owner and per type, and the largest files',
      parameters: [
        {
          name: 'from',
          in: 'query',
          required: false,
          description: 'Created at or after (ISO date or time); default 30 days before `to`.',
          schema: { type: 'string' },
        },
        {
          name: 'to',
          in: 'query',
          required: false,
          description: 'Created before (ISO date or time); default the end of today (UTC).',
          schema: { type: 'string' },
        },
        {
          name: 'top',
          in: 'query',
          required: false,
          description: 'Rows in owners, types and largest.',
          schema: { type: 'integer', minimum: 1, maximum: MAX_TOP, default: 10 },
        },
      ],
      responses: { '200': ok('Stats', 'The statistics of the window.'), ...errors(400, 401, 403, 503) },
    },
  },
};

export const TRANSFER_SCHEMAS = {
  ZipRequest: {
    type: 'object',
    description: 'Either keys or prefix.',
    additionalProperties: false,
    properties: {
      keys: {
        type: 'array',
        items: { type: 'string', minLength: 1, maxLength: 1024 },
        minItems: 1,
        maxItems: MAX_ZIP_FILES,
      },
      prefix: {
        type: 'string',
        minLength: 1,
        maxLength: 1024,
        description: `At most ${MAX_ZIP_FILES} files.`,
      },
      name: { type: 'string', pattern: '\\.zip$', description: 'The download name (default bytedrop.zip).' },
    },
  },
  LinkRequest: {
    type: 'object',
    required: ['key', 'expiresIn'],
    additionalProperties: false,
    properties: {
      key: { type: 'string', minLength: 1 },
      expiresIn: { type: 'integer', minimum: 1, maximum: MAX_LINK_SECONDS, description: 'Seconds.' },
      download: { type: 'boolean', description: 'Answer with Content-Disposition: attachment.' },
    },
  },
  Link: {
    type: 'object',
    required: ['success', 'key', 'url', 'expiresAt', 'download'],
    additionalProperties: false,
    properties: {
      success: { const: true },
      key: { type: 'string' },
      url: { type: 'string' },
      expiresAt: { type: 'string', format: 'date-time' },
      download: { type: 'boolean' },
    },
  },
  Stats: {
    type: 'object',
    required: ['success', 'from', 'to', 'totals', 'days', 'owners', 'types', 'largest'],
    additionalProperties: false,
    properties: {
      success: { const: true },
      from: { type: 'string', format: 'date-time' },
      to: { type: 'string', format: 'date-time' },
      totals: {
        type: 'object',
        required: ['files', 'bytes'],
        additionalProperties: false,
        properties: { files: { type: 'integer' }, bytes: { type: 'integer' } },
      },
      days: { type: 'array', items: tally('day', { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }) },
      owners: { type: 'array', items: tally('owner', { type: ['string', 'null'] }) },
      types: { type: 'array', items: tally('contentType', { type: 'string' }) },
      largest: { type: 'array', items: { $ref: '#/components/schemas/File' } },
    },
  },
};
