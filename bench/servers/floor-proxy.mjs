/**
 * The endpoint section's floor: the least any proxying upload server must do for one upload. It receives the
 * request body, takes its SHA-256 and PUTs the same bytes to the S3 server with one plain `http.request` (keep-alive,
 * unsigned: s3rver and the sink accept anonymous writes) — no SDK, no HEAD, no multipart parsing, no key template.
 * Its throughput against "direct" is the ceiling a real server's ratio can approach on this machine.
 *
 * Same IPC protocol as endpoint.mjs: sends `{ port }` once listening, answers 'usage'. Usage (forked):
 * node floor-proxy.mjs '<{ endpoint, bucket } json>'.
 */
import { createHash } from 'node:crypto';
import { Agent, createServer, request } from 'node:http';

const [targetJson] = process.argv.slice(2);
const { endpoint, bucket } = JSON.parse(targetJson);
const agent = new Agent({ keepAlive: true });
let uploads = 0;

function answer(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

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
    const digest = hash.digest('hex');
    const key = `floor/${uploads++}-${digest.slice(0, 16)}.png`;
    const forward = request(
      `${endpoint}/${bucket}/${key}`,
      { method: 'PUT', agent, headers: { 'content-length': size, 'content-type': 'image/png' } },
      (upstream) => {
        upstream.resume();
        upstream.on('end', () =>
          upstream.statusCode === 200
            ? answer(res, 200, { success: true, key })
            : answer(res, 502, { success: false, msg: `S3 answered ${upstream.statusCode}` }),
        );
      },
    );
    forward.on('error', (error) => answer(res, 502, { success: false, msg: String(error) }));
    for (const chunk of chunks) forward.write(chunk);
    forward.end();
  });
});

server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('message', (message) => {
  if (message !== 'usage') return;
  const cpu = process.cpuUsage();
  process.send?.({ usage: { rss: process.memoryUsage().rss, cpuMs: (cpu.user + cpu.system) / 1000 } });
});
process.on('disconnect', () => process.exit(0));
