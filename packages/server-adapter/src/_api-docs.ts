/**
 * `GET /api/docs`: the OpenAPI document as a readable page, rendered on the server from `OPENAPI` (every text
 * escaped). No script and nothing fetched from elsewhere, so it works offline and its CSP allows only inline style.
 */
import { escapeHtml } from './_html';
import { OPENAPI } from './_openapi';

type Node = Record<string, unknown>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Escaped prose; the document's `code` spans (Markdown backticks) become `<code>`. */
const prose = (text: unknown) =>
  typeof text === 'string' ? escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>') : '';

const schemas = OPENAPI.components.schemas as unknown as Record<string, Node>;

/** The name a `$ref` points to (`#/components/schemas/File` → `File`). */
const refName = (ref: unknown) => String(ref).split('/').at(-1)!;

const schemaLink = (ref: unknown) => {
  const name = escapeHtml(refName(ref));
  return `<a href="#schema-${name}">${name}</a>`;
};

/** A one-line type: `string`, `integer | null`, `array of File`, `'issued' | 'none'`. */
function typeOf(schema: Node | undefined): string {
  if (!schema) return '';
  if (schema.$ref) return schemaLink(schema.$ref);
  if ('const' in schema) return `<code>${escapeHtml(JSON.stringify(schema.const))}</code>`;
  if (Array.isArray(schema.enum)) {
    return schema.enum.map((value) => `<code>${escapeHtml(JSON.stringify(value))}</code>`).join(' | ');
  }
  if (Array.isArray(schema.allOf)) return (schema.allOf as Node[]).map(typeOf).join(' and ');
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : String(schema.type ?? 'any');
  if (schema.type === 'array') return `array of ${typeOf(schema.items as Node)}`;
  const limits = ['minimum', 'maximum', 'minLength', 'maxLength', 'maxItems', 'default', 'format']
    .filter((name) => schema[name] !== undefined)
    .map((name) => `${name} ${escapeHtml(String(schema[name]))}`);
  return escapeHtml(type) + (limits.length ? ` <small>(${limits.join(', ')})</small>` : '');
}

/** The properties of an object schema as a list, nested objects (and arrays of them) inside their field. */
function fields(schema: Node | undefined): string {
  if (!schema) return '';
  if (Array.isArray(schema.allOf)) return (schema.allOf as Node[]).map(fields).join('');
  const properties = schema.properties as Record<string, Node> | undefined;
  if (!properties) return '';
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const items = Object.entries(properties).map(([name, property]) => {
    const inner = property.type === 'array' ? (property.items as Node) : property;
    return `<li><code>${escapeHtml(name)}</code>${required.has(name) ? '' : '?'}: ${typeOf(property)}${
      property.description ? ` — ${prose(property.description)}` : ''
    }${inner?.$ref ? '' : fields(inner)}</li>`;
  });
  return `<ul>${items.join('')}</ul>`;
}

/** A body (request or response): its media types and schema, the schema's fields when it is inline. */
function content(body: Node | undefined): string {
  const types = (body?.content ?? {}) as Record<string, { schema?: Node }>;
  return Object.entries(types)
    .map(
      ([type, { schema }]) =>
        `<p><code>${escapeHtml(type)}</code>${schema ? `: ${typeOf(schema)}` : ''}</p>${schema?.$ref ? '' : fields(schema)}`,
    )
    .join('');
}

const resolve = (node: Node) =>
  node.$ref
    ? ((OPENAPI.components.responses as unknown as Record<string, Node>)[refName(node.$ref)] ?? node)
    : node;

function parameters(list: Node[]): string {
  if (!list.length) return '';
  const rows = list.map(
    (parameter) =>
      `<tr><td><code>${escapeHtml(String(parameter.name))}</code>${parameter.required ? '' : '?'}</td><td>${escapeHtml(
        String(parameter.in),
      )}</td><td>${typeOf(parameter.schema as Node)}</td><td>${prose(parameter.description)}</td></tr>`,
  );
  return `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>description</th></tr>${rows.join('')}</table>`;
}

function security(operation: Node): string {
  const required = (operation.security ?? OPENAPI.security) as unknown[];
  return required.length
    ? '<p class="security">Needs an access key: <code>Authorization: Bearer &lt;key&gt;</code></p>'
    : '<p class="security">No key needed.</p>';
}

