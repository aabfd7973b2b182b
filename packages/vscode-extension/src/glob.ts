/**
 * The small glob dialect of `markdown.copyFiles.destination` keys: `**`, `*`, `?`, `{a,b}` and `[…]`, matched
 * against a whole posix path. VS Code's Markdown extension uses picomatch for this; these keys are short and simple,
 * so a translation to a RegExp avoids bundling a matcher.
 */

/**
 * Translates a glob to an anchored RegExp (`dot: true`, like VS Code's matcher).
 *
 * @example
 * ```ts
 * globToRegExp('**\/docs/*.md').test('/ws/docs/a.md'); // true
 * ```
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  let braces = 0;
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index] as string;
    if (char === '*' && glob[index + 1] === '*') {
      // `**/` matches any number of folders, including none; a trailing `**` anything.
      const slash = glob[index + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      index += slash ? 2 : 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '{') {
      braces++;
      source += '(?:';
    } else if (char === '}' && braces > 0) {
      braces--;
      source += ')';
    } else if (char === ',' && braces > 0) source += '|';
    else if (char === '[') {
      const end = glob.indexOf(']', index + 1);
      if (end === -1) source += '\\[';
      else {
        source += `[${glob
          .slice(index + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        index = end;
      }
    } else source += char.replace(/[.+^$()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
