/**
 * A large paste to a Bytedrop server target in the real VS Code (code-server): the 12 MiB file goes through the
 * server's tus endpoint in 4 MiB chunks; the fault proxy in front of the server holds the second chunk, the window
 * reloads, and the next start continues the same tus upload from the journal (HEAD, then the chunks the server
 * lacks), and the note links the file.
 */
import { createHash } from 'node:crypto';
import type { RunningServer } from '@bytedrop/server/node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import { type FaultProxy, startFaultProxy } from '../../core/test/_support/fault-proxy';
import { serveBytedrop } from './bytedrop-server';
import { generated, pasteGenerated, watchFor } from './bytes';
import { runCommand } from './editor';
import { openNote, type Session, servedWhenUploaded, startSession, withScreenshot } from './session';

const MiB = 1024 * 1024;
const SERVER_KEY = 'k_e2e_tus_server_access_key';
let s3: S3Harness;
let server: RunningServer;
let proxy: FaultProxy;
let session: Session;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  s3 = await startS3rver();
  server = await serveBytedrop(s3, SERVER_KEY);
  // The proxy keeps the Host header, so the tus upload URLs the server gives point back at it.
  proxy = await startFaultProxy(server.url);
  // Server settings alone, the key from the environment: what a team member without S3 credentials has.
  session = await startSession({
    server: { url: proxy.endpoint, accessKey: SERVER_KEY },
    makeDefault: true,
  });
});

afterAll(async () => {
  await session?.stop();
  await proxy?.close();
  await server?.close(true);
  await s3?.dispose();
});

it('a 12 MiB paste to a server goes through tus; a reload mid-upload continues it from the server’s offset', async () => {
  try {
    const size = 12 * MiB;
    const { page } = session;
    const held = proxy.stall({ method: 'PATCH' }, { nth: 2 });
    await session.focusEndOfNote();
    const landing = await watchFor(page, '](movie.bin)');
    await pasteGenerated(page, 'movie.bin', size, 41, 'application/octet-stream');
    await landing.landed();
    await held.held;
    const first = proxy.requests.find((request) => request.method === 'POST');
    expect(first?.url).toBe('/tus/');

    proxy.requests.length = 0;
    await runCommand(page, 'Developer: Reload Window');
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await openNote(page, 'note.md');
    const after = await session.savedNoteWhen((saved) => /\[movie\.bin\]\(http[^)\s]+\)/.test(saved));
    const url = after.match(/\[movie\.bin\]\((\S+)\)/)?.[1] as string;
    expect(after).toBe(`# Note\n\n[movie.bin](${url})`);
    expect(sha256(await servedWhenUploaded(page, url))).toBe(sha256(generated(size, 41)));
    // The new start resumed the same upload: a HEAD, no new creation, no POST /upload, and the first chunk sent
    // again is the one the server lacked.
    const methods = proxy.requests.map((request) => request.method);
    expect(methods).toContain('HEAD');
    expect(methods).not.toContain('POST');
    const patches = proxy.requests.filter((request) => request.method === 'PATCH');
    expect(patches[0]?.headers['upload-offset']).toBe(String(4 * MiB));
    expect(patches.every((request) => Number(request.headers['content-length']) <= 4 * MiB)).toBe(true);
    held.release();
  } catch (error) {
    throw await withScreenshot(session, error);
  }
});
