/**
 * VS Code paste timings: the extension and the unit tests' fake of the VS Code API, bundled together by the section.
 * Usage: node vscode-paste.mjs <bundle.cjs> <settings.json> <secret> <mode> <plan>.
 * - mode `provider`: how long the paste and drop providers take to return their edit, per file size (`plan`:
 *   { sizes: { bytes: count }, warmups }); each paste's upload settles before the next, so every paste meets a quiet
 *   extension. The fake applies the edit as VS Code does (its additionalEdit writes the copy), so the upload runs.
 * - mode `e2e`: paste to final link for 1 MiB PNGs (`plan`: { count, warmups, bytes }): the extension's local-first
 *   paste against the same upload done from memory as it did before (placeholder, upload of the clipboard bytes,
 *   link), with and without the verifying HEAD, in rotating order.
 * Prints JSON. Fails if any paste ends without its link or shows an error.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { rotate } from './_rotation.mjs';

const [bundlePath, settingsPath, secret, mode, planJson] = process.argv.slice(2);
const { vscode, activate, SECRET_ACCESS_KEY, createUploader, verifyUpload, formatLink } = createRequire(
  import.meta.url,
)(bundlePath);
const { fake } = vscode;
const plan = JSON.parse(planJson);
/** `vscode`: the user's settings (Settings editor keys); `s3`: the same target as core's config, for the peer. */
const settings = JSON.parse(readFileSync(settingsPath, 'utf8'));

/** Distinct bytes per paste (random after a PNG signature and IHDR start), so none deduplicates. */
function png(size) {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65_536)
    crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65_536)));
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
  return bytes;
}

fake.reset();
fake.setWorkspaceFolder('/ws');
for (const [key, value] of Object.entries(settings.vscode)) fake.settings.set(key, value);
const context = vscode.createExtensionContext();
await context.secrets.store(SECRET_ACCESS_KEY, secret);
await activate(context).resumed;
const pasteProvider = fake.pasteProviders[0].provider;
const dropProvider = fake.dropProviders[0].provider;

/** Records how long `provider[method]` takes to hand back its edit, each time VS Code (the fake) asks. */
function timed(provider, method, times) {
  const original = provider[method].bind(provider);
  provider[method] = (...args) => {
    const started = performance.now();
    return Promise.resolve(original(...args)).then((edits) => {
      times.push(performance.now() - started);
      return edits;
    });
  };
}

let notes = 0;
const newNote = () => fake.openDocument(`/ws/notes/bench-${++notes}.md`, '');
const end = (document) => {
  const at = document.positionAt(document.getText().length);
  return new vscode.Range(at, at);
};
const transferOf = (name, bytes) => {
  const transfer = new vscode.DataTransfer();
  transfer.append('image/png', fake.fileItem(name, bytes));
  return transfer;
};

/** Resolves once `document` links the upload (an http URL), checked on each change rather than on a timer. */
function finalLink(document) {
  const done = () => /\]\(http[^)]+\)$/.test(document.getText());
  if (done()) return Promise.resolve();
  return new Promise((resolve) => {
    const subscription = vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document !== document || !done()) return;
      subscription.dispose();
      resolve();
    });
  });
}

/** Throws on an error message; waits (outside any clock) until every upload's progress has closed. */
async function settled(what) {
  const error = fake.messages.find((message) => message.severity === 'error');
  if (error) throw new Error(`${what}: ${error.message}`);
  while (!fake.progress.every((record) => record.done))
    await new Promise((resolve) => setTimeout(resolve, 2));
  fake.progress.length = 0;
  fake.messages.length = 0;
  // The last paste's megabytes are collected here, off the clock, not during the next provider call (--expose-gc).
  globalThis.gc?.();
}

/** The extension's own paste, to its final link. */
async function localFirst(bytes) {
  const document = newNote();
  const started = performance.now();
  const linked = finalLink(document);
  const outcome = await fake.paste(document, [end(document)], transferOf('image.png', bytes));
  if (!outcome.applied) throw new Error('the paste was not applied');
  await linked;
  const ms = performance.now() - started;
  await settled('local-first paste');
  return ms;
}

const uploader = createUploader({ ...settings.s3, secretAccessKey: secret });

/**
 * The paste as the extension made it before local first: placeholder, upload of the clipboard bytes, link; same
 * uploader settings. With `verify`, also the HEAD that checks the stored size and hash, as local first does.
 */
async function inMemory(bytes, verify) {
  const document = newNote();
  const started = performance.now();
  const placeholder = '![Uploading image.png…](bytedrop:bench)';
  const insert = new vscode.WorkspaceEdit();
  insert.insert(document.uri, end(document).start, placeholder);
  await vscode.workspace.applyEdit(insert);
  const result = await uploader.upload(bytes, { filename: 'image.png', contentType: 'image/png' });
  if (verify) await verifyUpload(uploader, result);
  const at = document.getText().indexOf(placeholder);
  const swap = new vscode.WorkspaceEdit();
  swap.replace(
    document.uri,
    new vscode.Range(document.positionAt(at), document.positionAt(at + placeholder.length)),
    formatLink(result, 'markdown'),
  );
  await vscode.workspace.applyEdit(swap);
  const ms = performance.now() - started;
  if (!/\]\(http[^)]+\)$/.test(document.getText())) throw new Error('in-memory paste: no link');
  return ms;
}

const out = {};
if (mode === 'provider') {
  for (const [bytes, count] of Object.entries(plan.sizes)) {
    const paste = [];
    const drop = [];
    timed(pasteProvider, 'provideDocumentPasteEdits', paste);
    timed(dropProvider, 'provideDocumentDropEdits', drop);
    for (let i = -plan.warmups; i < count; i++) {
      const pasted = newNote();
      if (!(await fake.paste(pasted, [end(pasted)], transferOf('image.png', png(Number(bytes))))).applied)
        throw new Error('the paste was not applied');
      await finalLink(pasted);
      await settled('paste');
      const dropped = newNote();
      if (
        !(await fake.drop(dropped, end(dropped).start, transferOf('image.png', png(Number(bytes))))).applied
      )
        throw new Error('the drop was not applied');
      await finalLink(dropped);
      await settled('drop');
      if (i < 0) {
        paste.length = 0;
        drop.length = 0;
      }
    }
    out[bytes] = { paste: [...paste], drop: [...drop] };
    delete pasteProvider.provideDocumentPasteEdits;
    delete dropProvider.provideDocumentDropEdits;
  }
} else {
  const ways = {
    inMemory: () => inMemory(png(plan.bytes), false),
    inMemoryVerified: () => inMemory(png(plan.bytes), true),
    localFirst: () => localFirst(png(plan.bytes)),
  };
  Object.assign(out, await rotate(ways, plan));
}
process.stdout.write(`${JSON.stringify(out)}\n`);
