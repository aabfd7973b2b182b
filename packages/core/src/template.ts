/**
 * Object-key templates: compiled once (so a typo fails at settings time, not at paste time), rendered per upload.
 * One regex finds `{variable}`s and a map resolves them, in the style of VS Code's markdown copyFiles destinations.
 * Every rendered key is made safe whatever the template, filename or caller variables contain.
 */

import { callerValue, pad, randomString, safePath, uuid, withSuffix } from './_key-parts';
import { parseKeyTemplate, type Token } from './_template-parse';
import { MAX_KEY_BYTES } from './_template-vars';
import { BytedropError } from './errors';
import { sanitizeFilename, truncateUtf8, utf8Length } from './filename';

export { CALLER_VARIABLES, DEFAULT_KEY_TEMPLATE, KEY_VARIABLES, MAX_KEY_BYTES } from './_template-vars';

/** Hex characters a hash grows by on each clash, before the whole digest is used and a suffix is needed. */
const HASH_STEP = 8;

/**
 * What a key is rendered from.
 *
 * @example
 * ```ts
 * const context: KeyContext = { filename: 'shot.png', ext: 'png', contentType: 'image/png', hash, vars: { note: 'Daily' } };
 * ```
 */
export interface KeyContext {
  /** The original filename; sanitised here (last segment, slugged). */
  filename: string;
  /** The sniffed extension; used when the filename has none or is a clipboard name. */
  ext: string;
  /** Full lowercase hex digest; required when the template uses `{hash}`. */
  hash?: string;
  contentType: string;
  /** The upload time; defaults to now. Date variables use the LOCAL time zone, like PicGo. */
  date?: Date;
  /** Values of caller variables (`{note}`, `{folder}`, …). `/` in them makes folders; `..` never survives. */
  vars?: Record<string, string>;
  /** A folder put before the key (per-key or per-note prefixes), sanitised and counted in the 1024-byte limit. */
  prefix?: string;
}

/**
 * A compiled key template.
 *
 * @example
 * ```ts
 * const template = compileKeyTemplate(config.keyTemplate);
 * if (template.usesHash) await hashBody(body);
 * ```
 */
export interface KeyTemplate {
  readonly source: string;
  /** True when the key contains the content hash, so an existing object with that key is the same content. */
  readonly usesHash: boolean;
  /** Names of the variables the template uses, in order of first use. */
  readonly variables: readonly string[];
  /** The key for `context` (the first of its candidates). */
  render(context: KeyContext): string;
  /**
   * The keys an upload may take, in order of preference: `keys(0)` is `render(context)`, and each later one is tried
   * when the one before already holds other bytes. With `{hash:N}` each attempt lengthens every hash by 8 characters
   * up to the whole digest; after that (and at once for templates without `{hash}`) a numbered suffix goes before the
   * extension: `shot-1.png`, `shot-2.png`. The date and random values are drawn once, so the same attempt always
   * gives the same key: a second upload of the same bytes walks the same keys and finds its object again.
   */
  candidates(context: KeyContext): (attempt: number) => string;
}

/**
 * Compiles a key template. Throws `ERR_TEMPLATE` naming an unknown variable and listing the valid ones.
 * Caller variables (`{note}`, `{folder}`, …) are allowed only when listed in `options.variables`.
 *
 * Variables: `{yyyy} {mm} {dd} {hh} {mi} {ss}` (local time of `context.date`), `{timestamp}` (milliseconds since
 * the epoch), `{name}` (sanitised filename without extension), `{ext}` (lower-case, sniffed for clipboard names),
 * `{hash}` / `{hash:N}` (content hash, first N hex chars), `{uuid}`, `{rand:N}` (N random `[a-z0-9]`, default 8),
 * `{type}` (top-level media type, e.g. `image`).
 *
 * @example
 * ```ts
 * const template = compileKeyTemplate('{folder}/{name}-{hash:8}.{ext}', { variables: ['folder'] });
 * template.render({ filename: 'Shot 1.PNG', ext: 'png', contentType: 'image/png', hash: 'ba7816bf8f01cfea', vars: { folder: 'notes/daily' } });
 * // 'notes/daily/Shot-1-ba7816bf.png'
 * compileKeyTemplate('{yyyy}/{nmae}'); // throws ERR_TEMPLATE: unknown variable {nmae} …
 * ```
 */
