/**
 * A window reload in the middle of a 30 MiB upload, in the real VS Code: the fault proxy in front of s3rver holds the
 * first part of the multipart upload, the window reloads (the old extension host is left with its upload stuck),
 * and the next start resumes the journal: the file is uploaded again, verified, and the note linked to it.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import { type FaultProxy, startFaultProxy } from '../../core/test/_support/fault-proxy';
import { generated, pasteGenerated, watchFor } from './bytes';
import { runCommand } from './editor';
import { openNote, type Session, servedWhenUploaded, startSession, withScreenshot } from './session';

let s3: S3Harness;
let proxy: FaultProxy;
let session: Session;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  s3 = await startS3rver();
  proxy = await startFaultProxy(s3.endpoint);
  session = await startSession({ s3: { ...s3, endpoint: proxy.endpoint }, makeDefault: true });
});

afterAll(async () => {
  await session?.stop();
  await proxy?.close();
  await s3?.dispose();
});

it('reloading the window mid-upload of a 30 MiB file: the next start resumes the upload and links it', async () => {
  try {
    const size = 30 * 1024 * 1024;
    const { page } = session;
    const held = proxy.stall({ operation: 'UploadPart' }, { nth: 1 });
    await session.focusEndOfNote();
    const landing = await watchFor(page, '](movie.bin)');
    await pasteGenerated(page, 'movie.bin', size, 30, 'application/octet-stream');
    await landing.landed();
    await held.held;
    // Mid-upload: the note links the copy in the workspace, and is saved so.
    const before = await session.savedNoteWhen((saved) => saved.includes('[movie.bin](movie.bin)'));
    expect(before).toBe('# Note\n\n[movie.bin](movie.bin)');

    // In code-server a reload drops the window's connection without a word to the old extension host, which the
    // server keeps (upload stuck) for minutes: the new one must not wait for it.
    await runCommand(page, 'Developer: Reload Window');
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await openNote(page, 'note.md');
    const after = await session.savedNoteWhen((saved) => /\[movie\.bin\]\(http[^)\s]+\)/.test(saved));
    const url = after.match(/\[movie\.bin\]\((\S+)\)/)?.[1] as string;
    expect(after).toBe(`# Note\n\n[movie.bin](${url})`);
    expect(sha256(await servedWhenUploaded(page, url))).toBe(sha256(generated(size, 30)));
    // The resumed upload completed create-only (the MinIO preset enforces it), so no verifying HEAD followed.
    const complete = proxy.requests
      .filter((request) => request.operation === 'CompleteMultipartUpload')
      .at(-1);
    expect(complete?.headers['if-none-match']).toBe('*');
    held.release();
  } catch (error) {
    throw await withScreenshot(session, error);
  }
});
