import { describe, expect, it } from 'vitest';
import { run } from './_setup/rgw/processes';

// `run` starts the ceph tools that bring radosgw up; an error it lets escape crashes the whole test worker.
describe('radosgw harness: run', () => {
  it('writes its input to the child and resolves to the child’s stdout', async () => {
    await expect(run('cat', [], process.env, 'osd secret')).resolves.toBe('osd secret');
  });

  it('lets the exit status speak when the child exits without reading its input (no EPIPE escapes)', async () => {
    // 4 MiB is far past a pipe's buffer, so the write is still pending when `true` exits and closes the pipe.
    await expect(run('true', [], process.env, 'x'.repeat(4 << 20))).resolves.toBe('');
    await expect(run('false', [], process.env, 'x'.repeat(4 << 20))).rejects.toMatchObject({
      code: 'ERR_RGW_START',
      message: expect.stringContaining('false  exited 1'),
    });
  });

  it('closes a child’s stdin at once when there is no input', async () => {
    // `cat` ends at its stdin's end, where a pipe left open would keep it waiting.
    await expect(run('cat', [], process.env)).resolves.toBe('');
  });
});
