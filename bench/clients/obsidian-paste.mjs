/**
 * Obsidian paste timings: the plugin and the tests' fake of Obsidian's API, bundled together by the section.
 * Usage: node obsidian-paste.mjs <bundle.cjs> <settings.json> <secret> <mode> <plan>.
 * - mode `handler`: how long the editor-paste handler takes to return, per image size (`plan`: { sizes: { bytes:
 *   count }, warmups }); each paste's upload settles before the next, so every paste meets a quiet plugin.
 * - mode `e2e`: paste to final link for 1 MiB PNGs (`plan`: { count, warmups, bytes }), the plugin's local-first paste
 *   against the same upload done as the plugin did before (placeholder, upload from memory, link), with and without
 *   the verifying HEAD, in rotating order.
 * Prints JSON. Fails if any paste ends without its link or shows a notice.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { formatLink, verifyUpload } from '../../packages/core/dist/index.js';
import { rotate } from './_rotation.mjs';

const [bundlePath, settingsPath, secret, mode, planJson] = process.argv.slice(2);
const { obsidian: fake, BytedropPlugin: Plugin } = createRequire(import.meta.url)(bundlePath);
const plan = JSON.parse(planJson);

/** Distinct bytes per paste (random after a PNG signature and IHDR start), so none deduplicates. */
function png(size) {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65_536)
    crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65_536)));
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
  return new File([bytes], 'image.png', { type: 'image/png' });
}

function pasteEvent(file) {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
    clipboardData: { files: [file], types: ['Files'], getData: () => '' },
  };
}

const app = new fake.App();
app.secretStorage.setSecret('bench-s3', secret);
const note = await app.vault.seed('Bench.md', '');
const view = await app.workspace.openNote(note);
const plugin = new Plugin(app, {
  id: 'bytedrop',
  name: 'Bytedrop',
  version: '0.0.0',
  dir: '.obsidian/plugins/bytedrop',
});
plugin.dataJson = readFileSync(settingsPath, 'utf8');
await plugin.onload();
const { editor } = view;

/** Throws unless the last paste ended as a link to the bucket, with no notice. */
function check(what) {
  if (fake.Notice.shown.length > 0) throw new Error(`${what}: notice '${fake.Notice.shown.join(' | ')}'`);
  if (!/\]\(http[^)]+\)$/.test(editor.getValue()))
    throw new Error(`${what}: no link in '${editor.getValue().slice(0, 200)}'`);
}

/** The plugin's own paste; `handler` is the time until the handler returned, `link` until the link is final. */
async function pluginPaste(file) {
  editor.setValue('');
  const evt = pasteEvent(file);
  const started = performance.now();
  app.workspace.trigger('editor-paste', evt, editor, view);
  const handler = performance.now() - started;
  if (!evt.defaultPrevented) throw new Error('the plugin did not take the paste');
  await plugin.whenIdle();
  const link = performance.now() - started;
  check('local-first paste');
  return { handler, link };
}

/**
 * The paste as the plugin made it before local first: placeholder, upload from memory, link; same uploader. With
 * `verify`, also the HEAD that checks the stored size and hash, as local first does before its swap.
 */
async function inMemoryPaste(file, verify) {
  editor.setValue('');
  const started = performance.now();
  const placeholder = '![Uploading image.png…](bytedrop:bench)';
  editor.replaceSelection(placeholder);
  const result = await plugin.uploader().upload(file, {
    filename: file.name,
    size: file.size,
    contentType: file.type,
    allowedTypes: ['image/*'],
  });
  if (verify) await verifyUpload(plugin.uploader(), result);
  const at = editor.getValue().indexOf(placeholder);
  editor.replaceRange(
    formatLink(result, 'markdown'),
    editor.offsetToPos(at),
    editor.offsetToPos(at + placeholder.length),
  );
  const ms = performance.now() - started;
  check('in-memory paste');
  return ms;
}

const out = {};
if (mode === 'handler') {
  for (const [bytes, count] of Object.entries(plan.sizes)) {
    const times = [];
    for (let i = -plan.warmups; i < count; i++) {
      const { handler } = await pluginPaste(png(Number(bytes)));
      if (i >= 0) times.push(handler);
    }
    out[bytes] = times;
  }
} else {
  const ways = {
    inMemory: () => inMemoryPaste(png(plan.bytes), false),
    inMemoryVerified: () => inMemoryPaste(png(plan.bytes), true),
    localFirst: async () => (await pluginPaste(png(plan.bytes))).link,
  };
  Object.assign(out, await rotate(ways, plan));
}
process.stdout.write(`${JSON.stringify(out)}\n`);
