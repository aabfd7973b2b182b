/**
 * An HTTP proxy between the SDK and a real S3 (radosgw or s3rver) that a test drives: it records every request with
 * its S3 operation and answer, and injects faults a real provider shows only now and then: an error status (500,
 * 503 SlowDown), an answer lost after S3 acted on the request, a request held in flight, an outage.
 *
 * Bodies stream through (never held whole). The Host header is kept, so SigV4 signatures stay valid upstream.
 * Nothing here waits on the clock: a test awaits events (`seen`, `answered`, `hit`, `held`, `clientGone`).
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy(rgw.endpoint);
 * proxy.failWith({ operation: 'UploadPart', partNumber: 3 }, { status: 503, code: 'SlowDown' });
 * const upload = store.put(key, body, options); // through proxy.endpoint
 * await proxy.seen('AbortMultipartUpload');
 * ```
 */
import { EventEmitter } from 'node:events';
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { answerError, forward, type Wire } from './fault-proxy-wire';
import { recognise, type S3Operation, type S3Request } from './s3-operation';

export type { S3Operation } from './s3-operation';

/** What the proxy did with a request. */
export type Outcome = 'forwarded' | 'error' | 'lost-answer' | 'held' | 'client-gone' | 'upstream-failed';

export interface ProxiedRequest extends S3Request {
  /** In arrival order, from 1. */
  id: number;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The status the client got (upstream's or injected); for a lost answer, the one upstream sent. */
  status?: number;
  /** Unset while in flight. */
  outcome?: Outcome;
  /** Body bytes passed on upstream so far. */
  bytesForwarded: number;
}

export interface Match {
  operation?: S3Operation;
  partNumber?: number;
  bucket?: string;
  key?: string | RegExp;
  method?: string;
}

/** Which of the matching requests a fault applies to: the `nth` (from 1) and the `times - 1` after it. */
export interface When {
  nth?: number;
  times?: number;
}

export interface Injection {
  /** Settles with the first request the fault applied to. */
  hit: Promise<ProxiedRequest>;
  /** Stops applying the fault to later requests. */
  remove(): void;
}

export interface Stall extends Injection {
  /** Settles once a request is being held (the same request as `hit`). */
  held: Promise<ProxiedRequest>;
  /** Settles when the client gave up on a held request (closed its connection). */
  clientGone: Promise<ProxiedRequest>;
  /** Forwards the held requests as they are, and holds no more. */
  release(): void;
}

export interface Outage {
  /** Connections reset during a 'reset' outage ('refuse' does not accept them, so it cannot count them). */
  readonly connections: number;
  /** Settles when a client tried to connect during a 'reset' outage. */
  attempted: Promise<void>;
  /** Accepts connections again; with 'refuse', on the same port. */
  end(): Promise<void>;
}

export interface FaultProxy {
  endpoint: string;
  port: number;
  /** Every request since start (a test may clear it with `requests.length = 0`). */
  requests: ProxiedRequest[];
  /** The first request of `operation` matching `match`: one already recorded, else the next to arrive. */
  seen(operation: S3Operation, match?: Omit<Match, 'operation'>): Promise<ProxiedRequest>;
  /** Like `seen`, but once the proxy is done with it (answered, failed, lost or given up). */
  answered(operation: S3Operation, match?: Omit<Match, 'operation'>): Promise<ProxiedRequest>;
  /** Settles once `bytes` of the request's body have gone upstream. */
  forwarded(request: ProxiedRequest, bytes: number): Promise<ProxiedRequest>;
  /** Answers matching requests with `status` and an S3 XML error `code`, after reading their body; S3 never sees them. */
  failWith(match: Match, error: { status: number; code: string; message?: string }, when?: When): Injection;
  /** Forwards matching requests, reads S3's answer, then resets the client's connection: S3 acted, the client never knows. */
  loseAnswer(match: Match, when?: When): Injection;
  /**
   * Holds matching requests (their body unread, so the client blocks) until `release()` or the client gives up
   * (an outage also drops them).
   */
  stall(match: Match, when?: When): Stall;
  /** Drops every open connection and refuses ('refuse') or resets ('reset', default) new ones until `end()`. */
  outage(mode?: 'reset' | 'refuse'): Promise<Outage>;
  /** Forgets requests and faults and ends an outage: a clean proxy for the next test. Held requests stay held. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

type Fault =
  | { kind: 'error'; status: number; code: string; message?: string }
  | { kind: 'lose-answer' }
  | { kind: 'stall' };

interface Rule {
  match: Match;
  fault: Fault;
  first: number;
  last: number;
  count: number;
  removed: boolean;
  onHit(request: ProxiedRequest): void;
  /** A stall's handler of the request it holds. */
  hold?(req: IncomingMessage, res: ServerResponse, record: ProxiedRequest): void;
}

function matches(request: ProxiedRequest, match: Match): boolean {
  if (match.operation !== undefined && request.operation !== match.operation) return false;
  if (match.partNumber !== undefined && request.partNumber !== match.partNumber) return false;
  if (match.bucket !== undefined && request.bucket !== match.bucket) return false;
  if (match.method !== undefined && request.method !== match.method.toUpperCase()) return false;
  if (typeof match.key === 'string' && request.key !== match.key) return false;
  if (match.key instanceof RegExp && !match.key.test(request.key ?? '')) return false;
  return true;
}

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const agent = new Agent({ keepAlive: true });
  const events = new EventEmitter().setMaxListeners(0);
  const requests: ProxiedRequest[] = [];
  const rules: Rule[] = [];
  const sockets = new Set<Socket>();
  let nextId = 1;
  let outage: (Outage & { connections: number; attempt(): void }) | undefined;

