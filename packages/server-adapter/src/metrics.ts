/**
 * What the handler reports for metrics. The handler stays web-standard, so it only calls these hooks; the Node
 * runner's Prometheus implementation (`createPrometheusMetrics`, prom-client) lives in `prometheus.ts`.
 */

/** The result of one stored file. */
export interface StoredFileMetric {
  size: number;
  deduplicated: boolean;
  /** Seconds storage kept this file's upload waiting (its share of the storage timeout's clock). */
  storageSeconds: number;
}

/** Hooks the handler calls; each must be cheap and must not throw. */
export interface ServerMetrics {
  /** An upload request began; call the returned function once it is answered, with its HTTP status. */
  uploadStarted(): (status: number) => void;
  /** One file of an upload was stored. */
  fileStored(file: StoredFileMetric): void;
  /** A request was answered with an error (`code` is the answer's `code`). */
  failed(code: string, status: number): void;
  /** A wrong key was the client's last try: it is banned now. */
  banned(): void;
  /** A banned client was refused. */
  refusedBanned(): void;
  /** Seconds a storage health probe took. */
  storageChecked(seconds: number, ok: boolean): void;
  /** The exposition for `GET /metrics`. */
  render(): Promise<{ contentType: string; body: string }>;
}

/** Metrics that record nothing, for a handler without `metrics`. */
export const NO_METRICS: ServerMetrics = {
  uploadStarted: () => () => undefined,
  fileStored() {},
  failed() {},
  banned() {},
  refusedBanned() {},
  storageChecked() {},
  render: async () => ({ contentType: 'text/plain', body: '' }),
};
