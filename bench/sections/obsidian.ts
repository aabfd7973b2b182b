/**
 * 6. Obsidian paste: the plugin over the tests' fake of Obsidian's API (packages/obsidian-plugin/test/fake-obsidian),
 * bundled together here with esbuild for Node. How long the editor-paste handler takes
 * to return for 100 KiB, 8 MiB and 30 MiB images (typing during that time could race it), and what local first
 * (copy into the vault, journal, verifying HEAD, swap) adds to paste-to-final-link for 1 MiB, against the same upload
 * done from memory as the plugin did before.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type BenchContext, bench, built, RUN_DIR, root } from '../lib/context.js';
import {
  finalLinkPlan,
  finalLinkReport,
  PASTE_SIZES,
  returnCells,
  returnTarget,
  returnTimes,
  runPasteClient,
  sizeLabel,
  sizePlan,
} from '../lib/editor-paste.js';
import { type SectionResult, type Target, tableLines } from '../lib/report.js';
import type { ServerKind } from '../lib/servers.js';

/** Runs the client against a fresh server of `kind`; resolves to its JSON. */
function client(
  ctx: BenchContext,
  dir: string,
  bundle: string,
  kind: ServerKind,
  mode: string,
  plan: object,
) {
  return runPasteClient<Record<string, number[]>>(kind, async (target) => {
    const settings = join(dir, `${kind}.json`);
    await writeFile(
      settings,
      JSON.stringify({
        target: 's3',
        // AWS's preset (R2's is the same here): create-only writes are enforced, so a fresh upload verifies itself.
        provider: 'aws',
        endpoint: target.endpoint,
        bucket: target.bucket,
        accessKeyId: target.accessKeyId,
        secretKeyName: 'bench-s3',
        publicBaseUrl: `${target.endpoint}/${target.bucket}`,
        pathStyle: 'path',
        // The handler runs keep 30 MiB copies out of the fake's in-memory vault; the e2e runs measure the default.
        keepLocalCopies: mode !== 'handler',
      }),
    );
    ctx.log(`obsidian ${mode} against ${kind}`);
    return [
      bench('clients/obsidian-paste.mjs'),
      bundle,
      settings,
      target.secretAccessKey,
      mode,
      JSON.stringify(plan),
    ];
  });
}

export async function obsidianSection(ctx: BenchContext): Promise<SectionResult> {
  const title = '6. Obsidian paste (the plugin over the fake Obsidian API)';
  if (!built('core')) {
    const notes = ['skipped: packages/core/dist is missing'];
    return { title, table: [], targets: [], notes, data: null };
  }
  const dir = await mkdtemp(join(RUN_DIR, 'obsidian-'));
  try {
    const bundle = join(dir, 'obsidian-bench.cjs');
    const entry = join(dir, 'entry.ts');
    // One bundle, so the plugin and the client share one `obsidian` module (views are told apart by instanceof).
    await writeFile(
      entry,
      `export * as obsidian from 'obsidian';\nexport { default as BytedropPlugin } from '${root('packages/obsidian-plugin/src/main.ts')}';\n`,
    );
    await build({
      entryPoints: [entry],
      outfile: bundle,
      bundle: true,
      format: 'cjs',
      platform: 'node',
      alias: {
        obsidian: root('packages/obsidian-plugin/test/fake-obsidian/index.ts'),
        '@bytedrop/core': root('packages/core/src/index.ts'),
      },
      nodePaths: [root('packages/obsidian-plugin/node_modules')],
      logLevel: 'silent',
    });
    const handler = await client(ctx, dir, bundle, 'sink', 'handler', { sizes: sizePlan(ctx), warmups: 2 });
    const e2ePlan = finalLinkPlan(ctx);
    const e2e = await client(ctx, dir, bundle, 's3rver', 'e2e', e2ePlan);

    const rows = PASTE_SIZES.map((size) => ({ size, ...returnTimes(handler[size] ?? []) }));
    const finalLink = finalLinkReport(e2e, '');
    const table = [
      ...tableLines(
        ['image', 'pastes', 'handler p50 ms', 'p95 ms', 'max ms'],
        rows.map((r) => [sizeLabel(r.size), ...returnCells(r)]),
      ),
      '',
      ...finalLink.table,
    ];
    const targets: Target[] = [
      ...rows.map((r) => returnTarget(`Obsidian paste handler returns, ${sizeLabel(r.size)}`, r)),
      ...finalLink.targets,
    ];
    return {
      title,
      table,
      targets,
      notes: [
        'Handler: from triggering editor-paste to its return, one paste at a time, each upload settled before the next (to the sink, so 30 MiB pastes finish quickly). The handler inserts a placeholder and returns; reading, writing and uploading happen after. The p95 of 10 pastes is their maximum.',
        `Paste to final link: ${e2ePlan.count} pastes of distinct 1 MiB PNGs each way, in rotating order, after ${e2ePlan.warmups} warm-ups, to s3rver. "From memory" is the pre-local-first paste (placeholder, upload of the clipboard bytes, link) on the plugin's own uploader; "then a verifying HEAD" adds core's verifyUpload; "local first" is the plugin's paste until all its work settled (copy, journal entry written, updated and closed, upload, swap, note saved, ledger). The provider is the AWS preset (R2's behaves the same), one whose create-only writes are enforced: a fresh upload then proves its object itself (UploadResult.verified) and local first sends no verifying HEAD. On B2, Spaces, Wasabi, COS, OSS, MinIO (unless declared recent) and unknown S3 servers it does send one, which the middle row prices.`,
        `A verifying HEAD costs ${finalLink.headMs.toFixed(1)} ms here, ${(finalLink.headShare * 100).toFixed(0)} % of a loopback paste whose 1 MiB PUT takes a few tens of ms (through the fake's requestUrl over Node's fetch); over a real link, where sending 1 MiB takes far longer than one more round trip, its share shrinks accordingly. Local first's own work (copy, journal, swap, note saved) is partly paid back: it uploads from the bytes it already read, where the paste from memory has core read the File twice (to hash, then to send).`,
        "The plugin's source is bundled for Node (the AWS SDK's Node build: the browser build in main.js parses XML with the DOMParser Obsidian has and Node lacks); its HTTP goes through the same requestUrl handler, here the fake's requestUrl over Node's fetch.",
        "The fake's vault and adapter are in memory: the copy and journal writes cost no disk time here. On a desktop, writing 1 MiB and three small files to the page cache adds about a millisecond; on a phone, more.",
      ],
      data: { handler, e2e },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
