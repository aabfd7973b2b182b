/**
 * `createPrometheusMetrics`: the handler's metrics as Prometheus counters, histograms and gauges (prom-client), on a
 * registry of their own, so two servers in one process (tests, or an app that embeds the handler) never collide.
 */
import type * as PromClient from 'prom-client';
import type { Registry } from 'prom-client';
import { nodeRequire } from './_node-require';
import type { ServerMetrics } from './metrics';

/** Options of `createPrometheusMetrics`. */
export interface PrometheusMetricsOptions {
  /** Also export the process's CPU, memory, event-loop lag and GC metrics (default true). */
  processMetrics?: boolean;
  /** A registry to add the metrics to (default: a new one). */
  registry?: Registry;
}

/** Prometheus metrics for `serve`/`createHandler`, plus their registry. */
export interface PrometheusMetrics extends ServerMetrics {
  readonly registry: Registry;
}

// From a screenshot on a LAN (tens of ms) to a large file on a slow link (minutes).
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180, 600];
const STORAGE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Creates the server's Prometheus metrics. Pass them as `metrics` and scrape `GET /metrics` with an access key.
 *
 * @example
 * ```ts
 * import { createPrometheusMetrics, serve } from '@bytedrop/server/node';
 *
 * const server = await serve({ uploader, keys, secret, metrics: createPrometheusMetrics() });
 * // curl -H "Authorization: Bearer $KEY" http://localhost:8000/metrics
 * ```
 */
export function createPrometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } = nodeRequire(
    'prom-client',
  ) as typeof PromClient;
  const registry = options.registry ?? new Registry();
  const registers = [registry];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'bytedrop_' });
  const requests = new Histogram({
    name: 'bytedrop_upload_request_duration_seconds',
    help: 'Upload requests (POST /upload, PUT /upload/:name) from arrival to answer, by HTTP status',
    labelNames: ['status'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const inFlight = new Gauge({
    name: 'bytedrop_uploads_in_flight',
    help: 'Upload requests being received or stored right now',
    registers,
  });
  const files = new Counter({
    name: 'bytedrop_uploaded_files_total',
    help: 'Files stored, by whether the bytes were already there (deduplicated) or new',
    labelNames: ['deduplicated'],
    registers,
  });
  const bytes = new Counter({
    name: 'bytedrop_uploaded_bytes_total',
    help: 'Bytes of the files stored (a deduplicated file counts its size, though storage kept one copy)',
    registers,
  });
  const storageWait = new Histogram({
    name: 'bytedrop_storage_wait_seconds',
    help: 'Per stored file, the time storage kept the upload waiting (what STORAGE_TIMEOUT_S measures)',
    buckets: STORAGE_BUCKETS,
    registers,
  });
  const storageCheck = new Histogram({
    name: 'bytedrop_storage_check_duration_seconds',
    help: 'Storage health probes (GET /health), by result',
    labelNames: ['ok'],
    buckets: STORAGE_BUCKETS,
    registers,
  });
  const errors = new Counter({
    name: 'bytedrop_errors_total',
    help: 'Error answers, by error code and HTTP status',
    labelNames: ['code', 'status'],
    registers,
  });
  const bans = new Counter({
    name: 'bytedrop_bans_total',
    help: 'Clients banned after too many wrong access keys',
    registers,
  });
  const refused = new Counter({
    name: 'bytedrop_banned_requests_total',
    help: 'Requests refused because their client is banned',
    registers,
  });

  return {
    registry,
    uploadStarted() {
      inFlight.inc();
      const end = requests.startTimer();
      return (status) => {
        inFlight.dec();
        end({ status: String(status) });
      };
    },
    fileStored(file) {
      files.inc({ deduplicated: String(file.deduplicated) });
      bytes.inc(file.size);
      storageWait.observe(file.storageSeconds);
    },
    failed: (code, status) => errors.inc({ code, status: String(status) }),
    banned: () => bans.inc(),
    refusedBanned: () => refused.inc(),
    storageChecked: (seconds, ok) => storageCheck.observe({ ok: String(ok) }, seconds),
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
