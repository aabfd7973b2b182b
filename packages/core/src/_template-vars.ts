/**
 * The key templates' names: the default template, the built-in and caller variables, and S3's key limit.
 */

/**
 * The default key: date folders, the readable name and 64 bits of the content hash, e.g.
 * `2024/05/01/shot-1a2b3c4d5e6f7a8b.png`. 64 bits keep accidental clashes negligible at a billion objects and make a
 * forged one (a different file with the same name and hash prefix) impractical; a clash that happens anyway moves
 * the upload to a longer hash (see `KeyTemplate.candidates`), it never replaces the other file.
 *
 * @example
 * ```ts
 * compileKeyTemplate(DEFAULT_KEY_TEMPLATE).render({ filename: 'a.png', ext: 'png', contentType: 'image/png', hash });
 * // '2024/05/01/a-1a2b3c4d5e6f7a8b.png'
 * ```
 */
export const DEFAULT_KEY_TEMPLATE = '{yyyy}/{mm}/{dd}/{name}-{hash:16}.{ext}';

/**
 * Variables hosts commonly supply through `KeyContext.vars`; a template may use them when the caller allows them.
 *
 * @example
 * ```ts
 * compileKeyTemplate('{note}/{name}.{ext}', { variables: CALLER_VARIABLES });
 * ```
 */
export const CALLER_VARIABLES: readonly string[] = ['note', 'doc', 'user', 'folder', 'workspace'];

/**
 * Built-in variables, in the order shown to users. `hash` and `rand` take an optional `:N` length.
 *
 * @example
 * ```ts
 * const help = KEY_VARIABLES.map((name) => `{${name}}`).join(' ');
 * ```
 */
export const KEY_VARIABLES: readonly string[] = [
  'yyyy',
  'mm',
  'dd',
  'hh',
  'mi',
  'ss',
  'timestamp',
  'name',
  'ext',
  'hash',
  'uuid',
  'rand',
  'type',
];

/**
 * S3's key limit, in UTF-8 bytes.
 *
 * @example
 * ```ts
 * new TextEncoder().encode(key).length <= MAX_KEY_BYTES; // true for every rendered key
 * ```
 */
export const MAX_KEY_BYTES = 1024;
