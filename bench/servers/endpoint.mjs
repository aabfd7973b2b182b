/**
 * @bytedrop/server for the endpoint comparison, in a process of its own so its RSS is its own: core's uploader
 * over the given S3 server, behind the Node runner. Sends `{ port }` over IPC once listening and answers 'usage'
 * with its RSS, CPU time and live memory after a GC; with BYTEDROP_BENCH_CATALOG set, with a SQLite catalog. Usage (forked): node endpoint.mjs '<bytedrop config json>' <access key>
 * [<largest file in MiB>]. With BYTEDROP_BENCH_ENFORCED=1 (the sink and radosgw, which refuse a create-only PUT to
 * a taken key with 412; s3rver ignores the header) the store is told so, and the server's uploads PUT first.
 */
// BYTEDROP_BENCH_CORE / BYTEDROP_BENCH_SERVER (module paths) load another build of core's index and the server's
// node entry: bench/probes/endpoint-ab.ts runs a saved build beside the current one.
const { createUploader } = await import(
  process.env.BYTEDROP_BENCH_CORE ?? '../../packages/core/dist/index.js'
);
const { createSqliteCatalog, serve } = await import(
  process.env.BYTEDROP_BENCH_SERVER ?? '../../packages/server-adapter/dist/node.js'
);

/**
 * This process's RSS (bytes) and CPU time (user + system, ms) so far, and — once a full GC has run (the bench starts
 * this process with --expose-gc) — the live JS heap plus external memory: RSS rarely shrinks after a GC, so growth
 * of the live memory is what tells memory kept from pages the allocator holds on to.
 */
function usage() {
  const cpu = process.cpuUsage();
  const rss = process.memoryUsage().rss;
  globalThis.gc?.();
  const { heapUsed, external } = process.memoryUsage();
  return { rss, cpuMs: (cpu.user + cpu.system) / 1000, liveAfterGc: heapUsed + external };
}

const [configJson, accessKey, maxMiB] = process.argv.slice(2);
// With BYTEDROP_BENCH_CATALOG (a file path), every upload is recorded in a SQLite catalog, as `pnpm start` does.
const catalogFile = process.env.BYTEDROP_BENCH_CATALOG;
const catalog = catalogFile ? await createSqliteCatalog({ file: catalogFile }) : undefined;
const server = await serve({
  port: 0,
  hostname: '127.0.0.1',
  uploader: createUploader(
    JSON.parse(configJson),
    process.env.BYTEDROP_BENCH_ENFORCED === '1' ? { conditionalWrites: { enforced: true } } : {},
  ),
  keys: [{ name: 'bench', key: accessKey }],
  secret: 'bytedrop-bench-delete-token-secret',
  ...(catalog ? { catalog } : {}),
  ...(maxMiB ? { maxFileSize: Number(maxMiB) * 2 ** 20 } : {}),
});
process.send?.({ port: server.port });
process.on('message', (message) => {
  if (message === 'usage') process.send?.({ usage: usage() });
});
process.on('disconnect', () => {
  server.close(true).then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
