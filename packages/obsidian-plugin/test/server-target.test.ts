/**
 * The Bytedrop server target, end to end: the plugin → requestUrl → a real @bytedrop/server (from source) → s3rver.
 */
import { createUploader } from '@bytedrop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../../server-adapter/src/node';
import { testConnection } from '../src/test-connection';
import { Notice, requestLog } from './fake-obsidian';
import {
  click,
  imageLinks,
  load,
  openedModal,
  paste,
  pasteEvent,
  png,
  pngFile,
  runCommand,
  useS3rverAndCleanFakes,
} from './helpers';

const ACCESS_KEY = 'obsidian-test-key-0123456789';
const READ_ONLY_KEY = 'obsidian-read-only-key-0123';
const s3 = useS3rverAndCleanFakes();
let server: RunningServer;

// Registered after the s3rver's hooks: starts once it runs, and (hooks unwind in reverse) closes before it stops.
beforeAll(async () => {
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
      publicBaseUrl: `${s3.endpoint}/${s3.bucket}`,
    }),
    keys: [
      { name: 'obsidian', key: ACCESS_KEY },
      { name: 'reader', key: READ_ONLY_KEY, scopes: ['list-own'] },
    ],
    secret: 'delete-token-secret-for-tests-0123456789',
    banPolicy: { maxFailures: 100 },
  });
});
afterAll(async () => {
  await server?.close(true);
});

function serverSettings(keyName = 'server-key') {
  return { target: 'server' as const, serverUrl: `http://127.0.0.1:${server.port}`, serverKeyName: keyName };
}

async function loadWithKey(key: string) {
  const l = await load(serverSettings());
  l.app.secretStorage.setSecret('server-key', key);
  return l;
}

describe('Bytedrop server target', () => {
  it('uploads a pasted image through the server, over requestUrl', async () => {
    const l = await loadWithKey(ACCESS_KEY);
    paste(l, pasteEvent([pngFile(1, 'server.png')]));
    await l.plugin.whenIdle();
    const [link] = imageLinks(l.editor.getValue());
    expect(link?.url).toMatch(new RegExp(`^${s3.endpoint}/${s3.bucket}/.+server.*\\.png$`));
    const response = await fetch(link?.url ?? '');
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(png(1));
    const upload = requestLog.find((request) => request.url.endsWith('/upload'));
    expect(upload?.method).toBe('POST');
    expect(upload?.headers?.authorization).toBe(`Bearer ${ACCESS_KEY}`);
    expect(upload?.throw).toBe(false);
  });

  it('"Delete remote file" deletes through the delete URL the server gave at upload', async () => {
    const l = await loadWithKey(ACCESS_KEY);
    paste(l, pasteEvent([pngFile(3, 'undo.png')]));
    await l.plugin.whenIdle();
    const [link] = imageLinks(l.editor.getValue());
    expect((await fetch(link?.url ?? '')).status).toBe(200);

    l.editor.setCursor({ line: 0, ch: 3 });
    runCommand(l, 'delete-remote');
    await click(await openedModal(), 'Delete 1 file');
    await l.plugin.whenIdle();
    const deleted = requestLog.find((request) => request.method === 'DELETE');
    expect(deleted?.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/files/.+\\?token=`));
    expect((await fetch(link?.url ?? '')).status).toBe(404);
    // The copy written at paste was kept: the link shows it again.
    expect(l.editor.getValue()).toBe('![[undo.png]]');
    expect(Notice.shown.at(-1)).toBe(
      'Bytedrop: deleted 1 of 1 file from storage, 1 link now shows the local copy.',
    );
  });

  it('keeps the file locally when the server refuses the key', async () => {
    const l = await loadWithKey('wrong-key');
    paste(l, pasteEvent([pngFile(2, 'refused.png')]));
    await l.plugin.whenIdle();
    expect(l.editor.getValue()).toBe('![[refused.png]]');
    expect(Notice.shown[0]).toMatch(/could not upload "refused\.png" yet: .*refused the access key/);
  });

  it('a key the server does not let upload (ERR_SCOPE): kept in the vault, said why, not retried at every start', async () => {
    const l = await loadWithKey(READ_ONLY_KEY);
    paste(l, pasteEvent([pngFile(3, 'scoped.png')]));
    await l.plugin.whenIdle();
    expect(l.editor.getValue()).toBe('![[scoped.png]]');
    expect(Notice.shown[0]).toMatch(
      /^Bytedrop: could not upload "scoped\.png": .*does not let this access key upload: ask the server’s admin for a key with the upload scope.*It stays in the vault at scoped\.png\.$/,
    );
    expect(l.plugin.pending.size).toBe(0);
  });

  it('"Test connection" checks health and the key', async () => {
    const good = await loadWithKey(ACCESS_KEY);
    const report = await testConnection(good.plugin.settings, good.app.secretStorage as never);
    expect(report.checks.map((check) => [check.title, check.status])).toEqual([
      ['Server healthy', 'ok'],
      ['Access key accepted', 'ok'],
    ]);

    const bad = await loadWithKey('wrong-key');
    const refused = await testConnection(bad.plugin.settings, bad.app.secretStorage as never);
    expect(refused.ok).toBe(false);
    expect(refused.checks.at(-1)).toMatchObject({ status: 'fail', code: 'ERR_AUTH' });

    const down = await load({ ...serverSettings(), serverUrl: 'http://127.0.0.1:9' });
    const unreachable = await testConnection(down.plugin.settings, down.app.secretStorage as never);
    expect(unreachable.checks).toMatchObject([{ status: 'fail', code: 'ERR_NETWORK' }]);
  });
});
