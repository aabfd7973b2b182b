/**
 * s3rver through the project's test harness (SigV4 verified, multipart extensions), in a child process of its
 * own, so its CPU never counts as the client's. Sends `{ port }` over IPC once listening; answers 'memory'
 * with its RSS and 'requests' with the methods it received since the last ask.
 */
import { startS3rver } from '../../packages/core/test/_setup/s3rver.js';

const harness = await startS3rver({ buckets: ['bytedrop-bench'] });
process.send?.({ port: harness.port });
process.on('message', (message) => {
  if (message === 'memory') process.send?.({ memory: process.memoryUsage().rss });
  if (message === 'requests') {
    const methods: Record<string, number> = {};
    for (const request of harness.requests) methods[request.method] = (methods[request.method] ?? 0) + 1;
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
