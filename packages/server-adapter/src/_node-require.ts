/**
 * `require` for the Node-only parts whose constructors are synchronous (`createPrometheusMetrics`,
 * `createRedisBans`): their CommonJS dependencies load when one is created, not when `@bytedrop/server/node` is
 * imported (prom-client and ioredis cost about 90 and 180 ms of CPU to evaluate, and most servers use neither).
 * An `import` of a CommonJS package goes through this same cache, so a caller's `prom-client` `Registry` is ours.
 */
import { createRequire } from 'node:module';

export const nodeRequire = createRequire(import.meta.url);
