/** One line for a Notice: core's errors already name the failure, the value and the fix. */
import { isBytedropError } from '@bytedrop/core';

export function describeError(error: unknown): string {
  if (isBytedropError(error, 'ERR_ABORTED')) return 'the upload was cancelled';
  if (error instanceof Error) return error.message;
  return String(error);
}
