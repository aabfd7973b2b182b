import { vi } from 'vitest';

// The environment points the AWS SDK at a CA bundle; on plain-http loopback (s3rver) it only gets in the way.
delete process.env.AWS_CA_BUNDLE;
// The secret fallbacks are the user's environment, not the tests': each test sets what it needs.
delete process.env.BYTEDROP_SECRET_ACCESS_KEY;
delete process.env.BYTEDROP_SERVER_ACCESS_KEY;

// The extension asks Node about `file:` URIs directly (src/local-fs.ts): Node's disk is the fake's here.
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const fakeDiskStat = (path: string) =>
    (globalThis as { fakeDiskStat?: (path: string) => unknown }).fakeDiskStat?.(path);
  return {
    ...real,
    statSync: ((path: string, options?: Parameters<typeof real.statSync>[1]) =>
      fakeDiskStat(String(path)) ?? real.statSync(path, options)) as typeof real.statSync,
  };
});

// `vi.waitFor` gives up after 1 s by default: on a loaded CI machine an upload through s3rver can take longer to
// settle. The wait still ends as soon as its condition holds; a longer bound only keeps a slow machine from failing.
const waitFor = vi.waitFor.bind(vi);
vi.waitFor = ((callback, options) =>
  waitFor(
    callback,
    typeof options === 'number' ? options : { timeout: 15_000, ...options },
  )) as typeof vi.waitFor;
