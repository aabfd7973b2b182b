/**
 * The request body as the Node runner hands it to the handler, and what happens to a body left unread. The idle
 * timeout runs only while the handler waits for the client's next bytes: the client is blamed for its own silence,
 * never for the time the server spends on storage (that is the storage timeout's business, in the handler).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The IncomingMessage itself as an async iterable (Node's web-stream adapter would copy every chunk), with the
 * socket's timeout armed only while a read waits. When it fires, Node destroys the socket and the upload aborts
 * like a disconnect. `destroyOnReturn: false` keeps the socket open when the handler stops early, for its 413.
 */
export function clientBody(req: IncomingMessage, idleMs: number): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const source = req.iterator({ destroyOnReturn: false });
      return {
        async next() {
          req.socket?.setTimeout(idleMs);
          try {
            return await source.next();
          } finally {
            req.socket?.setTimeout(0);
          }
        },
        return: async (value?: unknown) =>
          (await source.return?.(value)) ?? { done: true as const, value: undefined },
      };
    },
  };
}

/** How long, and how much, of an unread body is discarded after an early answer (413, 401, 400…). */
const LINGER_MS = 10_000;
const LINGER_BYTES = 64 * 1024 * 1024;

/**
 * After answering before the body was read, discard what the client is still sending for a bounded time instead
 * of closing at once: closing a socket with unread data makes the kernel send a reset, and the client would lose
 * the 413 it was about to read. Clients stop sending once they see the answer; the rest is cut off.
 */
export function lingerAfterEarlyAnswer(req: IncomingMessage, res: ServerResponse): void {
  res.once('finish', () => {
    if (req.complete || req.destroyed) return;
    // The handler stopped reading (its iterator left the stream paused and open); take the body over, throw it away.
    req.removeAllListeners('data');
    let discarded = 0;
    const cut = () => req.socket?.destroy();
    const timer = setTimeout(cut, LINGER_MS);
    timer.unref();
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > LINGER_BYTES) cut();
    });
    req.once('end', () => clearTimeout(timer));
    req.once('close', () => clearTimeout(timer));
    req.resume();
  });
}
