import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PROGRESS_MIN_BYTES, startProgress } from '../../src/node/cli/_progress';

function terminal(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 80 });
  let written = '';
  stream.on('data', (chunk: Buffer) => {
    written += chunk.toString();
  });
  return { stream, written: () => written };
}

describe('upload progress bar', () => {
  it('is drawn only on a TTY and only for large files', () => {
    expect(startProgress(terminal(false).stream, 'big.bin', PROGRESS_MIN_BYTES * 2)).toBeUndefined();
    expect(startProgress(terminal(true).stream, 'small.png', PROGRESS_MIN_BYTES - 1)).toBeUndefined();
  });

  it('shows the file name and MiB done on the terminal it was given', () => {
    const { stream, written } = terminal(true);
    const bar = startProgress(stream, 'big.bin', 16 * 1024 * 1024);
    expect(bar).toBeDefined();
    bar?.update({ loaded: 8 * 1024 * 1024, total: 16 * 1024 * 1024 });
    bar?.stop();
    expect(written()).toContain('big.bin');
    expect(written()).toMatch(/8\.0\/16\.0 MiB/);
  });
});
