/**
 * `bytedrop hash <file>`: the content hash Bytedrop would put in keys, as bare lowercase hex (same digest as
 * `openssl dgst -sha256` / `sha256sum`), so scripts can predict and check keys.
 */
import { hashBody } from '../../hash';
import type { HashAlgorithm } from '../../types';
import { openFileBlob } from '../_file-blob';
import { statFile } from '../_stat';
import { type CliIO, printError, userPath } from './_io';

const ALGORITHMS: readonly HashAlgorithm[] = ['sha256', 'md5'];

/**
 * Runs `bytedrop hash`; resolves to the exit code. Prints the bare hex digest, or with `json` one line
 * `{"file","algorithm","hash","size"}`.
 *
 * @example
 * ```ts
 * await hashCommand('shot.png', { algorithm: 'md5' }, io); // stdout: '5d41402abc4b2a76b9719d911017c592\n'
 * ```
 */
export async function hashCommand(
  file: string,
  options: { algorithm?: string; json?: boolean },
  io: CliIO,
): Promise<number> {
  const algorithm = (options.algorithm ?? 'sha256').toLowerCase() as HashAlgorithm;
  if (!ALGORITHMS.includes(algorithm)) {
    printError(io, `--algorithm '${options.algorithm}' is not supported: use ${ALGORITHMS.join(' or ')}`);
    return 2;
  }
  const path = userPath(io, file);
  const stats = await statFile(path, file);
  // A file-backed Blob streams the file; a multi-GB file never sits in memory.
  const { hash } = await hashBody(await openFileBlob(path, stats), algorithm);
  io.stdout.write(
    options.json ? `${JSON.stringify({ file, algorithm, hash, size: stats.size })}\n` : `${hash}\n`,
  );
  return 0;
}
