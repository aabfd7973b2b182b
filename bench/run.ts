/**
 * `pnpm bench`: builds the packages, then measures Bytedrop against its peers in one run on this machine,
 * prints a Markdown table and writes the figures as JSON to bench/results/.
 *
 * Options: --only hash,upload,paste,endpoint,footprint,obsidian,vscode,images,catalog,small-upload,tus,zip,cli-resume  --runs N (≥5)  --warmups N  --size-mib N  --no-build
 *          --quick (a smoke run: 64 MiB file, fewer uploads; its figures are not the bench's)
 *          --servers sink,s3rver,radosgw (only the rows against these S3 servers)
 */
import { mkdir, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type BenchContext, ROOT, RUN_DIR } from './lib/context.js';
import { warmPageCache, writeRandomFile } from './lib/files.js';
import { loadLine, sampleLoad } from './lib/load.js';
import { describeMachine, machineLine } from './lib/machine.js';
import { run } from './lib/measure.js';
import { renderMarkdown, type SectionResult, writeJson } from './lib/report.js';
import { SERVER_KINDS, type ServerKind } from './lib/servers.js';
import { catalogSection } from './sections/catalog.js';
import { cliResumeSection } from './sections/cli-resume.js';
import { endpointSection } from './sections/endpoint.js';
import { footprintSection } from './sections/footprint.js';
import { hashSection } from './sections/hash.js';
import { imagesSection } from './sections/images.js';
import { obsidianSection } from './sections/obsidian.js';
import { pasteSection } from './sections/paste.js';
import { smallUploadSection } from './sections/small-upload.js';
import { tusSection } from './sections/tus.js';
import { uploadSection } from './sections/upload.js';
import { vscodeSection } from './sections/vscode.js';
import { zipSection } from './sections/zip.js';

const SECTIONS = {
  hash: hashSection,
  upload: uploadSection,
  paste: pasteSection,
  endpoint: endpointSection,
  footprint: footprintSection,
  obsidian: obsidianSection,
  vscode: vscodeSection,
  images: imagesSection,
  catalog: catalogSection,
  'small-upload': smallUploadSection,
  tus: tusSection,
  zip: zipSection,
  'cli-resume': cliResumeSection,
} as const;
type SectionName = keyof typeof SECTIONS;

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    runs: { type: 'string', default: '5' },
    warmups: { type: 'string', default: '1' },
    'size-mib': { type: 'string', default: '1024' },
    'no-build': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    servers: { type: 'string' },
  },
});
const names = (values.only?.split(',') ?? Object.keys(SECTIONS)) as SectionName[];
for (const name of names) {
  if (!(name in SECTIONS))
    throw new Error(`unknown section '${name}': use ${Object.keys(SECTIONS).join(', ')}`);
}

const servers = (values.servers?.split(',') ?? [...SERVER_KINDS]) as ServerKind[];
for (const kind of servers) {
  if (!SERVER_KINDS.includes(kind))
    throw new Error(`unknown server '${kind}': use ${SERVER_KINDS.join(', ')}`);
}

const started = performance.now();
const log = (message: string) => {
  process.stderr.write(
    `[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}\n`,
  );
};

const load = sampleLoad();
const machine = await describeMachine();
log(machineLine(machine));
if (!values['no-build']) {
  log('pnpm -r build');
  // A package that fails to build skips only the rows that need it.
  await run('pnpm', ['-r', 'build'], { cwd: ROOT, timeoutMs: 300_000 }).catch((error: unknown) => {
    log(`build failed, continuing with what exists: ${String(error).slice(0, 500)}`);
  });
}

await mkdir(RUN_DIR, { recursive: true });
const bigFile = join(RUN_DIR, 'big.bin');
const cleanUp = () => rm(RUN_DIR, { recursive: true, force: true });
process.once('SIGINT', () => {
  cleanUp().finally(() => process.exit(130));
});

const ctx: BenchContext = {
  machine,
  runs: Math.max(5, Number(values.runs)),
  warmups: Number(values.warmups),
  bigFile,
  bigFileSize: (values.quick ? 64 : Number(values['size-mib'])) * 2 ** 20,
  warmFile: join(RUN_DIR, 'warm.bin'),
  warmFileSize: 64 * 2 ** 20,
  quick: values.quick ?? false,
  servers,
  log,
};

const results: SectionResult[] = [];
try {
  if (names.includes('hash') || names.includes('upload')) {
    log(`writing ${ctx.bigFileSize / 2 ** 20} MiB of random bytes to ${bigFile}`);
    await writeRandomFile(bigFile, ctx.bigFileSize);
    await warmPageCache(bigFile);
    await writeRandomFile(ctx.warmFile, ctx.warmFileSize);
  }
  for (const name of names) {
    log(`section ${name} (1-minute load average ${loadavg()[0]?.toFixed(1)})`);
    try {
      results.push(await SECTIONS[name](ctx));
    } catch (error) {
      // One broken section must not hide the others' figures.
      log(`section ${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
      results.push({ title: name, table: [], targets: [], notes: [`FAILED: ${String(error)}`], data: null });
    }
  }
} finally {
  await cleanUp();
}

const seconds = (performance.now() - started) / 1000;
const command = `pnpm bench${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
const loadSeen = load.stop();
const markdown = renderMarkdown(machine, results, seconds, command, loadLine(loadSeen));
process.stdout.write(`${markdown}\n`);
const path = await writeJson({
  machine,
  command,
  seconds,
  load: loadSeen,
  runs: ctx.runs,
  warmups: ctx.warmups,
  sections: results,
  markdown,
});
log(`wrote ${path}`);
