/** The OpenAPI path and schema of `GET /api/uploads` (uploads in flight). Spread into the document by `_openapi.ts`. */

export const UPLOADS_PATHS = {
  '/api/uploads': {
    get: {
      operationId: 'listUploads',
      summary:
        "The caller's uploads in flight (an admin key: everyone's), newest first, with how far each got",
      description:
        'tus uploads not finished yet, partial uploads (`Upload-Concat: partial`) included, and direct S3 multipart uploads (`/s3/multipart`). Expired ones are left out. A catalog outage never loses an upload: the listing catches up with its next chunk.',
      parameters: [
        {
          name: 'owner',
          in: 'query',
          required: false,
          description: "Admin keys only: one owner's uploads.",
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': {
          description: 'The uploads.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/UploadList' } } },
        },
        ...Object.fromEntries(
          [400, 401, 403, 503].map((status) => [
            String(status),
            { $ref: `#/components/responses/E${status}` },
          ]),
        ),
      },
    },
  },
};

const time = { type: 'string', format: 'date-time' };

export const UPLOADS_SCHEMAS = {
  Upload: {
    type: 'object',
    required: ['id', 'kind', 'owner', 'filename', 'length', 'offset', 'createdAt', 'expiresAt', 'url'],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      kind: {
        enum: ['tus', 'tus-partial', 's3'],
        description:
          '`tus-partial`: a piece of a later final upload (tus concatenation); `s3`: a direct multipart upload to S3 (Uppy), its offset what its parts held when last listed.',
      },
      owner: { type: 'string' },
      filename: { type: 'string' },
      length: { type: ['integer', 'null'], description: 'The declared length; null while deferred.' },
      offset: { type: 'integer', description: 'Bytes received and kept.' },
      createdAt: time,
      expiresAt: { ...time, description: 'Past this the upload is removed.' },
      url: {
        type: ['string', 'null'],
        description: 'The tus upload URL (HEAD it to resume, DELETE to end it); null for a direct S3 upload.',
      },
    },
  },
  UploadList: {
    type: 'object',
    required: ['success', 'uploads'],
    additionalProperties: false,
    properties: {
      success: { const: true },
      uploads: { type: 'array', items: { $ref: '#/components/schemas/Upload' } },
    },
  },
};
