/**
 * Secrets come from SecretStorage (or the extension host's environment), never from settings. s3rver verifies
 * SigV4 signatures, so which secret was used shows in whether the upload is accepted.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type S3Harness, startS3rver } from '../../core/test/_setup/s3rver.js';
import { SECRET_ACCESS_KEY, SERVER_ACCESS_KEY } from '../src/constants';
import { commands, fake } from './_fake/vscode';
import { uploadsSettled } from './_setup/expect';
import { createWorld, endOf, png, transferOf } from './_setup/world';

const WAIT = { timeout: 20_000, interval: 20 };
let s3: S3Harness;

beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(() => s3.dispose());
afterEach(() => {
  delete process.env.BYTEDROP_SECRET_ACCESS_KEY;
});

function world(secret: string | false) {
  return createWorld({
    endpoint: s3.endpoint,
    publicBaseUrl: `${s3.endpoint}/${s3.bucket}`,
    bucket: s3.bucket,
    secret,
  });
}

async function pasteAndSettle(
  document: Awaited<ReturnType<typeof world>>['document'],
  seed: number,
): Promise<string> {
  await fake.paste(
    document,
    [endOf(document)],
    transferOf({ name: 'shot.png', mime: 'image/png', bytes: png(seed) }),
  );
  await uploadsSettled(fake.progress.length || 1);
  return document.getText();
}

describe('the secret access key', () => {
  it('is never read from settings, even when one is there: the paste is left to VS Code', async () => {
    const { document } = await world(false);
    // The right secret, but in settings.json: it must be ignored.
    fake.settings.set('bytedrop.secretAccessKey', 'S3RVER');
    await fake.paste(
      document,
      [endOf(document)],
      transferOf({ name: 'shot.png', mime: 'image/png', bytes: png(1) }),
    );
    expect(document.getText()).toBe('# Post\n\n');
    const message = await fake.nextMessage();
    expect(message.message).toContain('Bytedrop is not set up: set the secret access key.');
    expect(message.items).toEqual(['Open Bytedrop settings', 'Set secret access key']);
    expect(fake.configurationReads.length).toBeGreaterThan(0);
    expect(fake.configurationReads.filter((key) => /secret/i.test(key))).toEqual([]);
  });

  it('comes from SecretStorage: a wrong stored secret fails at the server although settings hold the right one', async () => {
    const { document, context } = await world('not-the-secret');
    fake.settings.set('bytedrop.secretAccessKey', 'S3RVER');
    await pasteAndSettle(document, 2);
    const message = await fake.nextMessage();
    expect(message.message).toMatch(
      /^Bytedrop: could not upload shot\.png: http:\/\/127\.0\.0\.1:\d+ refused the keys \(SignatureDoesNotMatch\): check Bytedrop: Access Key ID and set the secret access key again \(ERR_AUTH\)\./,
    );
    expect(message.items).toEqual(['Retry upload', 'Set secret access key', 'Open Bytedrop settings']);
    expect(context.secrets.reads).toContain(SECRET_ACCESS_KEY);

    // Stored through the command (a password box), the right secret makes Retry succeed.
    fake.inputBoxAnswers.push('S3RVER');
    await commands.executeCommand('bytedrop.setSecretAccessKey');
    expect(fake.inputBoxOptions.at(-1)).toMatchObject({ password: true, ignoreFocusOut: true });
    expect(await context.secrets.get(SECRET_ACCESS_KEY)).toBe('S3RVER');
    // The changed secret applies at once: no reload.
    message.respond('Retry upload');
    await vi.waitFor(() => expect(document.getText()).toContain(`${s3.endpoint}/${s3.bucket}/`), WAIT);
    expect(fake.configurationReads.filter((key) => /secret/i.test(key))).toEqual([]);
  });

  it('falls back to BYTEDROP_SECRET_ACCESS_KEY in the extension host environment', async () => {
    process.env.BYTEDROP_SECRET_ACCESS_KEY = 'S3RVER';
    const { document } = await world(false);
    const text = await pasteAndSettle(document, 3);
    expect(text).toContain(`](${s3.endpoint}/${s3.bucket}/`);
    expect(fake.messages).toEqual([]);
  });

  it('an empty answer removes a stored key; Escape changes nothing', async () => {
    const { context } = await world('S3RVER');
    fake.inputBoxAnswers.push(undefined);
    await commands.executeCommand('bytedrop.setSecretAccessKey');
    expect(await context.secrets.get(SECRET_ACCESS_KEY)).toBe('S3RVER');
    fake.inputBoxAnswers.push('');
    await commands.executeCommand('bytedrop.setSecretAccessKey');
    expect(await context.secrets.get(SECRET_ACCESS_KEY)).toBeUndefined();
  });
});

describe('the server access key', () => {
  it('is stored in SecretStorage and sent as a Bearer token to the configured server', async () => {
    const { createServer } = await import('node:http');
    const seen: { authorization?: string; url?: string }[] = [];
    // A stand-in Bytedrop server speaking the upload contract (POST /upload, JSON files[0]).
    const server = createServer((req, res) => {
      seen.push({ authorization: req.headers.authorization ?? '', url: req.url ?? '' });
      req.resume().on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            success: true,
            files: [
              {
                key: 'k/shot.png',
                url: 'https://files.example.com/k/shot.png',
                size: 1,
                hash: 'ab',
                contentType: 'image/png',
                deduplicated: false,
                filename: 'shot.png',
              },
            ],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { document, context } = await world(false);
      const { port } = server.address() as { port: number };
      fake.settings.set('bytedrop.target', 'server');
      fake.settings.set('bytedrop.serverUrl', `http://127.0.0.1:${port}`);
      fake.settings.set('bytedrop.serverAccessKey', 'from-settings');
      fake.inputBoxAnswers.push('server-key-1');
      await commands.executeCommand('bytedrop.setServerAccessKey');
      expect(await context.secrets.get(SERVER_ACCESS_KEY)).toBe('server-key-1');
      const text = await pasteAndSettle(document, 4);
      expect(text).toBe('# Post\n\n![shot.png](https://files.example.com/k/shot.png)');
      expect(seen).toEqual([{ authorization: 'Bearer server-key-1', url: '/upload' }]);
      expect(fake.configurationReads.filter((key) => /secret|accessKey$/i.test(key))).toEqual([]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
