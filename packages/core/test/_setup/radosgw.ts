/**
 * A real S3 for the tests: Ceph's RADOS Gateway (Debian's `radosgw`) on a one-node cluster built from nothing in a
 * temporary directory: one mon, one memstore OSD (objects live in RAM), radosgw on a random loopback port.
 * Unlike s3rver it verifies SigV4, implements multipart listing and aborts, and refuses anonymous reads.
 *
 * It takes a few seconds, so the global setup starts one per vitest run; test files isolate themselves with a
 * bucket of their own (`createBucket`). Everything the cluster writes is under `directory`, ports are random, so
 * concurrent runs on one machine do not collide. Daemons die with the process that started them (see processes.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CreateBucketOptions, createBucket } from './rgw/buckets.js';
import { cephConf } from './rgw/ceph-conf.js';
import {
  anyExit,
  checkBinaries,
  childEnv,
  type Daemon,
  freePort,
  killDaemons,
  logTails,
  RadosgwError,
  run,
  startDaemon,
} from './rgw/processes.js';

export { RadosgwError } from './rgw/processes.js';

export interface RadosgwHarness {
  endpoint: string;
  port: number;
  /** A bucket made at start, readable anonymously (see `createBucket`). */
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The state directory; daemon logs are under `log/`. Deleted by `dispose`. */
  directory: string;
  /** Process ids of ceph-mon, ceph-osd and radosgw. */
  pids: number[];
  createBucket(name: string, options?: CreateBucketOptions): Promise<string>;
  /** Kills the daemons, waits until they are gone and deletes the state directory. */
  dispose(): Promise<void>;
}

export interface StartRadosgwOptions {
  /** PATH to find the ceph binaries on (default: the process's). */
  path?: string;
  /** Name of the bucket made at start. */
  bucket?: string;
}

const PREFIX = 'bytedrop-rgw-';
/** Generous for a loaded CI machine; a start takes 2–3 s on an idle one. */
const START_TIMEOUT_MS = 120_000;

/** Removes state directories of earlier runs that died without teardown (their owner process is gone). */
async function pruneStale(): Promise<void> {
  const names = await readdir(tmpdir()).catch(() => []);
  for (const name of names.filter((n) => n.startsWith(PREFIX))) {
    const dir = join(tmpdir(), name);
    const owner = Number(await readFile(join(dir, 'owner.pid'), 'utf8').catch(() => 'NaN'));
    if (!Number.isInteger(owner)) continue;
    try {
      process.kill(owner, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') await rm(dir, { recursive: true, force: true });
    }
  }
}

/** Resolves once radosgw answers HTTP (it does only after its pools exist, i.e. once the OSD is up). */
async function waitForHttp(url: string, stop: { done: boolean }): Promise<void> {
  while (!stop.done) {
    const answered = await fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
      async (response) => {
        await response.arrayBuffer();
        return true;
      },
      () => false,
    );
    if (answered) return;
    await sleep(100);
  }
}

