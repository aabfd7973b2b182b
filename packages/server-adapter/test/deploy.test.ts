/**
 * The deploy recipes in deploy/, checked as far as this machine allows. No Docker engine runs here, so the
 * Dockerfile is linted (dockerfile-utils, the VS Code Docker extension's validator: hadolint is in neither Debian
 * nor npm) and its key properties are read from its syntax tree; its HEALTHCHECK command is run for real against a
 * server. The compose file is parsed; the systemd unit goes through `systemd-analyze verify`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createUploader } from '@bytedrop/core';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type RunningServer, serve } from '../src/node';
import { KEY, type LocalFixture, localFixture, SECRET } from './_support/fixtures';
import { freePort } from './_support/net';
import { requireCommand } from './_support/require';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEPLOY = join(ROOT, 'deploy');
const read = (path: string) => readFile(join(ROOT, path), 'utf8');

/** Every setting the bin documents in --help: a recipe that sets another one sets nothing. */
async function documentedSettings(): Promise<Set<string>> {
  const help = /const HELP = `([\s\S]*?)`;/.exec(await read('packages/server-adapter/src/bin.ts'))![1]!;
  return new Set(help.match(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\b(?:PORT|HOST)\b/g));
}

describe('deploy/Dockerfile', () => {
  let text: string;
  let stages: { name: string | null; image: string | null; lines: [number, number] }[];
  let instructions: { keyword: string; args: string; line: number }[];
  beforeAll(async () => {
    text = await read('deploy/Dockerfile');
    const dockerfile = DockerfileParser.parse(text);
    instructions = dockerfile.getInstructions().map((instruction) => ({
      keyword: instruction.getKeyword(),
      args: instruction.getArgumentsContent() ?? '',
      line: instruction.getRange().start.line,
    }));
    const froms = dockerfile.getFROMs();
    stages = froms.map((from, index) => ({
      name: from.getBuildStage(),
      image: from.getImageName(),
      lines: [
        from.getRange().start.line,
        froms[index + 1]?.getRange().start.line ?? Number.POSITIVE_INFINITY,
      ],
    }));
  });
  const finalStage = () => {
    const [start, end] = stages.at(-1)!.lines;
    return instructions.filter((instruction) => instruction.line >= start && instruction.line < end);
  };

  it('lints clean', () => {
    expect(validate(text).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('is multi-stage: builds with the lockfile, and the runtime stage copies only the deployed server', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]!.name).toBe('build');
    const build = instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(build.join('\n')).toMatch(/pnpm install --frozen-lockfile/);
    expect(build.join('\n')).toMatch(/deploy --prod/);
    const copies = finalStage().filter((i) => i.keyword === 'COPY');
    expect(copies.map((c) => text.split('\n')[c.line])).toEqual(['COPY --from=build /out /app']);
  });

  it('pins the pnpm of package.json and a Node the server supports', async () => {
    const pkg = JSON.parse(await read('package.json')) as { packageManager: string };
    expect(text).toContain(`pnpm@${pkg.packageManager.split('@')[1]}`);
    for (const stage of stages) expect(stage.image).toBe('node');
    expect(text).toMatch(/FROM node:(22|24)-/);
  });

  it('runs as a user that is not root, with the data on a volume and a health check', async () => {
    const users = finalStage().filter((i) => i.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)!.args).not.toMatch(/^(root|0)(:|$)/);
    expect(finalStage().find((i) => i.keyword === 'VOLUME')?.args).toContain('/data');
    const env = finalStage()
      .filter((i) => i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/BYTEDROP_DATA_DIR=\/data/);
    for (const name of env.match(/\b[A-Z_]+(?==)/g)!.filter((n) => n !== 'NODE_ENV'))
      expect(await documentedSettings()).toContain(name);
    expect(finalStage().find((i) => i.keyword === 'EXPOSE')?.args).toBe('8000');
    expect(finalStage().find((i) => i.keyword === 'HEALTHCHECK')?.args).toMatch(/CMD .*\/health/);
    expect(finalStage().at(-1)).toMatchObject({
      keyword: 'ENTRYPOINT',
      args: expect.stringContaining('bin.js'),
    });
  });

  describe('its HEALTHCHECK command', () => {
    let fx: LocalFixture;
    let server: RunningServer;
    let command: string[];
    beforeAll(async () => {
      fx = await localFixture();
      server = await serve({
        port: 0,
        hostname: '127.0.0.1',
        uploader: createUploader({ bucket: 'local-disk' }, { store: fx.store }),
        keys: [{ name: 'a', key: KEY }],
        secret: SECRET,
      });
      const healthcheck = finalStage().find((i) => i.keyword === 'HEALTHCHECK')!.args;
      command = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD') + 3).replace(/\\\n/g, ''));
    });
    afterAll(async () => {
      await server?.close(true);
      await fx?.dispose();
    });
    const probe = (port: number) =>
      run(process.execPath, command.slice(1), { env: { ...process.env, PORT: String(port) } }).then(
        () => 0,
        (error: { code: number }) => error.code,
      );

    it('passes against a running server and fails where none answers', async () => {
      expect(command[0]).toBe('node');
      expect(await probe(server.port)).toBe(0);
      expect(await probe(await freePort())).toBe(1);
    });
  });

  it('has a .dockerignore that keeps node_modules and builds out of the context', async () => {
    const ignore = await read('.dockerignore');
    expect(ignore).toMatch(/^\*\*\/node_modules$/m);
    expect(ignore).toMatch(/^\*\*\/dist$/m);
  });
});

