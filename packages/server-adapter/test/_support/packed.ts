/**
 * The published packages as a user gets them: `pnpm pack` of core and server, unpacked into a scratch directory's
 * node_modules the way npm lays them out (flat), with each declared dependency linked from the workspace's install.
 * Nothing is downloaded, so the check runs offline; a dependency used but not declared is missing here, as it would be
 * for a user.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, realpath, stat, symlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repoDir = resolve(import.meta.dirname, '../../../..');

/** The published packages: workspace directory and name. */
export const PUBLISHED = [
  { dir: 'packages/core', name: '@bytedrop/core' },
  { dir: 'packages/server-adapter', name: '@bytedrop/server' },
] as const;

/** Fails with the fix when a package has no build: the tarball would silently hold an old or empty dist. */
async function assertBuilt(dir: string): Promise<void> {
  const entry = join(repoDir, dir, 'dist/index.d.ts');
  try {
    await stat(entry);
  } catch {
    throw new Error(`${entry} is missing: run \`pnpm -r build\` first (the tarballs are packed from dist)`);
  }
}

/** `pnpm pack`s each published package into `into`; returns the tarballs' paths in `PUBLISHED` order. */
export async function packAll(into: string): Promise<string[]> {
  const tarballs: string[] = [];
  for (const { dir } of PUBLISHED) {
    await assertBuilt(dir);
    const { stdout } = await run('pnpm', ['pack', '--pack-destination', into], { cwd: join(repoDir, dir) });
    const tarball = stdout.trim().split('\n').at(-1)!;
    tarballs.push(tarball);
  }
  return tarballs;
}

interface Manifest {
  dependencies?: Record<string, string>;
}

/**
 * Unpacks the tarballs into `<root>/node_modules`, then links every dependency they declare (other than each other)
 * from where pnpm installed it for the workspace package, plus `extra` packages from the workspace root (e.g.
 * `@types/node`). Node follows the links to pnpm's store, where each package finds its own dependencies.
 */
export async function installTarballs(root: string, tarballs: string[], extra: string[] = []): Promise<void> {
  const modules = join(root, 'node_modules');
  const published = new Set<string>(PUBLISHED.map((p) => p.name));
  const linked = new Set<string>();
  const link = async (name: string, from: string) => {
    if (linked.has(name) || published.has(name)) return;
    linked.add(name);
    const target = join(modules, name);
    await mkdir(dirname(target), { recursive: true });
    await symlink(await realpath(join(from, 'node_modules', name)), target, 'dir');
  };
  for (const [index, { dir, name }] of PUBLISHED.entries()) {
    const target = join(modules, name);
    await mkdir(target, { recursive: true });
    await run('tar', ['-xzf', tarballs[index]!, '-C', target, '--strip-components=1']);
    const manifest = JSON.parse(await readFile(join(target, 'package.json'), 'utf8')) as Manifest;
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      await link(dependency, join(repoDir, dir));
    }
  }
  for (const name of extra) await link(name, repoDir);
}

/** The workspace's copy of a tool's bin script, run with this Node (no shell, no PATH lookup). */
export function toolBin(relative: string): string {
  return join(repoDir, 'node_modules', relative);
}

/** Runs a Node script to completion with this Node; a failure carries its output, so the report shows what it said. */
export async function tool(
  file: string,
  args: string[],
  cwd: string,
  env?: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(process.execPath, [file, ...args], { cwd, env });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${failed.message}\n${failed.stdout ?? ''}${failed.stderr ?? ''}`);
  }
}
