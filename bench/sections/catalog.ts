/**
 * 9. Catalog: `GET /api/files` with 100,000 files in the catalog (10 owners), SQLite (a file, WAL) and PostgreSQL (a
 * throwaway cluster, fsync off like the test's), through the real handler in this process. Each request is a page
 * of 100 with the totals of the filtered set. Rows: an owner's first page, an admin's (every owner's), a name
 * search, and a page 50 pages deep through the cursor. The peer is the other dialect in the same run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type BenchContext, BUILT, built, RUN_DIR, root } from '../lib/context.js';
import { fmt, ratio, type SectionResult, type Target, tableLines } from '../lib/report.js';
import { percentile, type Summary, summarize } from '../lib/stats.js';

const OWNERS = 10;
const PAGE = 100;
const REQUESTS = 100;
const KEYS = Array.from({ length: OWNERS }, (_, i) => ({
  name: `owner${i}`,
  key: `bench-catalog-key-${i}-0000`,
}));
const ADMIN = { name: 'admin', key: 'bench-catalog-admin-0000', admin: true };
const TYPES = ['image/png', 'image/jpeg', 'application/pdf', 'text/plain'];

type Catalog = {
  recordMany(files: unknown[]): Promise<number>;
  close(): Promise<void>;
};
type Handler = (request: Request) => Promise<Response>;

interface Row {
  dialect: string;
  query: string;
  p50: Summary;
  p95: Summary;
}

function seedRows(count: number) {
  const t0 = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, i) => ({
    key: `owner${i % OWNERS}/2026/${String(i).padStart(6, '0')}-${(i * 2654435761).toString(16).slice(-8)}.png`,
    owner: `owner${i % OWNERS}`,
    filename: `shot-${i}${i % 97 === 0 ? '-holiday' : ''}.png`,
    size: 1000 + (i % 5000),
    hash: `sha256:${i.toString(16).padStart(64, '0')}`,
    contentType: TYPES[i % TYPES.length],
    width: 800,
    height: 600,
    createdAt: new Date(t0 + i * 60_000),
    requestId: `req-${i}`,
    deleteToken: 'issued',
  }));
}

/** Milliseconds per request over `REQUESTS` sequential requests; `next` may change the URL between them. */
async function timeRequests(handler: Handler, url: () => string, key: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    const response = await handler(new Request(url(), { headers: { authorization: `Bearer ${key}` } }));
    if (response.status !== 200)
      throw new Error(`${url()} answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
    times.push(performance.now() - started);
  }
  return times;
}

/** The cursor `depth` pages into an owner's listing. */
async function cursorAt(handler: Handler, depth: number): Promise<string> {
  let cursor = '';
  for (let page = 0; page < depth; page++) {
    const url = `http://bench.test/api/files?limit=${PAGE}${cursor ? `&cursor=${cursor}` : ''}`;
    const response = await handler(
      new Request(url, { headers: { authorization: `Bearer ${KEYS[0]!.key}` } }),
    );
    cursor = ((await response.json()) as { next: string }).next;
  }
  return cursor;
}

export async function catalogSection(ctx: BenchContext): Promise<SectionResult> {
  const notes: string[] = [];
  const targets: Target[] = [];
  if (!built('server') || !built('serverNode') || !built('core')) {
    return { title: 'Catalog', table: [], targets, notes: ['skipped: the server is not built'], data: null };
  }
  const files = ctx.quick ? 10_000 : 100_000;
  const { createHandler } = await import(BUILT.server);
  const node = await import(BUILT.serverNode);
  const { createUploader } = await import(BUILT.core);
  const { startPostgres } = await import(root('packages/server-adapter/test/_setup/postgres.ts'));
  const dir = await mkdtemp(join(RUN_DIR, 'catalog-'));
  const postgres = await startPostgres();
  const rows: Row[] = [];
  try {
    const dialects: [string, () => Promise<Catalog>][] = [
      ['SQLite', () => node.createSqliteCatalog({ file: join(dir, 'catalog.sqlite') })],
      ['PostgreSQL', () => node.createPostgresCatalog({ url: postgres.url })],
    ];
    const seed = seedRows(files);
    for (const [dialect, open] of dialects) {
      const catalog = await open();
      const started = performance.now();
      await catalog.recordMany(seed);
      ctx.log(
        `catalog: ${files} rows into ${dialect} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      const handler: Handler = createHandler({
        uploader: createUploader({ bucket: 'bench', endpoint: 'http://127.0.0.1:9' }),
        keys: [...KEYS, ADMIN],
        secret: 'bench-catalog-secret-of-thirty-two-chars',
        catalog,
      });
      const deep = await cursorAt(handler, 50);
      const queries: [string, string, string][] = [
        ["an owner's first page", `?limit=${PAGE}`, KEYS[0]!.key],
        ["an admin's first page (all owners)", `?limit=${PAGE}`, ADMIN.key],
        ['name search q=holiday', `?limit=${PAGE}&q=holiday`, KEYS[0]!.key],
        ['type=image/* from a date', `?limit=${PAGE}&type=image/*&from=2026-01-20`, KEYS[0]!.key],
        ['page 51 through the cursor', `?limit=${PAGE}&cursor=${deep}`, KEYS[0]!.key],
      ];
      for (const [name, query, key] of queries) {
        const url = () => `http://bench.test/api/files${query}`;
        await timeRequests(handler, url, key);
        const p50: number[] = [];
        const p95: number[] = [];
        for (let run = 0; run < ctx.runs; run++) {
          const times = await timeRequests(handler, url, key);
          p50.push(percentile(times, 50));
          p95.push(percentile(times, 95));
        }
        rows.push({ dialect, query: name, p50: summarize(p50), p95: summarize(p95) });
      }
      await catalog.close();
    }
  } finally {
    await postgres.dispose();
    await rm(dir, { recursive: true, force: true });
  }
  for (const row of rows) {
    targets.push({
      name: `${row.dialect}: ${row.query}`,
      target: 'p95 < 20 ms',
      measured: `${row.p95.median.toFixed(2)} ms`,
      met: row.p95.median < 20,
    });
  }
  const sqlite = rows.filter((row) => row.dialect === 'SQLite');
  const table = tableLines(
    [
      'query (page of 100)',
      'SQLite p50 ms',
      'SQLite p95 ms',
      'PostgreSQL p50 ms',
      'PostgreSQL p95 ms',
      'PostgreSQL / SQLite (p50)',
    ],
    sqlite.map((row) => {
      const pg = rows.find((other) => other.dialect === 'PostgreSQL' && other.query === row.query);
      return [
        row.query,
        fmt(row.p50),
        fmt(row.p95),
        fmt(pg?.p50),
        fmt(pg?.p95),
        ratio(pg?.p50.median ?? Number.NaN, row.p50.median),
      ];
    }),
  );
  notes.push(
    `${files.toLocaleString('en')} files, ${OWNERS} owners; each figure is the median (min–max) over ${ctx.runs} runs of ${REQUESTS} sequential requests through createHandler in this process, totals (count, bytes) included.`,
  );
  return { title: 'Catalog: GET /api/files', table, targets, notes, data: rows };
}