export function compileKeyTemplate(
  template: string,
  options?: { variables?: readonly string[] },
): KeyTemplate {
  const allowed = options?.variables ?? [];
  const parts = parseKeyTemplate(template, allowed);
  const tokens = parts.filter((part): part is Token => typeof part !== 'string');
  const usesHash = tokens.some((token) => token.name === 'hash');
  const nameCount = tokens.filter((token) => token.name === 'name').length;
  const variables = [...new Set(tokens.map((token) => token.name))];

  /** The hash characters and suffix number of one attempt (see `candidates`). */
  function attemptShape(attempt: number, full: number): { grow: number; suffix: number } {
    const lengths = tokens.filter((token) => token.name === 'hash').map((token) => token.length ?? full);
    const steps = Math.max(0, ...lengths.map((length) => Math.ceil(Math.max(0, full - length) / HASH_STEP)));
    return { grow: Math.min(attempt, steps) * HASH_STEP, suffix: Math.max(0, attempt - steps) };
  }

  function render(context: KeyContext): string {
    return candidates(context)(0);
  }

  function candidates(context: KeyContext): (attempt: number) => string {
    const file = sanitizeFilename(context.filename);
    const sniffedExt = (context.ext ?? '')
      .toLowerCase()
      .normalize('NFC')
      .replace(/[^\p{L}\p{N}]/gu, '');
    const ext = file.ext !== '' && !file.clipboard ? file.ext : sniffedExt || file.ext;
    if (usesHash && !context.hash) {
      throw new BytedropError(
        'ERR_INPUT',
        `key template '${template}' uses {hash} but no hash was given: hash the body first (hashBody) and pass context.hash`,
      );
    }
    const hash = (context.hash ?? '').toLowerCase();
    const date = context.date ?? new Date();
    const fixed: Record<string, string> = {
      yyyy: pad(date.getFullYear(), 4),
      mm: pad(date.getMonth() + 1),
      dd: pad(date.getDate()),
      hh: pad(date.getHours()),
      mi: pad(date.getMinutes()),
      ss: pad(date.getSeconds()),
      timestamp: String(date.getTime()),
      ext,
      type: (context.contentType ?? '').split('/')[0]?.trim().toLowerCase() || 'application',
    };
    // Random values are drawn once, so a template that repeats {uuid} or {rand} stays self-consistent and every
    // attempt of one upload shares them.
    const random = new Map<string, string>();
    const resolve = (token: Token, name: string, grow: number): string => {
      switch (token.name) {
        case 'name':
          return name;
        case 'hash':
          return token.length === undefined ? hash : hash.slice(0, token.length + grow);
        case 'uuid':
        case 'rand': {
          const id = `${token.name}:${token.length ?? ''}`;
          let value = random.get(id);
          if (value === undefined) {
            value = token.name === 'uuid' ? uuid() : randomString(token.length ?? 8);
            random.set(id, value);
          }
          return value;
        }
        default:
          return fixed[token.name] ?? callerValue(context.vars?.[token.name]);
      }
    };
    const prefix = context.prefix ? `${callerValue(context.prefix)}/` : '';
    return (attempt) => {
      const { grow, suffix } = attemptShape(attempt, hash.length);
      const assemble = (name: string) =>
        withSuffix(
          safePath(
            prefix +
              parts.map((part) => (typeof part === 'string' ? part : resolve(part, name, grow))).join(''),
          ),
          suffix,
        );
      return fitKey(assemble, file.name, context.filename);
    };
  }

  /** The key `assemble` makes, with only the name shortened when it is over S3's limit. */
  function fitKey(assemble: (name: string) => string, fileName: string, filename: string): string {
    let name = fileName;
    let key = assemble(name);
    // Over the S3 limit: shorten only the name, so date folders, hash and extension survive.
    while (utf8Length(key) > MAX_KEY_BYTES && nameCount > 0 && name !== '') {
      const excess = Math.ceil((utf8Length(key) - MAX_KEY_BYTES) / nameCount);
      name = truncateUtf8(name, Math.max(0, utf8Length(name) - excess));
      key = assemble(name);
    }
    if (utf8Length(key) > MAX_KEY_BYTES) {
      throw new BytedropError(
        'ERR_TEMPLATE',
        `key template '${template}' renders ${utf8Length(key)} bytes even without the filename; S3 allows ${MAX_KEY_BYTES}: shorten the template, the prefix or the variable values`,
      );
    }
    if (key === '') {
      throw new BytedropError(
        'ERR_TEMPLATE',
        `key template '${template}' rendered an empty key for '${filename}': include {name}, {hash} or {uuid}`,
      );
    }
    return key;
  }

  return { source: template, usesHash, variables, render, candidates };
}
