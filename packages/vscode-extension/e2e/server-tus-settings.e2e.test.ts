/**
 * `bytedrop.tusThresholdMB` and `bytedrop.tusChunkSizeMB` in the real VS Code (code-server), to a Bytedrop server
 * target: set in the user's settings.json (1 MiB and 0.5 MiB), a paste or a drop just over 1 MiB goes through the
 * server's tus endpoint in 512 KiB chunks, and one under it as one request to /upload (a PUT of the local copy's raw
 * bytes: the extension uploads the copy from disk). The fault proxy in front of the server records every request and
 * the body bytes it passed on. A value out of range written into settings.json by hand is named with its range and
 * fix, and the paste is still kept in the workspace, linked, and uploaded by Retry once the value is fixed.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningServer } from '@bytedrop/server/node';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import { type FaultProxy, startFaultProxy } from '../../core/test/_support/fault-proxy';
import { serveBytedrop } from './bytedrop-server';
import { dropGenerated, generated, pasteGenerated } from './bytes';
import { runCommand } from './editor';
import { type Session, servedWhenUploaded, startSession, withScreenshot } from './session';
import { toast } from './workbench';

const MiB = 1024 * 1024;
const SERVER_KEY = 'k_e2e_tus_settings_access_key';
let s3: S3Harness;
let server: RunningServer;
let proxy: FaultProxy;
let session: Session;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** Runs a step; on failure, the error carries a screenshot and the editor's log. */
const step = async <T>(run: () => Promise<T>): Promise<T> => {
  try {
    return await run();
  } catch (error) {
    throw await withScreenshot(session, error);
  }
};
/** The URL the saved note links `name` to, once it links an uploaded object. */
const linkedUrl = async (name: string): Promise<string> => {
  const pattern = new RegExp(`\\[${name.replace('.', '\\.')}\\]\\((http\\S+)\\)`);
  const text = await session.savedNoteWhen((saved) => pattern.test(saved));
  return text.match(pattern)?.[1] as string;
};
/** What reached the server: tus creations, each chunk's size (declared, passed on), and the one-request uploads. */
const traffic = () => ({
  creations: proxy.requests.filter((request) => request.method === 'POST' && request.url === '/tus/').length,
  chunks: proxy.requests
    .filter((request) => request.method === 'PATCH')
    .map((request) => [Number(request.headers['content-length']), request.bytesForwarded]),
  single: proxy.requests
    .filter((request) => request.url.startsWith('/upload'))
    .map((request) => `${request.method} ${request.url}`),
});

beforeAll(async () => {
  s3 = await startS3rver();
  server = await serveBytedrop(s3, SERVER_KEY);
  // The proxy keeps the Host header, so the tus upload URLs the server gives point back at it.
  proxy = await startFaultProxy(server.url);
  session = await startSession({
    server: { url: proxy.endpoint, accessKey: SERVER_KEY },
    makeDefault: true,
    // Both away from their defaults (8 and 4) and from each other, so each one's effect shows on its own.
    settings: { 'bytedrop.tusThresholdMB': 1, 'bytedrop.tusChunkSizeMB': 0.5 },
  });
});

afterAll(async () => {
  await session?.stop();
  await proxy?.close();
  await server?.close(true);
  await s3?.dispose();
});

beforeEach(() => proxy.reset());

it('a paste just over bytedrop.tusThresholdMB goes through tus in chunks of bytedrop.tusChunkSizeMB', () =>
  step(async () => {
    const size = MiB + 1000;
    await session.focusEndOfNote();
    await session.page.keyboard.type('\n');
    await pasteGenerated(session.page, 'above.bin', size, 51, 'application/octet-stream');
    const url = await linkedUrl('above.bin');
    expect(sha256(await servedWhenUploaded(session.page, url))).toBe(sha256(generated(size, 51)));
    expect(traffic()).toEqual({
      creations: 1,
      chunks: [
        [MiB / 2, MiB / 2],
        [MiB / 2, MiB / 2],
        [1000, 1000],
      ],
      single: [],
    });
  }));

