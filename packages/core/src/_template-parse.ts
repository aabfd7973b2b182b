/**
 * Reading a key template: the one regex splits it into literal text and `{variable}` tokens, each checked against
 * the built-in and the caller's variables, so a typo fails when settings are saved with the list of valid names.
 */

import { DEFAULT_KEY_TEMPLATE, KEY_VARIABLES } from './_template-vars';
import { BytedropError } from './errors';

/** A `{variable}` of a template: its name, and the `:N` length `{hash}` and `{rand}` take. */
export interface Token {
  name: string;
  length?: number;
}

/** The one regex: any `{…}` without nested braces. Names and `:N` are validated at compile time. */
const VARIABLE = /\{([^{}]*)\}/g;
const VARIABLE_BODY = /^([A-Za-z][A-Za-z0-9_]*)(?::(\d+))?$/;

function templateError(template: string, problem: string, allowed: readonly string[]): BytedropError {
  const list = [
    ...KEY_VARIABLES.map((name) => (name === 'hash' || name === 'rand' ? `{${name}[:N]}` : `{${name}}`)),
    ...allowed.map((name) => `{${name}}`),
  ];
  return new BytedropError(
    'ERR_TEMPLATE',
    `key template '${template}': ${problem}; valid variables are ${list.join(' ')}`,
  );
}

/** The template's literal text and variable tokens, in order; throws `ERR_TEMPLATE` naming what is wrong. */
export function parseKeyTemplate(template: string, allowed: readonly string[]): (string | Token)[] {
  if (typeof template !== 'string' || template.trim() === '') {
    throw templateError(
      String(template),
      `the template is empty; the default is ${DEFAULT_KEY_TEMPLATE}`,
      allowed,
    );
  }
  for (const name of allowed) {
    if (!VARIABLE_BODY.test(name) || name.includes(':') || KEY_VARIABLES.includes(name)) {
      throw templateError(
        template,
        `caller variable '${name}' is not a plain name or shadows a built-in`,
        [],
      );
    }
  }
  const parts: (string | Token)[] = [];
  let last = 0;
  for (const match of template.matchAll(VARIABLE)) {
    parts.push(template.slice(last, match.index));
    last = match.index + match[0].length;
    const body = VARIABLE_BODY.exec(match[1]!.trim());
    const name = body?.[1];
    if (name === undefined || (!KEY_VARIABLES.includes(name) && !allowed.includes(name))) {
      throw templateError(template, `unknown variable ${match[0]}`, allowed);
    }
    const length = body?.[2] === undefined ? undefined : Number(body[2]);
    if (length !== undefined) {
      if (name !== 'hash' && name !== 'rand') {
        throw templateError(
          template,
          `{${name}} takes no ':N' length (only {hash:N} and {rand:N} do)`,
          allowed,
        );
      }
      if (length < 1 || length > 64) {
        throw templateError(template, `length in ${match[0]} must be from 1 to 64`, allowed);
      }
    }
    parts.push(length === undefined ? { name } : { name, length });
  }
  parts.push(template.slice(last));
  const stray = parts.find((part) => typeof part === 'string' && /[{}]/.test(part));
  if (stray !== undefined) {
    throw templateError(
      template,
      `unbalanced '{' or '}' in '${String(stray)}' (write variables as {name})`,
      allowed,
    );
  }
  return parts;
}