export async function startRadosgw(options: StartRadosgwOptions = {}): Promise<RadosgwHarness> {
  const path = options.path ?? process.env.PATH ?? '';
  checkBinaries(path);
  const env = childEnv(path);
  await pruneStale();
  const state = await mkdtemp(join(tmpdir(), PREFIX));
  await writeFile(join(state, 'owner.pid'), String(process.pid));
  for (const dir of ['run', 'log', 'crash', 'data/mon.a', 'data/osd.0', 'data/rgw.a'])
    await mkdir(join(state, dir), { recursive: true });
  const log = (name: string) => join(state, 'log', name);
  const daemons: Daemon[] = [];
  const dispose = async () => {
    await killDaemons(daemons);
    await rm(state, { recursive: true, force: true });
  };

  const stop = { done: false };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RadosgwError('ERR_RGW_START', `radosgw did not start within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
  });
  // Every wait also ends when a daemon dies or time is up, so a broken start fails fast with its logs.
  const guarded = <T>(step: Promise<T>) => Promise.race([step, anyExit(daemons), deadline]);

  try {
    const monPort = await freePort([]);
    const rgwPort = await freePort([monPort]);
    const osdPortMin = await freePort([monPort, rgwPort]);
    const conf = join(state, 'ceph.conf');
    const fsid = randomUUID();
    await writeFile(conf, cephConf({ fsid, state, monPort, rgwPort, osdPortMin }));
    const c = ['-c', conf];
    const keyring = join(state, 'keyring');
    const monKeyring = join(state, 'mon.keyring');
    const monmap = join(state, 'monmap');

    // Keys first (radosgw's too, so no `ceph auth` round trip later), then the monitor's store, then the monitor.
    await run(
      'ceph-authtool',
      ['--create-keyring', monKeyring, '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *'],
      env,
    );
    await run(
      'ceph-authtool',
      [
        '--create-keyring',
        keyring,
        '--gen-key',
        '-n',
        'client.admin',
        '--cap',
        'mon',
        'allow *',
        '--cap',
        'osd',
        'allow *',
        '--cap',
        'mgr',
        'allow *',
      ],
      env,
    );
    await run(
      'ceph-authtool',
      [keyring, '--gen-key', '-n', 'client.rgw.a', '--cap', 'mon', 'allow rw', '--cap', 'osd', 'allow rwx'],
      env,
    );
    await run('ceph-authtool', [monKeyring, '--import-keyring', keyring], env);
    await run(
      'monmaptool',
      ['--create', '--fsid', fsid, '--addv', 'a', `[v2:127.0.0.1:${monPort}]`, monmap],
      env,
    );
    await run('ceph-mon', [...c, '--mkfs', '-i', 'a', '--monmap', monmap, '--keyring', monKeyring], env);
    daemons.push(startDaemon('ceph-mon', 'ceph-mon', [...c, '-f', '-i', 'a'], env, log('mon.a.out')));

    // The OSD: registered with the monitor (the CLI waits for it to be reachable), its store made, started.
    const osdUuid = randomUUID();
    const osdKey = await run('ceph-authtool', ['--gen-print-key'], env);
    const osdId = await guarded(
      run(
        'ceph',
        [...c, '--connect-timeout', '60', 'osd', 'new', osdUuid, '-i', '-'],
        env,
        JSON.stringify({ cephx_secret: osdKey }),
      ),
    );
    if (osdId !== '0') throw new RadosgwError('ERR_RGW_START', `expected osd id 0, got '${osdId}'`);
    const osdKeyring = join(state, 'data/osd.0/keyring');
    await run('ceph-authtool', ['--create-keyring', osdKeyring, '--name', 'osd.0', '--add-key', osdKey], env);
    await run('ceph-osd', [...c, '-i', '0', '--mkfs', '--osd-uuid', osdUuid], env);
    daemons.push(startDaemon('ceph-osd', 'ceph-osd', [...c, '-f', '-i', '0'], env, log('osd.0.out')));

    // radosgw waits by itself for the OSD to come up; it answers HTTP once its pools exist.
    daemons.push(
      startDaemon('radosgw', 'radosgw', [...c, '-f', '-n', 'client.rgw.a'], env, log('rgw.a.out')),
    );
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    await guarded(waitForHttp(`${endpoint}/`, stop));

    // A fresh key pair per run: a test that passes must have used the credentials it was given.
    const accessKeyId = randomBytes(10).toString('hex').toUpperCase();
    const secretAccessKey = randomBytes(30).toString('base64');
    await guarded(
      run(
        'radosgw-admin',
        [
          ...c,
          'user',
          'create',
          '--uid=bytedrop',
          '--display-name=Bytedrop tests',
          `--access-key=${accessKeyId}`,
          `--secret-key=${secretAccessKey}`,
        ],
        env,
      ),
    );
    const target = { endpoint, accessKeyId, secretAccessKey };
    // The first bucket makes radosgw create its index and data pools: done here, not in the first test.
    const bucket = await guarded(createBucket(target, options.bucket ?? 'bytedrop-test'));
    return {
      ...target,
      port: rgwPort,
      bucket,
      directory: state,
      pids: daemons.map((daemon) => daemon.process.pid ?? -1),
      createBucket: (name, bucketOptions) => createBucket(target, name, bucketOptions),
      dispose,
    };
  } catch (error) {
    const tails = await logTails(
      (await readdir(join(state, 'log')).catch(() => [])).map((name) => join(state, 'log', name)),
    );
    await dispose();
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof RadosgwError ? error.code : 'ERR_RGW_START';
    throw new RadosgwError(code, `radosgw failed to start: ${message}${tails ? `\n${tails}` : ''}`);
  } finally {
    stop.done = true;
    clearTimeout(timer);
  }
}
