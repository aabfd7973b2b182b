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
  /** Write Bytedrop's settings (default true); false is a fresh install. */
  configured?: boolean;
}

export interface World {
  context: ExtensionContext;
  document: FakeTextDocument;
  /** Settles when the start's resume of the journal is done. */
  resumed: Promise<void>;
}

export async function createWorld(
  options: WorldOptions = { endpoint: '', publicBaseUrl: '', bucket: '', configured: false, secret: false },
): Promise<World> {
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
    'bytedrop.forcePathStyle': 'true',
  };
  if (options.configured !== false)
    for (const [key, value] of Object.entries(settings)) fake.settings.set(key, value);
  const context = createExtensionContext();
  if (options.secret !== false) await context.secrets.store(SECRET_ACCESS_KEY, options.secret ?? 'S3RVER');
  const { resumed } = activate(context as never);
  return { context, document, resumed };
}

/**
 * The window reloads: the extension stops without finishing anything (its uploads in flight are left where they
 * are, as a killed extension host leaves them) and starts again over the same disk, secrets and global state.
 */
export function restart(world: World): World {
  for (const subscription of world.context.subscriptions) subscription.dispose();
  fake.messages.length = 0;
  fake.progress.length = 0;
  const context = createExtensionContext(world.context);
  const { resumed } = activate(context as never);
  return { ...world, context, resumed };
}

/** The journal's open entries, as they are on disk. */
export function journal(): Record<string, unknown>[] {
  return [...fake.files]
    .filter(([path]) => path.startsWith('/storage/workspace/pending/'))
    .map(([, bytes]) => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>);
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
