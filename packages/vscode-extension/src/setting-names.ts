/**
 * Setting names as the Settings UI shows them ("Bytedrop: Public Base Url"), for messages: a user finds a setting by
 * what the Settings editor calls it, not by its JSON key.
 */

/** Words the Settings editor writes in capitals (VS Code's `knownAcronyms`). */
const ACRONYMS = new Set(['css', 'html', 'scss', 'less', 'json', 'js', 'ts', 'ie', 'id', 'php', 'scm']);

/** VS Code's `wordifyKey`: camelCase to words, the first letter and known acronyms in capitals. */
function wordify(key: string): string {
  return key
    .replace(/\.([a-z0-9])/g, (_, first: string) => ` › ${first.toUpperCase()}`)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]{1,})([A-Z][a-z])/g, '$1 $2')
    .replace(/^[a-z]/g, (first) => first.toUpperCase())
    .replace(/\b\w+\b/g, (word) => (ACRONYMS.has(word.toLowerCase()) ? word.toUpperCase() : word));
}

/**
 * The name the Settings editor shows for a setting key.
 *
 * @example
 * ```ts
 * settingName('bytedrop.publicBaseUrl'); // 'Bytedrop: Public Base Url'
 * settingName('bytedrop.maxFileSizeMB'); // 'Bytedrop: Max File Size MB'
 * ```
 */
export function settingName(key: string): string {
  const dot = key.lastIndexOf('.');
  const category = dot < 0 ? '' : wordify(key.slice(0, dot));
  const label = wordify(key.slice(dot + 1));
  return category ? `${category}: ${label}` : label;
}

/**
 * Names joined for a sentence: "A", "A and B", "A, B and C".
 *
 * @example
 * ```ts
 * listed(['Bytedrop: Bucket', 'Bytedrop: Endpoint']); // 'Bytedrop: Bucket and Bytedrop: Endpoint'
 * ```
 */
export function listed(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
