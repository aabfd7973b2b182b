/**
 * Scratch projects of every kind a user starts from: plain ESM, plain CommonJS, and TypeScript with
 * `moduleResolution` node16, nodenext and bundler. Each runs one program that loads all four published entries and
 * uploads through each: core's uploader, `/node`'s `uploadFile`, the server's fetch handler and the Node runner.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** How each entry is loaded: ESM `import` (also TypeScript source) or CommonJS `require`. */
const IMPORTS = `import { createUploader } from '@bytedrop/core';
import { uploadFile } from '@bytedrop/core/node';
import { createHandler } from '@bytedrop/server';
import { serve } from '@bytedrop/server/node';
`;
const REQUIRES = `const { createUploader } = require('@bytedrop/core');
const { uploadFile } = require('@bytedrop/core/node');
const { createHandler } = require('@bytedrop/server');
const { serve } = require('@bytedrop/server/node');
`;

/**
 * The program, valid as JavaScript and as strict TypeScript. It prints the four links as a JSON array; the test
 * fetches each and compares the bytes. SCRATCH holds the S3 config, a file to upload, an access key and a secret.
 */
const BODY = `
const { config, file, key, secret, label } = JSON.parse(String(process.env.SCRATCH));

function form(text) {
  const body = new FormData();
  body.append('file', new Blob([\`\${label} \${text}\`]), 'server.txt');
  return body;
}

async function main() {
  const uploader = createUploader(config);
  const urls = [];
  const bytes = new TextEncoder().encode(\`\${label} core\`);
  urls.push((await uploader.upload(bytes, { filename: 'core.txt' })).url);
  urls.push((await uploadFile(uploader, file)).url);
  const keys = [{ name: 'scratch', key }];
  const handler = createHandler({ uploader, keys, secret });
  const request = new Request('http://localhost/upload', {
    method: 'POST',
    body: form('server'),
    headers: { authorization: key },
  });
  urls.push(JSON.parse(await (await handler(request)).text()).url);
  const server = await serve({ uploader, keys, secret, port: 0, hostname: '127.0.0.1' });
  try {
    const init = { method: 'POST', body: form('server/node'), headers: { authorization: key } };
    urls.push(JSON.parse(await (await fetch(\`\${server.url}/upload\`, init)).text()).url);
  } finally {
    await server.close(true);
  }
  console.log(JSON.stringify(urls));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

/** What the four uploads hold, in order, for a project labelled `label` (the file's content is written by the test). */
export const expectedBodies = (label: string) => [
  `${label} core`,
  `${label} file`,
  `${label} server`,
  `${label} server/node`,
];

/**
 * Type-level checks compiled (never run) in every TypeScript project: the config is typed through the published
 * declarations, so a misspelt field fails to compile in each resolution mode.
 */
const TYPES = `import { createUploader, type UploadResult } from '@bytedrop/core';

export async function typed(): Promise<UploadResult> {
  // @ts-expect-error: 'publicUrl' is not a config field ('publicBaseUrl' is)
  createUploader({ bucket: 'notes', publicUrl: 'https://cdn.example.com' });
  return createUploader({ bucket: 'notes', publicBaseUrl: 'https://cdn.example.com' }).upload(new Uint8Array(1), {
    filename: 'a.txt',
  });
}
`;

/** A scratch project: its files, how to build it, and the programs to run (relative to its directory). */
export interface ScratchProject {
  name: string;
  files: Record<string, string>;
  /** `tsc` arguments (run in the project), or none for plain JavaScript. */
  tsc?: string[];
  /** Bundle `entry` into `programs[0]` with esbuild, as an app with a bundler would. */
  bundle?: { entry: string };
  programs: string[];
}

const tsconfig = (options: Record<string, unknown>) =>
  JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022'],
      types: ['node'],
      strict: true,
      skipLibCheck: true,
      outDir: 'out',
      ...options,
    },
    include: ['*.ts', '*.mts'],
  });

/** A TypeScript project for Node's resolution (node16 or nodenext): a CommonJS `.ts` and an ESM `.mts`. */
const nodeTs = (mode: 'node16' | 'nodenext'): ScratchProject => ({
  name: `ts-${mode}`,
  files: {
    'package.json': JSON.stringify({ type: 'commonjs' }),
    'tsconfig.json': tsconfig({ module: mode, moduleResolution: mode }),
    'main.ts': IMPORTS + BODY.replaceAll('function form(text)', 'function form(text: string)'),
    'main-esm.mts': IMPORTS + BODY.replaceAll('function form(text)', 'function form(text: string)'),
    'types.ts': TYPES,
  },
  tsc: ['-p', '.'],
  programs: ['out/main.js', 'out/main-esm.mjs'],
});

export const SCRATCH_PROJECTS: ScratchProject[] = [
  {
    name: 'esm',
    files: { 'package.json': JSON.stringify({ type: 'module' }), 'main.js': IMPORTS + BODY },
    programs: ['main.js'],
  },
  {
    name: 'cjs',
    // What `npm init -y` writes: no "type", so CommonJS.
    files: { 'package.json': JSON.stringify({ name: 'cjs', version: '1.0.0' }), 'main.js': REQUIRES + BODY },
    programs: ['main.js'],
  },
  nodeTs('node16'),
  nodeTs('nodenext'),
  {
    name: 'ts-bundler',
    files: {
      'package.json': JSON.stringify({ type: 'module' }),
      'tsconfig.json': tsconfig({ module: 'preserve', moduleResolution: 'bundler', noEmit: true }),
      'main.ts': IMPORTS + BODY.replaceAll('function form(text)', 'function form(text: string)'),
      'types.ts': TYPES,
    },
    tsc: ['-p', '.'],
    bundle: { entry: 'main.ts' },
    programs: ['out/main.mjs'],
  },
];

/** Writes a project's files under `root/<name>`; returns its directory. */
export async function writeProject(root: string, project: ScratchProject): Promise<string> {
  const dir = join(root, project.name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(project.files)) await writeFile(join(dir, file), text);
  return dir;
}