  const update = (request: ProxiedRequest) => events.emit('update', request);
  const finish = (request: ProxiedRequest, outcome: Outcome, status?: number) => {
    request.outcome = outcome;
    if (status !== undefined) request.status = status;
    update(request);
  };

  const wire: Wire = { upstream: new URL(upstream), agent, update, finish };

  const until = (predicate: (request: ProxiedRequest) => boolean): Promise<ProxiedRequest> => {
    const found = requests.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const listener = (request: ProxiedRequest) => {
        if (!predicate(request)) return;
        events.off('update', listener);
        resolve(request);
      };
      events.on('update', listener);
    });
  };

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const record: ProxiedRequest = {
      id: nextId++,
      method,
      url,
      headers: req.headers,
      ...recognise(method, url, req.headers),
      bytesForwarded: 0,
    };
    requests.push(record);
    let applied: Rule | undefined;
    for (const rule of rules) {
      if (rule.removed || !matches(record, rule.match)) continue;
      rule.count += 1;
      if (!applied && rule.count >= rule.first && rule.count <= rule.last) applied = rule;
    }
    update(record);
    if (applied) applied.onHit(record);
    const fault = applied?.fault;
    if (fault?.kind === 'error') answerError(wire, req, res, record, fault);
    else if (fault?.kind === 'stall') applied?.hold?.(req, res, record);
    else forward(wire, req, res, record, fault?.kind === 'lose-answer');
  });
  server.on('connection', (socket: Socket) => {
    if (outage) {
      outage.attempt();
      socket.resetAndDestroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(0);

  function addRule(match: Match, fault: Fault, when: When = {}): { rule: Rule; injection: Injection } {
    const first = when.nth ?? 1;
    const hit = deferred<ProxiedRequest>();
    const rule: Rule = {
      match,
      fault,
      first,
      last: first + (when.times ?? 1) - 1,
      count: 0,
      removed: false,
      onHit: hit.resolve,
    };
    rules.push(rule);
    const remove = () => {
      rule.removed = true;
    };
    return { rule, injection: { hit: hit.promise, remove } };
  }

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    requests,
    seen: (operation, match = {}) => until((r) => matches(r, { ...match, operation })),
    answered: (operation, match = {}) =>
      until((r) => matches(r, { ...match, operation }) && r.outcome !== undefined && r.outcome !== 'held'),
    forwarded: (request, bytes) => until((r) => r === request && r.bytesForwarded >= bytes),
    failWith: (match, error, when) => addRule(match, { kind: 'error', ...error }, when).injection,
    loseAnswer: (match, when) => addRule(match, { kind: 'lose-answer' }, when).injection,
    stall(match, when) {
      const { rule, injection } = addRule(match, { kind: 'stall' }, when);
      const gone = deferred<ProxiedRequest>();
      const waiting: (() => void)[] = [];
      let released = false;
      rule.hold = (req, res, record) => {
        const go = () => {
          if (record.outcome !== 'held') return;
          record.outcome = undefined;
          forward(wire, req, res, record, false);
        };
        res.on('close', () => {
          if (record.outcome !== 'held') return;
          finish(record, 'client-gone');
          gone.resolve(record);
        });
        finish(record, 'held');
        if (released) go();
        else waiting.push(go);
      };
      return {
        ...injection,
        held: injection.hit,
        clientGone: gone.promise,
        release() {
          released = true;
          rule.removed = true;
          for (const go of waiting.splice(0)) go();
        },
      };
    },
    async outage(mode = 'reset') {
      await outage?.end();
      const attempted = deferred<void>();
      const state: NonNullable<typeof outage> = {
        connections: 0,
        attempted: attempted.promise,
        attempt() {
          state.connections += 1;
          attempted.resolve();
        },
        async end() {
          if (outage !== state) return;
          outage = undefined;
          if (mode === 'refuse') await listen(port);
        },
      };
      outage = state;
      // Like a restarting S3: connections in use (in flight or idle keep-alive) are cut too.
      for (const socket of sockets) socket.resetAndDestroy();
      if (mode === 'refuse') await new Promise<void>((resolve) => server.close(() => resolve()));
      return state;
    },
    async reset() {
      requests.length = 0;
      for (const rule of rules.splice(0)) rule.removed = true;
      await outage?.end();
    },
    async close() {
      outage = undefined;
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}