describe('deploy/compose.yaml', () => {
  it('builds the Dockerfile, keeps /data on a volume, and has Redis and PostgreSQL as opt-in profiles', async () => {
    const compose = parse(await read('deploy/compose.yaml')) as {
      services: Record<string, Record<string, unknown>>;
      volumes: Record<string, unknown>;
    };
    const bytedrop = compose.services.bytedrop as {
      build: { context: string; dockerfile: string };
      volumes: string[];
      environment: Record<string, string>;
      ports: string[];
      profiles?: string[];
    };
    expect(join(DEPLOY, bytedrop.build.context)).toBe(ROOT.replace(/\/$/, ''));
    expect(await readFile(join(DEPLOY, bytedrop.build.context, bytedrop.build.dockerfile), 'utf8')).toContain(
      'FROM',
    );
    expect(bytedrop.profiles).toBeUndefined();
    expect(bytedrop.volumes).toContain('bytedrop-data:/data');
    expect(Object.keys(compose.volumes)).toContain('bytedrop-data');
    expect(bytedrop.ports).toEqual(['127.0.0.1:8000:8000']);
    const documented = await documentedSettings();
    for (const name of Object.keys(bytedrop.environment)) expect(documented).toContain(name);
    expect(compose.services.redis).toMatchObject({
      profiles: ['redis'],
      image: expect.stringMatching(/^redis:/),
    });
    expect(bytedrop.environment).toHaveProperty('DATABASE_URL');
    expect(compose.services.postgres).toMatchObject({
      profiles: ['postgres'],
      image: expect.stringMatching(/^postgres:/),
      environment: { POSTGRES_USER: 'bytedrop', POSTGRES_DB: 'bytedrop' },
      volumes: ['bytedrop-catalog:/var/lib/postgresql/data'],
      healthcheck: { test: expect.arrayContaining(['pg_isready']) },
    });
    expect(Object.keys(compose.volumes)).toContain('bytedrop-catalog');
  });
});

describe('deploy/bytedrop.service', () => {
  it('passes `systemd-analyze verify` without a warning', async () => {
    requireCommand('systemd-analyze', 'apt-get install systemd');
    const dir = await mkdtemp(join(tmpdir(), 'bytedrop-unit-'));
    try {
      // verify reads the unit by its file name; a copy keeps the repo file as it is.
      const unit = join(dir, 'bytedrop.service');
      await writeFile(unit, await read('deploy/bytedrop.service'));
      const { stdout, stderr } = await run('systemd-analyze', ['verify', '--man=no', unit]);
      // Unknown keys and bad values are warnings on stderr with exit status 0: any output is a failure.
      expect(`${stdout}${stderr}`.trim()).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('listens on loopback behind the proxy, believes only it, and keeps its data in a state directory', async () => {
    const unit = await read('deploy/bytedrop.service');
    const env = Object.fromEntries(
      [...unit.matchAll(/^Environment=([A-Z_]+)=(.*)$/gm)].map((match) => [match[1], match[2]]),
    );
    expect(env).toMatchObject({
      HOST: '127.0.0.1',
      TRUST_PROXY: 'loopback',
      BYTEDROP_DATA_DIR: '/var/lib/bytedrop',
    });
    const documented = await documentedSettings();
    for (const name of Object.keys(env).filter((n) => n !== 'NODE_ENV')) expect(documented).toContain(name);
    expect(unit).toMatch(/^StateDirectory=bytedrop$/m);
    expect(unit).toMatch(/^User=bytedrop$/m);
    // Longer than the drain on SIGTERM (SHUTDOWN_GRACE_S, 8 s by default).
    expect(Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)![1])).toBeGreaterThan(8);
  });
});
