/**
 * Large files to a Bytedrop server target: a paste over 8 MiB goes through the server's tus endpoint over requestUrl
 * in chunks of 4 MiB (requestUrl holds each body in memory, so a phone's memory stays at one chunk), and an upload cut
 * by a reload continues from where the server stands, with the upload URL the pending journal kept.
 */
import { createUploader } from '@bytedrop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../../server-adapter/src/node';
import BytedropPlugin from '../src/main';
import {
  App,
  Notice,
  type Plugin,
  type RequestUrlParam,
  requestHooks,
  requestLog,
  type TextComponent,
} from './fake-obsidian';
import {
  gate,
  imageLinks,
  type Loaded,
  load,
  MANIFEST,
  paste,
  pasteEvent,
  png,
  served,
  useS3rverAndCleanFakes,
} from './helpers';
import { control, find, tabOf } from './settings-ui';

const ACCESS_KEY = 'obsidian-tus-test-key-0123456789';
const MiB = 1024 * 1024;
const s3 = useS3rverAndCleanFakes();
let server: RunningServer;

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
    keys: [{ name: 'obsidian', key: ACCESS_KEY }],
    secret: 'delete-token-secret-for-tests-0123456789',
  });
});
afterAll(async () => {
  await server?.close(true);
});

async function loadServerTarget(extra: Record<string, unknown> = {}): Promise<Loaded> {
  const l = await load(
    { target: 'server', serverUrl: `http://127.0.0.1:${server.port}`, serverKeyName: 'server-key', ...extra },
    { noteText: '' },
  );
  l.app.secretStorage.setSecret('server-key', ACCESS_KEY);
  return l;
}

const bodySize = (request: RequestUrlParam) =>
  request.body instanceof ArrayBuffer ? request.body.byteLength : (request.body?.length ?? 0);
const patches = () => requestLog.filter((request) => request.method === 'PATCH');
const header = (request: RequestUrlParam | undefined, name: string) => request?.headers?.[name];
const PENDING = `${MANIFEST.dir}/pending/`;
const entriesOn = (app: App) =>
  [...app.vault.adapter.hidden.entries()]
    .filter(([path]) => path.startsWith(PENDING))
    .map(([, data]) => data);

