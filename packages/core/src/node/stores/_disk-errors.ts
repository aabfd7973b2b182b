/**
 * Disk failures as `BytedropError`s that say what to do: permissions, a file in the way of a folder, a full disk.
 */
import { BytedropError } from '../../errors';

export function errno(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
}

export function isMissing(error: unknown): boolean {
  const code = errno(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export function isDirectory(error: unknown): boolean {
  return errno(error) === 'EISDIR';
}

export function diskError(error: unknown, action: string, path: string): BytedropError {
  const code = errno(error) ?? 'unknown';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new BytedropError(
      'ERR_FORBIDDEN',
      `cannot ${action} ${path} (${code}): give this process write access to the directory or choose another BYTEDROP_DATA_DIR`,
      { cause: error },
    );
  }
  if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') {
    return new BytedropError(
      'ERR_INPUT',
      `cannot ${action} ${path} (${code}): a file and a folder would share that name; use another key`,
      { cause: error },
    );
  }
  if (code === 'ENOSPC') {
    return new BytedropError(
      'ERR_PROVIDER',
      `cannot ${action} ${path}: the disk is full; free space and retry`,
      {
        cause: error,
      },
    );
  }
  return new BytedropError('ERR_PROVIDER', `cannot ${action} ${path} (${code}): ${String(error)}`, {
    cause: error,
  });
}
