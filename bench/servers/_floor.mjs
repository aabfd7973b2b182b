/**
 * What the endpoint section's two floors share: each request's body received while its SHA-256 is taken, handed to
 * the floor's `forward`, and the outcome answered as JSON; the server on loopback, speaking the section's IPC (sends
 * `{ port }` once listening, answers 'usage', exits when the bench goes).
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

function answer(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Serves uploads through `forward({ chunks, size, digest })`, which resolves to the key stored (200) or rejects with
 * why the store refused it (502).
 */
export function serveFloor(forward) {
  const server = createServer((req, res) => {
    const chunks = [];
    const hash = createHash('sha256');
    let size = 0;
    req.on('data', (chunk) => {
      hash.update(chunk);
      chunks.push(chunk);
      size += chunk.length;
    });
    req.on('end', () => {
      forward({ chunks, size, digest: hash.digest('hex') }).then(
        (key) => answer(res, 200, { success: true, key }),
        (error) => answer(res, 502, { success: false, msg: String(error?.message ?? error) }),
      );
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
  process.on('message', (message) => {
    if (message !== 'usage') return;
    const cpu = process.cpuUsage();
    process.send?.({ usage: { rss: process.memoryUsage().rss, cpuMs: (cpu.user + cpu.system) / 1000 } });
  });
  process.on('disconnect', () => process.exit(0));
}
