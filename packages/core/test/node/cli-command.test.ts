/**
 * `bytedrop` as a command on PATH: the package's bin from any directory, `pnpm exec` inside the repository with
 * nothing of pnpm's on stdout, paths relative to the caller (INIT_CWD under a package script), `--json` for scripts
 * and shell completion generated from the CLI's definition.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import module from 'node:module';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildCli, cleanEnv, coreDir, type Outcome, removeCli, runCli, s3EnvOf } from '../_support/cli';

const run = promisify(execFile);
const repoDir = resolve(coreDir, '../..');

/** Runs any program to completion; a non-zero exit is an outcome. */
async function exec(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  try {
    const { stdout, stderr } = await run(file, args, options);
    return { code: 0, stdout, stderr } satisfies Outcome;
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('the bytedrop command', () => {
  let cli: string;
  let work: string;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    cli = await buildCli();
    work = await mkdtemp(join(coreDir, 'node_modules/.cache/bytedrop-command-'));
    await mkdir(join(work, 'notes'));
    await writeFile(join(work, 'notes/a.txt'), `a ${work}\n`);
    await writeFile(join(work, 'notes/b.txt'), `b ${work}\n`);
    const s3 = inject('s3');
    env = {
      ...cleanEnv(work),
      ...s3EnvOf(s3),
    };
  }, 240_000);
  afterAll(async () => {
    await removeCli(cli);
    if (work) await rm(work, { recursive: true, force: true });
  });

  describe('--json', () => {
    it('upload prints one document with every file; links fetch the bytes', async () => {
      const result = await runCli(cli, ['upload', '--json', 'a.txt', 'b.txt'], {
        cwd: join(work, 'notes'),
        env,
      });
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.ok).toBe(true);
      expect(report.files.map((f: { file: string }) => f.file)).toEqual(['a.txt', 'b.txt']);
      expect(report.files[0]).toMatchObject({
        contentType: 'text/plain',
        deduplicated: false,
        size: 2 + work.length + 1,
      });
      expect(report.files[0].link).toBe(report.files[0].url);
      expect(await (await fetch(report.files[1].url)).text()).toBe(`b ${work}\n`);
    });

    it('upload names a failed file with its code, still one document, exit 1', async () => {
      const result = await runCli(cli, ['upload', '--json', 'a.txt', 'missing.txt'], {
        cwd: join(work, 'notes'),
        env,
      });
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout);
      expect(report.ok).toBe(false);
      expect(report.files[0]).toMatchObject({ file: 'a.txt', deduplicated: true });
      expect(report.files[1]).toMatchObject({ file: 'missing.txt', error: { code: 'ERR_INPUT' } });
      expect(report.files[1].error.message).toContain('missing.txt');
    });

    it('hash and doctor print JSON too', async () => {
      const hash = await runCli(cli, ['hash', '--json', 'notes/a.txt'], { cwd: work, env });
      expect(JSON.parse(hash.stdout)).toMatchObject({ file: 'notes/a.txt', algorithm: 'sha256' });
      expect(JSON.parse(hash.stdout).hash).toMatch(/^[0-9a-f]{64}$/);
      const doctor = await runCli(cli, ['doctor', '--json'], { cwd: work, env });
      const report = JSON.parse(doctor.stdout);
      expect(report.checks.find((check: { id: string }) => check.id === 'bucket')).toMatchObject({
        status: 'ok',
      });
    });
  });

  describe('relative paths', () => {
    /** What npm and pnpm set for a script of the package at repoDir, typed from `notes/`. */
    const scriptEnv = () => ({
      ...env,
      npm_lifecycle_event: 'bytedrop',
      npm_package_json: join(repoDir, 'package.json'),
      INIT_CWD: join(work, 'notes'),
    });

    it('resolve against INIT_CWD when a package script runs the command from the package root', async () => {
      const result = await runCli(cli, ['hash', 'a.txt'], { cwd: repoDir, env: scriptEnv() });
      expect(result.code, result.stderr).toBe(0);
      const direct = await runCli(cli, ['hash', 'a.txt'], { cwd: join(work, 'notes'), env });
      expect(result.stdout).toBe(direct.stdout);
    });

    it('resolve against the directory a script started the command in (cd docs && bytedrop …)', async () => {
      await writeFile(join(work, 'only-here.txt'), 'not in notes/');
      const result = await runCli(cli, ['hash', 'only-here.txt'], { cwd: work, env: scriptEnv() });
      expect(result.code, result.stderr).toBe(0);
    });

    it('resolve against the working directory otherwise, even with a stale INIT_CWD', async () => {
      const result = await runCli(cli, ['hash', 'a.txt'], {
        cwd: join(work, 'notes'),
        env: { ...env, INIT_CWD: repoDir },
      });
      expect(result.code, result.stderr).toBe(0);
    });
  });

  describe('on PATH', () => {
    it("the package's bin runs from any directory, with links alone on stdout and no SDK notice", async () => {
      const bin = join(coreDir, 'bin/bytedrop.js');
      const result = await exec(bin, ['upload', 'notes/a.txt'], { cwd: work, env });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^http:\/\/\S+\.txt\n$/);
      expect(result.stderr).not.toMatch(/NodeVersionSupportWarning|AWS SDK/);
    });

    // Node < 22.8 has no compile cache API (nor has @types/node 20 its type): the bin skips it there, and so do these
    // tests (the CI runs core's tests on Node 24 as well).
    const withCompileCache = it.runIf(
      typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function',
    );
    /** `bytedrop hash` through the bin, with Node's own compile-cache settings cleared and `cacheEnv` on top. */
    const hashThroughBin = async (cacheEnv: NodeJS.ProcessEnv) => {
      const bin = join(coreDir, 'bin/bytedrop.js');
      const result = await exec(process.execPath, [bin, 'hash', 'notes/a.txt'], {
        cwd: work,
        env: { ...env, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined, ...cacheEnv },
      });
      expect(result.code, result.stderr).toBe(0);
    };

    withCompileCache(
      "the bin keeps Node's compiled code under $XDG_CACHE_HOME/bytedrop/compile-cache",
      async () => {
        const cache = join(work, 'xdg-cache');
        await hashThroughBin({ XDG_CACHE_HOME: cache });
        expect(await readdir(join(cache, 'bytedrop/compile-cache'))).not.toEqual([]);
      },
    );

    withCompileCache(
      'a relative $XDG_CACHE_HOME is ignored: the cache goes under $HOME/.cache, never into the current directory',
      async () => {
        const home = join(work, 'home');
        await hashThroughBin({ HOME: home, XDG_CACHE_HOME: 'relative-cache' });
        expect(await readdir(work)).not.toContain('relative-cache');
        expect(await readdir(join(home, '.cache/bytedrop/compile-cache'))).not.toEqual([]);
      },
    );

    it('`pnpm exec bytedrop` and `pnpm bytedrop` in the repository print only what the command prints', async () => {
      const here = join(coreDir, 'test');
      for (const args of [['exec', 'bytedrop'], ['bytedrop']]) {
        const result = await exec('pnpm', [...args, 'hash', '../package.json'], { cwd: here, env });
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout).toMatch(/^[0-9a-f]{64}\n$/);
      }
      const failed = await exec('pnpm', ['exec', 'bytedrop', 'hash', 'nope.txt'], { cwd: here, env });
      expect(failed.code).toBe(1);
      expect(failed.stdout).toBe('');
      expect(failed.stderr).not.toContain('ELIFECYCLE');
    });
  });

  describe('completion', () => {
    const script = async (shell: string) => {
      const result = await runCli(cli, ['completion', shell], { cwd: work, env });
      expect(result.code, result.stderr).toBe(0);
      const file = join(work, `completion.${shell}`);
      await writeFile(file, result.stdout);
      return { file, text: result.stdout };
    };

    it.each(['bash', 'zsh', 'fish'])(
      '%s: the script parses (`%s -n`) and lists every command',
      async (shell) => {
        const { file, text } = await script(shell);
        const check = await exec(shell, ['-n', file], { cwd: work, env });
        expect(
          check.code,
          `${shell} is needed for this test (apt-get install ${shell}): ${check.stderr}`,
        ).toBe(0);
        for (const command of ['upload', 'hash', 'doctor', 'gc', 'completion'])
          expect(text).toContain(command);
        expect(text).toMatch(/--json|-l json/);
      },
    );

    it('bash completes commands, options and option values', async () => {
      const { file } = await script('bash');
      const complete = async (...words: string[]) => {
        const line = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _bytedrop_completion; echo "\${COMPREPLY[*]}"`;
        return (await exec('bash', ['-c', line], { cwd: work, env })).stdout.trim();
      };
      expect(await complete('bytedrop', 'up')).toBe('upload');
      expect(await complete('bytedrop', 'upload', '--fo')).toBe('--format');
      expect(await complete('bytedrop', 'upload', '--format', 'm')).toBe('markdown');
      expect(await complete('bytedrop', 'completion', 'f')).toBe('fish');
    });

    it('fish completes commands and option values', async () => {
      const { file } = await script('fish');
      const complete = async (line: string) =>
        (await exec('fish', ['-c', `source ${file}; complete -C '${line}'`], { cwd: work, env })).stdout
          .split('\n')
          .map((entry) => entry.split('\t')[0])
          .filter(Boolean);
      expect(await complete('bytedrop up')).toEqual(['upload']);
      expect(await complete('bytedrop hash --algorithm ')).toEqual(['md5', 'sha256']);
    });

    it('an unknown shell is a usage error naming the shells', async () => {
      const result = await runCli(cli, ['completion', 'tcsh'], { cwd: work, env });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain("no completion for shell 'tcsh': use bash, zsh, fish");
    });
  });
});
