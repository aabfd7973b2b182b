/**
 * Webhooks: a signed JSON POST to each configured URL when a file is stored, deleted or moved (made private or public). Signed as Standard Webhooks
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature`: HMAC-SHA256 of `id.timestamp.body`), so receivers verify
 * with that project's libraries in any language. Deliveries run beside the request and never delay or fail it; a
 * failed one is retried with growing delays and, past the last, logged. Redirects are not followed (a 3xx fails the
 * attempt), so a receiver cannot bounce deliveries somewhere else.
 */
import { BytedropError, isBytedropError } from '@bytedrop/core';
import { Webhook } from 'standardwebhooks';
import { privateHostProblem } from './_private-hosts';
import type { Logger } from './types';

/** What happened. */
export type WebhookEventType = 'file.uploaded' | 'file.deleted' | 'file.moved';

/**
 * The file an event is about (an upload sends every field it knows; a delete at least the key and the owner; a move,
 * which is a change of privacy, the file at its new key with `previousKey` and `private`).
 */
export interface WebhookFile {
  key: string;
  /** The access key's name (or JWT subject) that owns the file. */
  owner: string;
  url?: string;
  size?: number;
  hash?: string;
  contentType?: string;
  filename?: string;
  /** The upload found the same bytes already stored. */
  deduplicated?: boolean;
  /** `file.moved`: the key the file had, which no longer holds it. */
  previousKey?: string;
  /** `file.moved`: whether the file is now private (no public URL; only signed links open it). */
  private?: boolean;
}

/** The JSON body of a delivery. */
export interface WebhookPayload {
  type: WebhookEventType;
  /** When it happened (ISO 8601). */
  timestamp: string;
  data: WebhookFile & { requestId?: string };
}

/** Options of `createWebhooks`. */
export interface WebhooksOptions {
  /** Receivers (http or https). */
  urls: readonly string[];
  /** The signing secret, `whsec_` and base64 (at least 24 bytes), as Standard Webhooks libraries take it. */
  secret: string;
  /** Delays before each retry, in ms (default 5 s, 30 s, 2 min, 10 min, 30 min: six attempts in about 43 min). */
  retryDelaysMs?: readonly number[];
  /** How long one attempt may take, in ms (default 10 s). */
  timeoutMs?: number;
  /**
   * Allow receivers on loopback, private and link-local addresses (`WEBHOOK_ALLOW_PRIVATE`). Off by default, so a
   * webhook URL cannot reach services that only trust the server's network.
   */
  allowPrivate?: boolean;
  fetch?: typeof fetch;
  logger?: Logger;
}

/** Sends events to the configured receivers. */
export interface Webhooks {
  /** Queues `type` about `file` for every receiver and returns at once. */
  emit(type: WebhookEventType, file: WebhookFile, requestId?: string): void;
  /** Resolves when every delivery in flight (with its retries) has ended. */
  drain(): Promise<void>;
}

const DEFAULT_DELAYS = [5_000, 30_000, 120_000, 600_000, 1_800_000];

/** The receivers, checked: http(s) URLs, and no private address unless allowed. Throws `ERR_CONFIG` naming one. */
function receivers(urls: readonly string[], allowPrivate: boolean): URL[] {
  return urls.map((raw) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new BytedropError(
        'ERR_CONFIG',
        `webhook URL '${raw}' is not a URL: write it as https://host/path`,
      );
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new BytedropError(
        'ERR_CONFIG',
        `webhook URL '${raw}' is ${url.protocol.slice(0, -1)}, not http(s): webhooks are POSTed over HTTP`,
      );
    }
    const problem = allowPrivate ? undefined : privateHostProblem(url.hostname);
    if (problem) {
      throw new BytedropError(
        'ERR_CONFIG',
        `webhook URL '${raw}' points at ${problem}: use a public receiver, or set WEBHOOK_ALLOW_PRIVATE=true if it is yours`,
      );
    }
    return url;
  });
}

function signer(secret: string): Webhook {
  try {
    const webhook = new Webhook(secret);
    webhook.sign('check', new Date(), '');
    return webhook;
  } catch (error) {
    throw new BytedropError(
      'ERR_CONFIG',
      "the webhook secret is not 'whsec_' followed by base64: make one with `node -e \"console.log('whsec_' + require('crypto').randomBytes(32).toString('base64'))\"`",
      { cause: error },
    );
  }
}

/**
 * Creates the webhook sender; `createHandler({ webhooks })` emits `file.uploaded`, `file.deleted` and `file.moved` through it.
 *
 * @example
 * ```ts
 * import { createHandler, createWebhooks } from '@bytedrop/server';
 *
 * const webhooks = createWebhooks({ urls: ['https://hooks.example.com/bytedrop'], secret: process.env.WEBHOOK_SECRET! });
 * const handler = createHandler({ uploader, keys, secret, webhooks });
 * // On shutdown: await webhooks.drain();
 * ```
 */
export function createWebhooks(options: WebhooksOptions): Webhooks {
  const targets = receivers(options.urls, options.allowPrivate === true);
  const webhook = signer(options.secret);
  const delays = options.retryDelaysMs ?? DEFAULT_DELAYS;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const send = options.fetch ?? globalThis.fetch.bind(globalThis);
  const inFlight = new Set<Promise<void>>();

  const wait = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

  /** One POST; resolves to why it failed, or undefined when the receiver answered 2xx. */
  async function attempt(url: URL, id: string, body: string): Promise<string | undefined> {
    const controller = new AbortController();
    // A plain timer (not AbortSignal.timeout), so the tests' fake clock drives it too.
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const now = new Date();
      const response = await send(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'bytedrop-server',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': webhook.sign(id, now, body),
        },
        body,
        redirect: 'manual',
        signal: controller.signal,
      });
      await response.body?.cancel();
      return response.status >= 200 && response.status < 300 ? undefined : `HTTP ${response.status}`;
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      if (controller.signal.aborted) return `no answer in ${timeoutMs} ms`;
      // A receiver refused at the connection (a private address) says why in full; network errors by their code.
      if (isBytedropError(cause)) return cause.message;
      return String((cause as { code?: unknown } | undefined)?.code ?? (error as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }

  async function deliver(url: URL, id: string, payload: WebhookPayload, body: string): Promise<void> {
    for (let tries = 0; ; tries++) {
      const problem = await attempt(url, id, body);
      if (problem === undefined) return;
      const delay = delays[tries];
      const where = `${url.origin}${url.pathname}`;
      if (delay === undefined) {
        options.logger?.error(
          { webhook: where, event: payload.type, key: payload.data.key, id, attempts: tries + 1, problem },
          'webhook not delivered: the receiver failed every attempt',
        );
        return;
      }
      options.logger?.warn(
        { webhook: where, event: payload.type, id, attempt: tries + 1, problem, retryInMs: delay },
        'webhook delivery failed; retrying',
      );
      await wait(delay);
    }
  }

  return {
    emit(type, file, requestId) {
      const payload: WebhookPayload = {
        type,
        timestamp: new Date().toISOString(),
        data: { ...file, ...(requestId === undefined ? {} : { requestId }) },
      };
      const body = JSON.stringify(payload);
      for (const url of targets) {
        // One id per event and receiver, the same on every retry, so a receiver can drop duplicates.
        const id = `msg_${crypto.randomUUID()}`;
        const delivery = deliver(url, id, payload, body).finally(() => inFlight.delete(delivery));
        inFlight.add(delivery);
      }
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}
