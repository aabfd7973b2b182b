/**
 * The fault proxy's HTTP plumbing: pass a request on to S3 as it streams in (or lose S3's answer), or answer it
 * with an S3 XML error. Which one a request gets is decided in fault-proxy.ts.
 */
import { type Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Outcome, ProxiedRequest } from './fault-proxy';

export interface Wire {
  upstream: URL;
  agent: Agent;
  /** Tells waiters the record changed (bytes forwarded). */
  update(record: ProxiedRequest): void;
  /** Sets the record's outcome (and status) and tells waiters. */
  finish(record: ProxiedRequest, outcome: Outcome, status?: number): void;
}

/**
 * Streams the request to S3 and the answer back. With `loseAnswer`, S3's answer is read to its end and the
 * client's connection is reset instead: S3 acted on the request, the client cannot know.
 */
export function forward(
  wire: Wire,
  req: IncomingMessage,
  res: ServerResponse,
  record: ProxiedRequest,
  loseAnswer: boolean,
): void {
  const up = httpRequest({
    host: wire.upstream.hostname,
    port: wire.upstream.port,
    method: req.method,
    path: req.url,
    // The Host header goes unchanged: the client signed it (SigV4), and S3 checks the signature against it.
    headers: req.headers,
    agent: wire.agent,
  });
  req.on('data', (chunk: Buffer) => {
    record.bytesForwarded += chunk.byteLength;
    wire.update(record);
  });
  // pipe() pauses the client's body while S3 is slower: at most a socket buffer is held here, never the body.
  req.pipe(up);
  // The client gave up (or an outage reset it): nothing more goes upstream.
  res.on('close', () => {
    if (res.writableFinished || record.outcome === 'lost-answer') return;
    up.destroy();
    if (record.outcome === undefined) wire.finish(record, 'client-gone');
  });
  up.on('error', () => {
    if (record.outcome === undefined) wire.finish(record, 'upstream-failed');
    req.socket.destroy();
  });
  up.on('response', (answer) => {
    const status = answer.statusCode ?? 502;
    if (loseAnswer) {
      answer.resume();
      answer.on('end', () => {
        wire.finish(record, 'lost-answer', status);
        req.socket.resetAndDestroy();
      });
      return;
    }
    res.writeHead(status, answer.statusMessage, answer.rawHeaders);
    answer.pipe(res);
    res.on('finish', () => wire.finish(record, 'forwarded', status));
  });
}

function errorXml(code: string, message: string, record: ProxiedRequest): string {
  const xml = (text: string) => text.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xml(code)}</Code><Message>${xml(message)}</Message>` +
    `<Resource>${xml(record.url)}</Resource><RequestId>fault-proxy-${record.id}</RequestId></Error>`
  );
}

/** Answers like S3 refusing the request, after reading its whole body (else the client sees a write error). */
export function answerError(
  wire: Wire,
  req: IncomingMessage,
  res: ServerResponse,
  record: ProxiedRequest,
  error: { status: number; code: string; message?: string },
): void {
  req.resume();
  req.on('end', () => {
    // HEAD answers never have a body, errors included.
    const body =
      record.method === 'HEAD' ? '' : errorXml(error.code, error.message ?? 'injected by the test', record);
    res.writeHead(error.status, {
      'content-type': 'application/xml',
      'content-length': Buffer.byteLength(body),
      'x-amz-request-id': `fault-proxy-${record.id}`,
    });
    res.end(body, () => wire.finish(record, 'error', error.status));
  });
}