describe('large files to a Bytedrop server', () => {
  it('a 9 MiB paste goes through tus over requestUrl, no body larger than 4 MiB, byte-exact', async () => {
    const l = await loadServerTarget();
    const bytes = png(7, 9 * MiB + 4321);
    paste(l, pasteEvent([new File([bytes], 'big.png', { type: 'image/png' })]));
    await l.plugin.whenIdle();

    const [link] = imageLinks(l.editor.getValue());
    expect(l.editor.getValue()).toBe(`![big.png](${link?.url})`);
    expect(Buffer.from(await served(link?.url ?? '')).equals(bytes)).toBe(true);
    expect(requestLog.some((request) => request.url.endsWith('/upload'))).toBe(false);
    expect(requestLog.find((request) => request.method === 'POST')?.url).toMatch(/\/tus\/$/);
    expect(patches()).toHaveLength(3);
    expect(Math.max(...requestLog.map(bodySize))).toBe(4 * MiB);
    expect(header(patches()[0], 'authorization')).toBe(`Bearer ${ACCESS_KEY}`);
    expect(Notice.shown).toEqual([]);
  });

  it('a reload mid-upload resumes the tus upload from the journal: no chunk the server has is sent again', async () => {
    const l = await loadServerTarget();
    const bytes = png(8, 10 * MiB);
    // The second chunk never gets an answer: the app is reloaded while it is in flight.
    const reached = gate();
    const frozen = gate();
    let sent = 0;
    requestHooks.before = async (request) => {
      if (request.method !== 'PATCH' || ++sent < 2) return;
      reached.open();
      await frozen.promise;
    };
    paste(l, pasteEvent([new File([bytes], 'resume.png', { type: 'image/png' })]));
    await reached.promise;
    requestHooks.before = undefined;
    const [entry] = entriesOn(l.app);
    const resumeUrl = (JSON.parse(String(entry)) as { resumeUrl?: string }).resumeUrl;
    expect(resumeUrl).toMatch(/\/tus\/[0-9a-f]{32}$/);

    // Killed: Obsidian starts again over what is on disk, and the plugin loads with the same data.json.
    requestLog.length = 0;
    const app = await App.afterCrash(l.app);
    const plugin = new BytedropPlugin(app as never, MANIFEST as never) as BytedropPlugin & Plugin;
    plugin.dataJson = (l.plugin as Plugin).dataJson;
    await plugin.onload();
    await plugin.whenIdle();

    const text = app.vault.readSync(app.vault.getFileByPath('Notes/Trip.md')!);
    const [link] = imageLinks(text);
    expect(text).toBe(`![resume.png](${link?.url})`);
    expect(Buffer.from(await served(link?.url ?? '')).equals(bytes)).toBe(true);
    expect(requestLog.map((request) => request.method).slice(0, 2)).toEqual(['OPTIONS', 'HEAD']);
    expect(requestLog.find((request) => request.method === 'HEAD')?.url).toBe(resumeUrl);
    expect(requestLog.some((request) => request.method === 'POST')).toBe(false);
    expect(header(patches()[0], 'upload-offset')).toBe(String(4 * MiB));
    expect(patches()).toHaveLength(2);
    expect(entriesOn(app)).toEqual([]);
  });

  it('the resumable threshold and chunk size settings take effect: 1 MiB and 256 KiB pieces on the wire', async () => {
    const l = await loadServerTarget();
    const tab = tabOf(l.plugin);
    await control<TextComponent>(tab, 'Resumable uploads above (MiB)').simulate('1');
    await control<TextComponent>(tab, 'Resumable chunk size (MiB)').simulate('0.25');
    expect(JSON.parse((l.plugin as Plugin).dataJson ?? '')).toMatchObject({
      tusThresholdMb: 1,
      tusChunkMb: 0.25,
    });
    const bytes = png(9, MiB + 4321);
    paste(l, pasteEvent([new File([bytes], 'set.png', { type: 'image/png' })]));
    await l.plugin.whenIdle();

    const [link] = imageLinks(l.editor.getValue());
    expect(Buffer.from(await served(link?.url ?? '')).equals(bytes)).toBe(true);
    expect(requestLog.find((request) => request.method === 'POST')?.url).toMatch(/\/tus\/$/);
    expect(patches().map(bodySize)).toEqual([MiB / 4, MiB / 4, MiB / 4, MiB / 4, 4321]);
  });

  it('a bad value is refused in the tab naming the fix, and one in data.json fails the upload saying so', async () => {
    const l = await loadServerTarget();
    const tab = tabOf(l.plugin);
    const chunk = find(tab, 'Resumable chunk size (MiB)');
    for (const [typed, why] of [
      ['four', 'not a number'],
      ['0.1', 'below 0.25 MiB \\(256 KiB\\)'],
      ['65', 'above 64 MiB'],
    ] as const) {
      await (chunk.components[0] as TextComponent).simulate(typed);
      expect(chunk.desc).toMatch(
        new RegExp(
          `^Resumable chunk size \\(MiB\\) is "${typed}", ${why}: write a number of MiB from 0.25 to 64, e.g. 4\\.$`,
        ),
      );
    }
    const threshold = find(tab, 'Resumable uploads above (MiB)');
    await (threshold.components[0] as TextComponent).simulate('5000');
    expect(threshold.desc).toMatch(
      /is "5000", above 4096 MiB: write a number of MiB from 0.25 to 4096, e.g. 8\.$/,
    );
    // None was saved.
    expect([l.plugin.settings.tusThresholdMb, l.plugin.settings.tusChunkMb]).toEqual([8, 4]);

    const edited = await loadServerTarget({ tusChunkMb: 0.1 });
    paste(edited, pasteEvent([new File([png(10, 2 * MiB)], 'edited.png', { type: 'image/png' })]));
    await edited.plugin.whenIdle();
    expect(edited.editor.getValue()).toBe('![[edited.png]]');
    expect(Notice.shown.join('\n')).toMatch(
      /Resumable chunk size \(MiB\) is 0\.1, below 0\.25 MiB \(256 KiB\): write a number of MiB from 0\.25 to 64, e\.g\. 4/,
    );
    expect(patches()).toEqual([]);
  });
});
