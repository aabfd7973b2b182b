/**
 * Large files to a Bytedrop server target: a paste over 8 MiB goes to the real @bytedrop/server (from source, on
 * s3rver) through its tus endpoint in chunks of 4 MiB, and a reload mid-upload continues the same tus upload from
 * the journal's `resumeUrl`. A fault proxy in front of the server holds a chunk, so "mid-upload" is a state.
 */
import { createUploader } from '@bytedrop/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import { type FaultProxy, startFaultProxy } from '../../core/test/_support/fault-proxy';
import { type RunningServer, serve } from '../../server-adapter/src/node';
import { deactivate } from '../src/extension';
import { commands, fake } from './_fake/vscode';
import { linksUnder, served, uploadsSettled } from './_setup/expect';
import { createWorld, endOf, journal, restart, transferOf, type World } from './_setup/world';

const ACCESS_KEY = 'vscode-tus-test-key-0123456789';
const MiB = 1024 * 1024;
let s3: S3Harness;
let server: RunningServer;
let proxy: FaultProxy;
let world: World;
let base: string;

beforeAll(async () => {
  s3 = await startS3rver();
  base = `${s3.endpoint}/${s3.bucket}`;
  server = await serve({
    port: 0,
    hostname: '127.0.0.1',
    uploader: createUploader({
      provider: 'custom',
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      forcePathStyle: true,
      publicBaseUrl: base,
    }),
    keys: [{ name: 'vscode', key: ACCESS_KEY }],
    secret: 'delete-token-secret-for-tests-0123456789',
  });
  // The proxy keeps the Host header, so the tus upload URLs the server gives point back at it.
  proxy = await startFaultProxy(server.url);
});
afterAll(async () => {
  await proxy?.close();
  await server?.close(true);
  await s3?.dispose();
});
beforeEach(async () => {
  await proxy.reset();
  world = await createWorld({ endpoint: s3.endpoint, publicBaseUrl: base, bucket: s3.bucket });
  fake.settings.set('bytedrop.target', 'server');
  fake.settings.set('bytedrop.serverUrl', proxy.endpoint);
  await world.context.secrets.store('bytedrop.serverAccessKey', ACCESS_KEY);
});

const bigFile = (size: number, seed: number) =>
  new Uint8Array(size).map((_, index) => (index * 7 + seed) % 251);
const pasteBig = (bytes: Uint8Array, name: string) =>
  fake.paste(
    world.document,
    [endOf(world.document)],
    transferOf({ name, mime: 'application/octet-stream', bytes }),
  );
const patches = () => proxy.requests.filter((request) => request.method === 'PATCH');