/** One operation: its method and path, summary, description, security, parameters, body and responses. */
function operation(method: string, path: string, node: Node, shared: Node[]): string {
  const id = escapeHtml(String(node.operationId ?? `${method} ${path}`));
  // Statuses answered alike (the errors, mostly) share one line: "400, 401, 403 The failure: … Error".
  const alike = new Map<string, string[]>();
  for (const [status, raw] of Object.entries((node.responses ?? {}) as Record<string, Node>)) {
    const response = resolve(raw);
    const text = `${prose(response.description)}${content(response)}`;
    alike.set(text, [...(alike.get(text) ?? []), escapeHtml(status)]);
  }
  const responses = [...alike].map(([text, statuses]) => `<li><b>${statuses.join(', ')}</b> ${text}</li>`);
  const body = node.requestBody as Node | undefined;
  return `<section class="op" id="${id}"><h3><span class="method ${escapeHtml(method)}">${escapeHtml(
    method.toUpperCase(),
  )}</span> <code>${escapeHtml(path)}</code></h3><p class="summary">${prose(node.summary)}</p>${
    node.description ? `<p>${prose(node.description)}</p>` : ''
  }${security(node)}${parameters([...shared, ...((node.parameters as Node[] | undefined) ?? [])])}${
    body ? `<h4>Request body</h4>${content(body)}` : ''
  }<h4>Responses</h4><ul>${responses.join('')}</ul></section>`;
}

function operations(items: Record<string, Node>): string[] {
  return Object.entries(items).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) =>
      operation(method, path, item[method] as Node, (item.parameters as Node[] | undefined) ?? []),
    ),
  );
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#222}
code{font:13px ui-monospace,monospace;background:#f3f3f3;padding:0 .2em;border-radius:3px}
.op{border:1px solid #ddd;border-radius:6px;padding:0 1rem;margin:1rem 0}
.method{font:bold 13px ui-monospace,monospace;padding:.1em .4em;border-radius:3px;color:#fff;background:#555}
.get{background:#2a6ebb}.post{background:#2e8540}.patch{background:#a66d00}.delete{background:#b3261e}
.summary{font-weight:600}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left;vertical-align:top}
h4{margin:.8em 0 .2em}small{color:#666}`;

/** The page for the server at `origin`. */
function renderApiDocs(origin: string): string {
  const paths = OPENAPI.paths as unknown as Record<string, Node>;
  const index = Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map(
      (method) =>
        `<li><a href="#${escapeHtml(String((item[method] as Node).operationId))}">${method.toUpperCase()} ${escapeHtml(path)}</a></li>`,
    ),
  );
  const components = Object.entries(schemas).map(
    ([name, schema]) =>
      `<section id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3>${
        schema.description ? `<p>${prose(schema.description)}</p>` : ''
      }${fields(schema) || `<p>${typeOf(schema)}</p>`}</section>`,
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(OPENAPI.info.title)}</title><style>${STYLE}</style></head><body>
<h1>${escapeHtml(OPENAPI.info.title)}</h1><p>${prose(OPENAPI.info.description)}</p>
<p>Server: <code>${escapeHtml(origin)}</code>. The machine-readable document: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI ${escapeHtml(
    OPENAPI.openapi,
  )}). The upload page: <a href="/">/</a>. A field or parameter marked <code>?</code> is optional.</p>
<nav><ul>${index.join('')}</ul></nav>
<section id="operations"><h2>Operations</h2>${operations(paths).join('')}</section>
<section id="webhooks"><h2>Webhooks</h2><p>POSTed to the configured <code>WEBHOOK_URLS</code>.</p>${operations(
    OPENAPI.webhooks as unknown as Record<string, Node>,
  ).join('')}</section>
<section id="schemas"><h2>Schemas</h2>${components.join('')}</section></body></html>`;
}

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/**
 * The docs page answer (no key needed, like the document it renders).
 *
 * @example
 * ```ts
 * if (rest === 'docs') return apiDocsResponse(request, context.origin);
 * ```
 */
export function apiDocsResponse(request: Request, origin: string): Response {
  return new Response(request.method === 'HEAD' ? null : renderApiDocs(origin), { headers: HEADERS });
}
