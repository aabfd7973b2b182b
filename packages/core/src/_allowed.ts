/**
 * The `allowedTypes` check of the upload pipeline. It runs on the sniffed type, right after sniffing and before
 * hashing or any request, so a refused file costs one read of its first bytes and leaves nothing behind.
 */
import { BytedropError } from './errors';
import { typeMatches } from './sniff';

/** Throws `ERR_UNSUPPORTED_TYPE` naming the file, its sniffed type and the list, unless the list allows the type. */
export function assertAllowedType(
  filename: string,
  contentType: string,
  allowedTypes: readonly string[] | undefined,
): void {
  if (allowedTypes === undefined || typeMatches(contentType, allowedTypes)) return;
  const allowed = allowedTypes.length === 0 ? 'none (an empty list)' : allowedTypes.join(', ');
  throw new BytedropError(
    'ERR_UNSUPPORTED_TYPE',
    `'${filename}' is ${contentType} (sniffed), which is not an allowed type (allowed: ${allowed}): upload a file of one of those types, or add '${contentType}' to the allowed types`,
  );
}
