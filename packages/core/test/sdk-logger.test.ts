/**
 * The SDK's logger middleware masks every request's input and every answer's output through the operation's schema,
 * also when the logger is the SDK's no-op: CPU on every request (issue 16). A store built without a logger of the
 * caller's leaves it out; a caller's logger keeps it and hears every request. Requests go to a real s3rver.
 */
import type { Logger } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config';
import { createS3Store } from '../src/stores/s3';
import { useOwnS3rver } from './_support/own-s3rver';
import { bytes, getBytes, inspector, s3Config, sameBytes } from './_support/s3';

const s3 = useOwnS3rver();

async function putThrough(store: ReturnType<typeof createS3Store>, key: string) {
  const data = bytes(4096);
  await store.put(key, data, { contentType: 'application/octet-stream', size: data.byteLength });
  expect(sameBytes(await getBytes(inspector(s3), s3.bucket, key), data)).toBe(true);
}

describe("the SDK's logger middleware", () => {
  it('is left out of a client built without a logger, and puts still land', async () => {
    const store = createS3Store(parseConfig(s3Config(s3)));
    await putThrough(store, 'logger/none.bin');
    const stack = store.client.middlewareStack.identify().join('\n');
    expect(stack).not.toContain('loggerMiddleware');
    // The rest of the stack is the SDK's own: serialising, signing and retrying are all still there.
    expect(stack).toContain('serializerMiddleware');
    expect(stack).toContain('httpSigningMiddleware');
    expect(stack).toContain('retryMiddleware');
  });

  it("stays for a caller's logger, which hears every request", async () => {
    const heard: { commandName?: string }[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: (entry: { commandName?: string }) => heard.push(entry),
      warn: () => undefined,
      error: () => undefined,
    };
    const store = createS3Store(parseConfig(s3Config(s3)), { clientConfig: { logger } });
    await putThrough(store, 'logger/own.bin');
    expect(store.client.middlewareStack.identify().join('\n')).toContain('loggerMiddleware');
    expect(heard.map((entry) => entry.commandName)).toContain('PutObjectCommand');
  });
});
