/**
 * One test world: a fresh fake editor with a workspace at /ws, a Markdown note open, the extension activated and
 * configured against a real s3rver (through a gate), and the secret in SecretStorage.
 */
import { encodePng } from '../../scripts/png.mjs';
import { SECRET_ACCESS_KEY } from '../../src/constants';
import { activate } from '../../src/extension';
import {
  createExtensionContext,
  DataTransfer,
  type ExtensionContext,
  type FakeTextDocument,
  fake,
  Range,
} from '../_fake/vscode';

export interface WorldOptions {
  endpoint: string;
  publicBaseUrl: string;
  bucket: string;
  text?: string;
  /** Put the secret in SecretStorage (default true). */
  secret?: string | false;
}

export interface World {
  context: ExtensionContext;
  document: FakeTextDocument;
}

export async function createWorld(options: WorldOptions): Promise<World> {
  fake.reset();
  fake.setWorkspaceFolder('/ws');
  const document = fake.openDocument('/ws/notes/post.md', options.text ?? '# Post\n\n');
  const settings: Record<string, unknown> = {
    'bytedrop.provider': 'minio',
    'bytedrop.endpoint': options.endpoint,
    'bytedrop.region': 'us-east-1',
    'bytedrop.bucket': options.bucket,
    'bytedrop.accessKeyId': 'S3RVER',
    'bytedrop.publicBaseUrl': options.publicBaseUrl,
    'bytedrop.forcePathStyle': true,
  };
  for (const [key, value] of Object.entries(settings)) fake.settings.set(key, value);
  const context = createExtensionContext();
  if (options.secret !== false) await context.secrets.store(SECRET_ACCESS_KEY, options.secret ?? 'S3RVER');
  activate(context as never);
  return { context, document };
}

/** A small PNG whose pixels depend on `seed`, so each test image has its own hash. */
export function png(seed: number, size = 8): Uint8Array {
  return new Uint8Array(
    encodePng(size, size, (x, y) => [(x * 31 + seed) % 256, (y * 17 + seed) % 256, seed % 256, 255]),
  );
}

/** A DataTransfer holding files, as VS Code hands over a paste or drop. */
export function transferOf(...files: { name: string; mime: string; bytes: Uint8Array }[]): DataTransfer {
  const transfer = new DataTransfer();
  for (const file of files) transfer.append(file.mime, fake.fileItem(file.name, file.bytes));
  return transfer;
}

/** The empty range at the end of the document: where the cursor is. */
export function endOf(document: FakeTextDocument): Range {
  const end = document.positionAt(document.getText().length);
  return new Range(end, end);
}

export const PLACEHOLDER = /!\[Uploading [^\]]*…\]\(bytedrop:upload\/[0-9a-f]{8}\)/;
