/**
 * The published tarballs, installed into scratch projects of every kind (ESM, CommonJS, TypeScript node16, nodenext
 * and bundler), each uploading through all four entries to s3rver. (publint and arethetypeswrong check the tarballs
 * in `packed-lint.test.ts`.) Runs offline: see `_support/packed.ts`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { s3Config } from '../../core/test/_support/s3';
import { KEY, SECRET } from './_support/fixtures';
import { installTarballs, packAll, tool, toolBin } from './_support/packed';
import { expectedBodies, SCRATCH_PROJECTS, writeProject } from './_support/scratch-projects';

/** This process's environment without AWS settings (the CA bundle breaks plain-http loopback clients). */
const childEnv = (extra: Record<string, string>) => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_'))),
  ...extra,
});

describe('the packed tarballs', () => {
  let root: string;
  let tarballs: string[];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'bytedrop-packed-'));
    tarballs = await packAll(root);
    await installTarballs(root, tarballs, ['@types/node']);
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  describe.each(SCRATCH_PROJECTS.map((project) => [project.name, project] as const))(
    '%s',
    (name, project) => {
      it('compiles, then uploads through every entry', async () => {
        const dir = await writeProject(root, project);
        if (project.tsc) await tool(toolBin('typescript/bin/tsc'), project.tsc, dir);
        if (project.bundle) {
          await build({
            entryPoints: [join(dir, project.bundle.entry)],
            outfile: join(dir, project.programs[0]!),
            bundle: true,
            platform: 'node',
            format: 'esm',
            logLevel: 'error',
            // The app bundles Bytedrop (resolving its `exports` as a bundler does); its dependencies stay packages.
            plugins: [
              {
                name: 'bytedrop-only',
                setup(b) {
                  b.onResolve({ filter: /^[^./]/ }, (args) =>
                    args.path.startsWith('@bytedrop/') ? undefined : { path: args.path, external: true },
                  );
                },
              },
            ],
          });
        }
        for (const program of project.programs) {
          const label = `${name}/${program}`;
          const file = join(dir, 'file.txt');
          await writeFile(file, `${label} file`);
          const scratch = { config: s3Config(inject('s3')), file, key: KEY, secret: SECRET, label };
          // An app on Node 20 silences the AWS SDK's Node-version notice with the SDK's documented switch (the README
          // says so); anything else on stderr is a problem the library caused.
          const env = childEnv({
            SCRATCH: JSON.stringify(scratch),
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          });
          const { stdout, stderr } = await tool(join(dir, program), [], dir, env);
          // Nothing but the links: no warning from Node or a dependency reaches a user of the library.
          expect(stderr, label).toBe('');
          const urls = JSON.parse(stdout) as string[];
          const bodies = await Promise.all(urls.map(async (url) => (await fetch(url)).text()));
          expect(bodies, label).toEqual(expectedBodies(label));
        }
      });
    },
  );
});
