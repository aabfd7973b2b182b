/**
 * Internal: the link formats `bytedrop upload` offers, apart from the command itself so that the help text can
 * list them without loading the upload path (and the AWS SDK with it).
 */

/**
 * Link formats the CLI offers (`custom` needs a template, which the CLI does not take).
 *
 * @example
 * ```ts
 * CLI_FORMATS.includes('markdown'); // true
 * ```
 */
export const CLI_FORMATS = ['url', 'markdown', 'html'] as const;
