/**
 * The OpenAPI 3.1 `webhooks` of the document: the signed events the server POSTs to `WEBHOOK_URLS` (`webhooks.ts`).
 * Spread into the document by `_openapi.ts`; a test checks the events the handler sends against these schemas.
 */

const event = (type: string, summary: string, description: string) => ({
  post: {
    operationId: `webhook${type
      .split('.')
      .map((part) => part[0]!.toUpperCase() + part.slice(1))
      .join('')}`,
    summary,
    description: `${description} Signed as Standard Webhooks (\`webhook-id\`, \`webhook-timestamp\`, \`webhook-signature\`); retried with the same \`webhook-id\` until a 2xx.`,
    security: [],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/WebhookEvent' },
              { type: 'object', properties: { type: { const: type } } },
            ],
          },
        },
      },
    },
    responses: { '200': { description: 'Any 2xx ends the retries.' } },
  },
});

export const WEBHOOKS = {
  'file.uploaded': event(
    'file.uploaded',
    'A file was stored',
    'Once per upload, with every field the upload knows; `deduplicated` when the same bytes were stored already.',
  ),
  'file.deleted': event(
    'file.deleted',
    'A file was deleted',
    'By its delete URL or `DELETE /api/files/{key}`: at least `key` and `owner`.',
  ),
  'file.moved': event(
    'file.moved',
    'A file was made private or public',
    '`PATCH /api/files/{key}` moved it to another key: `data` is the file at its new key, with `previousKey` (which no longer holds it) and `private`; `url` only when it is now public. One event per move, not a delete and an upload.',
  ),
};

export const WEBHOOK_SCHEMAS = {
  WebhookEvent: {
    type: 'object',
    required: ['type', 'timestamp', 'data'],
    properties: {
      type: { enum: Object.keys(WEBHOOKS) },
      timestamp: { type: 'string', format: 'date-time' },
      data: {
        type: 'object',
        required: ['key', 'owner'],
        additionalProperties: false,
        properties: {
          key: { type: 'string' },
          owner: {
            type: 'string',
            description: "The access key's name (or JWT subject) that owns the file.",
          },
          url: { type: 'string', description: 'Its public URL (not for a private file).' },
          size: { type: 'integer', minimum: 0 },
          hash: { type: 'string', description: 'The content hash, hex.' },
          contentType: { type: 'string' },
          filename: { type: 'string' },
          deduplicated: { type: 'boolean' },
          previousKey: { type: 'string', description: '`file.moved`: the key it had.' },
          private: { type: 'boolean', description: '`file.moved`: whether it is private now.' },
          requestId: { type: 'string', description: 'The `X-Request-Id` of the request that did it.' },
        },
      },
    },
  },
};
