/**
 * s3rver through the project's test harness (SigV4 verified, multipart extensions), in a child process of its
 * own, so its CPU never counts as the client's. Sends `{ port }` over IPC once listening; answers 'usage'
 * with its RSS and CPU time and 'requests' with the methods it received since the last ask (`unchecked <METHOD>`
 * for keys under unchecked/, and so on for each peer's prefix: `_peers.mjs`).
 */
import { startS3rver } from '../../packages/core/test/_setup/s3rver.js';
import { countedAs } from './_peers.mjs';

/** This process's RSS (bytes) and CPU time (user + system, ms) so far. */
function usage(): { rss: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  return { rss: process.memoryUsage().rss, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const harness = await startS3rver({ buckets: ['bytedrop-bench'] });
process.send?.({ port: harness.port });
process.on('message', (message) => {
  if (message === 'usage') process.send?.({ usage: usage() });
  if (message === 'requests') {
    const methods: Record<string, number> = {};
    for (const request of harness.requests) {
      // The bench's peers write under prefixes of their own: counted apart from Bytedrop's.
      const path = decodeURIComponent(new URL(request.url, 'http://s3rver').pathname);
      const counted = countedAs(request.method, path.replace(/^\/bytedrop-bench\//, ''));
      methods[counted] = (methods[counted] ?? 0) + 1;
    }
    harness.requests.length = 0;
    process.send?.({ requests: methods });
  }
});
process.on('disconnect', () => {
  harness.dispose().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