describe('large files to a Bytedrop server target', () => {
  it('a 9 MiB paste goes through tus in chunks of at most 4 MiB, byte-exact, no POST /upload', async () => {
    const bytes = bigFile(9 * MiB + 99, 1);
    await pasteBig(bytes, 'big.bin');
    await uploadsSettled();

    const [link] = linksUnder(base, world.document.getText());
    expect(world.document.getText()).toBe(`# Post\n\n[big.bin](${link?.url})`);
    expect(Buffer.from(await served(link?.url as string)).equals(bytes)).toBe(true);
    expect(proxy.requests.some((request) => request.url.startsWith('/upload'))).toBe(false);
    expect(patches().map((request) => Number(request.headers['content-length']))).toEqual([
      4 * MiB,
      4 * MiB,
      MiB + 99,
    ]);
    expect(journal()).toEqual([]);
    expect(fake.messages).toEqual([]);
  });

  it('a reload mid-upload continues the tus upload from the journal: HEAD, then the chunks the server lacks', async () => {
    const bytes = bigFile(10 * MiB, 2);
    const held = proxy.stall({ method: 'PATCH' }, { nth: 2 });
    await pasteBig(bytes, 'movie.bin');
    await held.held;
    const [entry] = journal();
    expect(entry?.resumeUrl).toMatch(new RegExp(`^${proxy.endpoint}/tus/[0-9a-f]{32}$`));

    // VS Code calls deactivate when the window reloads, and waits for it: the old upload is cut off and settled here.
    // Left running, it went on into the next test once its chunk was released: its HEAD and GET were among that
    // test's requests, and the rest of its finish (journal, swap) ran in that test's world.
    await deactivate();
    proxy.requests.length = 0;
    world = restart(world);
    await world.resumed;
    const [link] = linksUnder(base, world.document.getText());
    expect(world.document.getText()).toBe(`# Post\n\n[movie.bin](${link?.url})`);
    expect(Buffer.from(await served(link?.url as string)).equals(bytes)).toBe(true);
    const methods = proxy.requests.map((request) => request.method);
    expect(methods.slice(0, 2)).toEqual(['OPTIONS', 'HEAD']);
    expect(methods).not.toContain('POST');
    expect(patches()[0]?.headers['upload-offset']).toBe(String(4 * MiB));
    expect(journal()).toEqual([]);
    // The held chunk stays held: its request was given up, and nothing of it may reach the server in a later test.
  });

  it('bytedrop.tusThresholdMB and bytedrop.tusChunkSizeMB take effect: 256 KiB pieces past 1 MiB', async () => {
    fake.settings.set('bytedrop.tusThresholdMB', 1);
    fake.settings.set('bytedrop.tusChunkSizeMB', 0.25);
    const bytes = bigFile(MiB + 99, 3);
    await pasteBig(bytes, 'set.bin');
    await uploadsSettled();

    // A failed upload keeps the local link and says why: said first, so a failure names its cause.
    expect(fake.messages, world.document.getText()).toEqual([]);
    const [link] = linksUnder(base, world.document.getText());
    expect(Buffer.from(await served(link?.url as string)).equals(bytes)).toBe(true);
    expect(patches().map((request) => Number(request.headers['content-length']))).toEqual([
      MiB / 4,
      MiB / 4,
      MiB / 4,
      MiB / 4,
      99,
    ]);
    // This upload's requests only: nothing of an earlier test's upload went on into this one.
    expect(proxy.requests.map((request) => request.method)).toEqual([
      'OPTIONS',
      'POST',
      ...patches().map(() => 'PATCH'),
      'GET',
    ]);
  });

  it.each([
    [
      'bytedrop.tusChunkSizeMB',
      'four',
      'Tus Chunk Size MB \\("four"\\) is not a number: set a number of MiB from 0.25 to 64, e.g. 4',
    ],
    [
      'bytedrop.tusChunkSizeMB',
      0.1,
      'Tus Chunk Size MB \\(0.1\\) is below 0.25 MiB \\(256 KiB\\): set a number of MiB from 0.25 to 64',
    ],
    [
      'bytedrop.tusChunkSizeMB',
      65,
      'Tus Chunk Size MB \\(65\\) is above 64 MiB: set a number of MiB from 0.25 to 64',
    ],
    [
      'bytedrop.tusThresholdMB',
      5000,
      'Tus Threshold MB \\(5000\\) is above 4096 MiB: set a number of MiB from 0.25 to 4096, e.g. 8',
    ],
  ] as const)(
    '%s = %j: the paste is kept and linked, the message names the setting and the fix; Retry uploads it once fixed',
    async (key, value, why) => {
      fake.settings.set(key, value);
      const bytes = bigFile(2 * MiB, 4);
      await pasteBig(bytes, 'refused.bin');
      const message = await fake.nextMessage();
      expect(message).toMatchObject({ severity: 'error', items: ['Retry upload', 'Open Bytedrop settings'] });
      expect(message.message).toMatch(
        new RegExp(
          `^Bytedrop: could not upload refused\\.bin: Bytedrop's settings need a fix: Bytedrop: ${why}.* \\(ERR_CONFIG\\)\\. Kept in the workspace and linked from the note: refused\\.bin\\.`,
        ),
      );
      // Nothing is lost: the copy is in the workspace and linked; nothing reached the server.
      expect(world.document.getText()).toBe('# Post\n\n[refused.bin](refused.bin)');
      expect(Buffer.from(fake.files.get('/ws/notes/refused.bin') as Uint8Array).equals(bytes)).toBe(true);
      expect(proxy.requests).toEqual([]);

      fake.settings.delete(key);
      message.respond('Retry upload');
      await uploadsSettled(2);
      const [link] = linksUnder(base, world.document.getText());
      expect(world.document.getText()).toBe(`# Post\n\n[refused.bin](${link?.url})`);
      expect(Buffer.from(await served(link?.url as string)).equals(bytes)).toBe(true);
    },
  );

  it('Test connection reports an out-of-range size as the problem, before asking the server', async () => {
    fake.settings.set('bytedrop.tusChunkSizeMB', 65);
    expect(await commands.executeCommand('bytedrop.testConnection')).toBe(false);
    expect(fake.messages.at(-1)).toMatchObject({
      severity: 'error',
      items: ['Open Bytedrop settings', 'Show details'],
    });
    expect(fake.messages.at(-1)?.message).toBe(
      "Bytedrop: Bytedrop's settings need a fix: Bytedrop: Tus Chunk Size MB (65) is above 64 MiB: set a number of MiB from 0.25 to 64, e.g. 4",
    );
    expect(proxy.requests).toEqual([]);
  });
});