it('a paste under bytedrop.tusThresholdMB goes as one request to /upload, no tus upload', () =>
  step(async () => {
    const size = MiB - 1000;
    await session.focusEndOfNote();
    await session.page.keyboard.type('\n');
    await pasteGenerated(session.page, 'below.bin', size, 52, 'application/octet-stream');
    const url = await linkedUrl('below.bin');
    expect(sha256(await servedWhenUploaded(session.page, url))).toBe(sha256(generated(size, 52)));
    expect(traffic()).toEqual({ creations: 0, chunks: [], single: ['PUT /upload/below.bin'] });
  }));

it('a drop over bytedrop.tusThresholdMB goes through tus in chunks of bytedrop.tusChunkSizeMB too', () =>
  step(async () => {
    const size = MiB + 2000;
    await session.focusEndOfNote();
    await session.page.keyboard.type('\n');
    await dropGenerated(session.page, 'dropped.bin', size, 53, 'application/octet-stream');
    const url = await linkedUrl('dropped.bin');
    expect(sha256(await servedWhenUploaded(session.page, url))).toBe(sha256(generated(size, 53)));
    expect(traffic()).toEqual({
      creations: 1,
      chunks: [
        [MiB / 2, MiB / 2],
        [MiB / 2, MiB / 2],
        [2000, 2000],
      ],
      single: [],
    });
  }));

it('bytedrop.tusChunkSizeMB out of range in settings.json: the message names it, its range and the fix; the paste is kept and linked, and Retry uploads it once fixed', () =>
  step(async () => {
    await session.updateSettings({ 'bytedrop.tusChunkSizeMB': 65 });
    const size = 2 * MiB;
    await session.focusEndOfNote();
    await session.page.keyboard.type('\n');
    await pasteGenerated(session.page, 'bad.bin', size, 54, 'application/octet-stream');
    // The upload is tried once the copy is written: the message comes after it.
    const message = toast(session.page, 'could not upload bad.bin');
    await message.waitFor({ timeout: 60_000 });
    expect(await message.textContent()).toContain(
      "could not upload bad.bin: Bytedrop's settings need a fix: Bytedrop: Tus Chunk Size MB (65) is above 64 MiB: set a number of MiB from 0.25 to 64, e.g. 4 (ERR_CONFIG). Kept in the workspace and linked from the note: bad.bin.",
    );
    await message.getByRole('button', { name: 'Open Bytedrop settings' }).waitFor();
    // Nothing is lost: the copy is in the workspace and the note links it; nothing reached the server.
    const text = await session.savedNoteWhen((saved) => saved.includes('[bad.bin]'));
    expect(text).toMatch(/\n\[bad\.bin\]\(bad\.bin\)$/);
    expect(sha256(await readFile(join(session.workspace, 'bad.bin')))).toBe(sha256(generated(size, 54)));
    expect(traffic()).toEqual({ creations: 0, chunks: [], single: [] });

    await session.updateSettings({ 'bytedrop.tusChunkSizeMB': 0.5 });
    // Escape (closing settings.json) hid the toast; the message waits in the notification center, as for a user.
    await runCommand(session.page, 'Notifications: Show Notifications');
    await session.page
      .locator('.notifications-center .notification-list-item', { hasText: 'could not upload bad.bin' })
      .getByRole('button', { name: 'Retry upload' })
      .click({ timeout: 60_000 });
    const url = await linkedUrl('bad.bin');
    expect(sha256(await servedWhenUploaded(session.page, url))).toBe(sha256(generated(size, 54)));
    expect(traffic()).toEqual({
      creations: 1,
      chunks: [0, 1, 2, 3].map(() => [MiB / 2, MiB / 2]),
      single: [],
    });
  }));
