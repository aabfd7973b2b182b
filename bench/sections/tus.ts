/**
 * 11. Resumable uploads (issue 14): one file over tus through @bytedrop/server (tus-js-client, unmodified), against the
 * same file as one PUT through the server, against plain lib-storage straight to the S3 server. The routes alternate
 * run by run. Then the resume cost: bytes sent again after the upload is cut at 50 %.
 *
 * The signed direct route runs twice: under the default key template ({hash}) and, on a second server, under a
 * template without {hash}; both read the object back whole and hash it. Both run in turn with lib-storage and with the
 * floor of any verified finish (lib-storage, then one whole GET of the object, hashed).
 *
 * 256 MiB by default rather than the 1 GiB (`BYTEDROP_BENCH_TUS_MIB=1024`): radosgw keeps objects in RAM,
 * and a tus upload holds three copies at once (the multipart upload, core's temporary object, the final object); the
 * ratios are what the section reports.
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import * as tus from 'tus-js-client';
import { type BenchContext, bench, built, RUN_DIR } from '../lib/context.js';
import { type DirectTimings, directMultipart, sendParts } from '../lib/direct-upload.js';
import { MiB, writeRandomFile } from '../lib/files.js';
import { fmt, ratio, type SectionResult, tableLines } from '../lib/report.js';
import { bytedropConfig, clientFor, verifyAndDelete } from '../lib/s3.js';
import { childEnv, nextMessage, serverMissing, startServer, stopChild, usageOf } from '../lib/servers.js';
import { repeatInTurn, summarize } from '../lib/stats.js';

const ACCESS_KEY = 'bench-access-key-0123456789abcdef';
/** The second server's template: no {hash} (its direct uploads are still read back whole and hashed, as with one). */
const PLAIN_TEMPLATE = 'bench/{uuid}/{name}.{ext}';

interface TusRun {
  key: string;
  /** Bytes the client wrote before the cut, minus where the server let it resume (the cut's cost). */
  resent?: number;
}

/**
 * The link a finished tus upload's URL answers. The server may still be placing it (the cut request carried the last
 * byte and is being finished): it answers 409 until then, so it is asked again.
 */
async function linkOf(uploadUrl: string | null): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(uploadUrl ?? '', {
      headers: { authorization: `Bearer ${ACCESS_KEY}`, 'tus-resumable': '1.0.0' },
    });
    const body = (await response.json()) as { url?: string; msg?: string };
    if (body.url) return body.url;
    if (response.status !== 409 || attempt >= 600)
      throw new Error(`GET ${uploadUrl} answered ${response.status}: ${body.msg ?? 'no url'}`);
    await sleep(100);
  }
}

/** One tus upload; with `cutAt`, aborted once that many bytes went out, then resumed by a new start. */
function tusUpload(url: string, data: Buffer, cutAt?: number): Promise<TusRun> {
  let link: string | undefined;
  let sentAtCut: number | undefined;
  let resumedAt: number | undefined;
  return new Promise((resolve, reject) => {
    const upload: tus.Upload = new tus.Upload(data, {
      endpoint: `${url}/tus/`,
      headers: { authorization: `Bearer ${ACCESS_KEY}` },
      metadata: { filename: 'tus-bench.bin' },
      retryDelays: [0, 100, 200, 400, 800, 1000, 1000, 1000],
      onProgress(sent) {
        if (cutAt === undefined || sentAtCut !== undefined || sent < cutAt) return;
        sentAtCut = sent;
        // The connection goes; the server keeps what it received, and the next start resumes from there.
        void upload.abort().then(() => upload.start());
      },
      onBeforeRequest(request) {
        if (sentAtCut !== undefined && resumedAt === undefined && request.getMethod() === 'PATCH')
          resumedAt = Number(request.getHeader('Upload-Offset'));
      },
      onAfterResponse(request, response) {
        // A 423 or 409 means the cut request was still being kept: the retried PATCH's offset is the one that counts.
        if (request.getMethod() === 'PATCH' && response.getStatus() !== 204 && sentAtCut !== undefined)
          resumedAt = undefined;
        link = response.getHeader('Bytedrop-Url') ?? link;
      },
      onError: reject,
      onSuccess: () => {
        // A cut request the server kept whole leaves the resume nothing to send: only a HEAD, without the link, so
        // the finished upload's URL is asked for it (it answers what POST /upload would have).
        const linked = link ? Promise.resolve(link) : linkOf(upload.url);
        linked.then(
          (url) =>
            resolve({
              key: new URL(url).pathname.split('/').slice(2).join('/'),
              ...(sentAtCut === undefined ? {} : { resent: Math.max(0, sentAtCut - (resumedAt ?? 0)) }),
            }),
          reject,
        );
      },
    });
    upload.start();
  });
}

export async function tusSection(ctx: BenchContext): Promise<SectionResult> {
  const title = '11. Resumable uploads (tus) through @bytedrop/server';
  const skip = (why: string): SectionResult => ({
    title,
    table: [],
    targets: [],
    notes: [`skipped: ${why}`],
    data: null,
  });
  if (!built('server') || !built('serverNode') || !built('core'))
    return skip('@bytedrop/server or core is not built');
  const kind = (['radosgw', 's3rver'] as const).find((k) => ctx.servers.includes(k) && !serverMissing(k));
  if (!kind)
    return skip(
      'neither radosgw nor s3rver is available (tus reads the upload back, the sink keeps nothing)',
    );
  // 256 MiB unless `BYTEDROP_BENCH_TUS_MIB` says otherwise (1024 for the 1 GiB, with the RAM it needs).
  const capMiB = ctx.quick ? 64 : Number(process.env.BYTEDROP_BENCH_TUS_MIB ?? 256);
  const size = Math.min(capMiB * MiB, ctx.bigFileSize);
  const dir = await mkdtemp(join(RUN_DIR, 'tus-'));
  const file = join(dir, 'tus.bin');
  await writeRandomFile(file, size);
  const data = await readFile(file);
  const target = await startServer(kind);
  const endpoint = (extra: Record<string, unknown> = {}) =>
    fork(
      bench('servers/endpoint.mjs'),
      [JSON.stringify(bytedropConfig(target, extra)), ACCESS_KEY, String(Math.ceil(size / MiB))],
      { env: childEnv(), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
  const server = endpoint();
  const plainServer = endpoint({ keyTemplate: PLAIN_TEMPLATE });
  const s3 = clientFor(target);
  try {
    const url = `http://127.0.0.1:${await nextMessage<number>(server, 'port')}`;
    const plainUrl = `http://127.0.0.1:${await nextMessage<number>(plainServer, 'port')}`;
    const timed = async (what: string, fn: () => Promise<string>) => {
      ctx.log(`tus ${kind}: ${what}`);
      const start = performance.now();
      const key = await fn();
      const seconds = (performance.now() - start) / 1000;
      // The same bytes each run: the object goes, or the next run would be a dedupe hit.
      await verifyAndDelete(s3, target.bucket, key, size);
      await target.reclaim();
      return size / MiB / seconds;
    };
    const putTo = (at: string) => () =>
      timed('one PUT through the server', async () => {
        const response = await fetch(`${at}/upload/tus-bench.bin`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${ACCESS_KEY}` },
          body: data,
        });
        const body = (await response.json()) as { files?: { key: string }[]; msg?: string };
        if (!body.files) throw new Error(`PUT failed: ${body.msg}`);
        return body.files[0]!.key;
      });
    const tusTo = (at: string) => () =>
      timed('tus through the server', async () => (await tusUpload(at, data)).key);
    const [put, overTus] = [putTo(url), tusTo(url)];
    const direct = () =>
      timed('lib-storage straight to S3', async () => {
        await new Upload({
          client: s3,
          params: { Bucket: target.bucket, Key: 'direct/tus-bench.bin', Body: data },
        }).done();
        return 'direct/tus-bench.bin';
      });
    // The floor of any finish that reads every byte: lib-storage's upload, then one whole GET of the object, hashed
    // (what a server verifying the bytes must at least do beyond the upload, with no copy nor anything else).
    const hashWhole = async (Key: string) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: target.bucket, Key }));
      const hasher = createHash('sha256');
      for await (const chunk of object.Body as AsyncIterable<Uint8Array>) hasher.update(chunk);
      return hasher.digest('hex');
    };
    const floor = () =>
      timed(
        'lib-storage, then one GET of the whole object, hashed (the floor of a verified finish)',
        async () => {
          await new Upload({
            client: s3,
            params: { Bucket: target.bucket, Key: 'direct/tus-bench-floor.bin', Body: data },
          }).done();
          const object = await s3.send(
            new GetObjectCommand({ Bucket: target.bucket, Key: 'direct/tus-bench-floor.bin' }),
          );
          const hasher = createHash('sha256');
          for await (const chunk of object.Body as AsyncIterable<Uint8Array>) hasher.update(chunk);
          hasher.digest();
          return 'direct/tus-bench-floor.bin';
        },
      );
    // The same floor for the signed route's own way of uploading: the same presigned 8 MiB parts over node:http (no
    // server), complete, then one whole GET hashed. The direct rows differ from it only by the server's work.
    const ownFloor = () =>
      timed(
        'presigned parts, complete, then one GET of the whole object, hashed (the route’s own floor)',
        async () => {
          const Key = 'direct/tus-bench-own-floor.bin';
          const { UploadId } = await s3.send(
            new CreateMultipartUploadCommand({ Bucket: target.bucket, Key }),
          );
          const numbers = Array.from({ length: Math.ceil(size / (8 * MiB)) }, (_, index) => index + 1);
          const urls: Record<string, string> = {};
          for (const PartNumber of numbers) {
            urls[PartNumber] = await getSignedUrl(
              s3,
              new UploadPartCommand({ Bucket: target.bucket, Key, UploadId, PartNumber }),
              { expiresIn: 900 },
            );
          }
          const Parts = await sendParts(urls, data);
          await s3.send(
            new CompleteMultipartUploadCommand({
              Bucket: target.bucket,
              Key,
              UploadId,
              MultipartUpload: { Parts },
            }),
          );
          await hashWhole(Key);
          return Key;
        },
      );
    const finishMs: Record<'hash' | 'plain', number[]> = { hash: [], plain: [] };
    const signedTo = (at: string, which: 'hash' | 'plain', what: string) => () =>
      timed(what, async () => {
        const timings: DirectTimings = {};
        const key = await directMultipart(at, ACCESS_KEY, data, timings);
        finishMs[which].push(timings.finishMs ?? Number.NaN);
        return key;
      });
    const signed = signedTo(url, 'hash', 'direct multipart signed by the server');
    const signedPlain = signedTo(plainUrl, 'plain', 'direct multipart signed by the server, no {hash}');
    const before = await usageOf(server);
    const [putRuns, tusRuns, directRuns] = await repeatInTurn(ctx.runs, ctx.warmups, [put, overTus, direct]);
    const after = await usageOf(server);
    // Both signed routes in turn with lib-storage and the floor, so that drift (and whatever the bucket's state does to
    // radosgw as the runs go on) falls on all four alike. Neither lib-storage nor the floor touches the servers, and
    // each server serves one signed route only, so each server's CPU is its route's own.
    // The second server first gets the first one's history (the same PUT and tus runs, not measured): a server that
    // has not yet worked spent about twice the CPU per direct upload as one that had, whatever its key template
    // (`bench/probes/direct-cpu.ts` with pauses between turns), which this section used to report as the template's.
    ctx.log(`tus ${kind}: the second server gets the first one's runs, unmeasured`);
    await repeatInTurn(ctx.runs, ctx.warmups, [putTo(plainUrl), tusTo(plainUrl)]);
    const plainBefore = await usageOf(plainServer);
    const [signedRuns, plainRuns, directAgain, floorRuns, ownFloorRuns] = await repeatInTurn(
      ctx.runs,
      ctx.warmups,
      [signed, signedPlain, direct, floor, ownFloor],
    );
    const afterSigned = await usageOf(server);
    const plainAfter = await usageOf(plainServer);
    ctx.log(`tus ${kind}: cut at 50 % and resumed`);
    // A failure here is reported as the target's figure, not as the loss of every other figure of the section.
    // A failed cut upload shows as its target's figure (NaN), not as the loss of every other figure of the section.
    let cut: TusRun = { key: '' };
    try {
      cut = await tusUpload(url, data, size / 2);
      await verifyAndDelete(s3, target.bucket, cut.key, size);
    } catch (error) {
      ctx.log(`tus ${kind}: the cut upload failed: ${String(error)}`);
    }

    const [p, t, d, s, n, d2] = [
      summarize(putRuns!),
      summarize(tusRuns!),
      summarize(directRuns!),
      summarize(signedRuns!),
      summarize(plainRuns!),
      summarize(directAgain!),
    ];
    const [f, o] = [summarize(floorRuns!), summarize(ownFloorRuns!)];
    // The warm-up's finish is dropped like its throughput.
    const [finishHash, finishPlain] = [
      summarize(finishMs.hash.slice(ctx.warmups)),
      summarize(finishMs.plain.slice(ctx.warmups)),
    ];
    const cpuPerGiB = (ms: number) => (ms / (ctx.runs + ctx.warmups) / size) * 1024 * MiB;
    const signedCpuPerGiB = cpuPerGiB(afterSigned.cpuMs - after.cpuMs);
    const plainCpuPerGiB = cpuPerGiB(plainAfter.cpuMs - plainBefore.cpuMs);
    const table = tableLines(
      ['route', 'MiB/s', 'vs direct', 'vs one PUT', 'vs the floor', 'vs its own floor'],
      [
        ['lib-storage straight to S3', fmt(d, 0), '1.00×', '', '', ''],
        ['one PUT through the server', fmt(p, 0), ratio(p.median, d.median), '1.00×', '', ''],
        ['tus through the server', fmt(t, 0), ratio(t.median, d.median), ratio(t.median, p.median), '', ''],
        [
          'lib-storage straight to S3 (again, in turn with the next four rows)',
          fmt(d2, 0),
          '1.00×',
          '',
          '',
          '',
        ],
        [
          'floor of a verified finish: lib-storage, then one whole GET hashed',
          fmt(f, 0),
          ratio(f.median, d2.median),
          '',
          '1.00×',
          '',
        ],
        [
          `direct multipart, signed by the server ({hash} template: read back; complete ${fmt(finishHash, 0)} ms)`,
          fmt(s, 0),
          ratio(s.median, d2.median),
          ratio(s.median, p.median),
          ratio(s.median, f.median),
          ratio(s.median, o.median),
        ],
        [
          `direct multipart, signed by the server (no {hash} template: read back; complete ${fmt(finishPlain, 0)} ms)`,
          fmt(n, 0),
          ratio(n.median, d2.median),
          ratio(n.median, p.median),
          ratio(n.median, f.median),
          ratio(n.median, o.median),
        ],
        [
          'the route’s own floor: the same presigned parts, complete, then one whole GET hashed (no server)',
          fmt(o, 0),
          ratio(o.median, d2.median),
          '',
          ratio(o.median, f.median),
          '1.00×',
        ],
      ],
    );
    const resentMiB = (cut.resent ?? Number.NaN) / MiB;
    return {
      title,
      table,
      targets: [
        {
          name: 'tus: bytes sent again after a cut at 50 %',
          target: '≤ one part (8 MiB)',
          measured: `${resentMiB.toFixed(1)} MiB`,
          met: resentMiB <= 8,
        },
        {
          name: 'direct multipart through the signing routes (template without {hash}) vs plain lib-storage',
          target: '≥ 0.95×',
          measured: ratio(n.median, d2.median),
          met: n.median / d2.median >= 0.95,
        },
        {
          // What the target can be at most with a finish that reads every byte: above 1 the target is reachable.
          name: 'the floor of a verified finish (lib-storage, then one whole GET) vs plain lib-storage',
          target: '≥ 0.95× for the target above to be reachable',
          measured: ratio(f.median, d2.median),
          met: f.median / d2.median >= 0.95,
        },
      ],
      notes: [
        `${(size / MiB).toFixed(0)} MiB file, ${ctx.runs} runs per route after ${ctx.warmups} warm-up, on ${kind}. tus-js-client sends the file in one PATCH (its default chunkSize); the server stores 8 MiB parts of a multipart upload, then reads the whole object back through core's uploader (hash, key, dedupe), which copies it to its final key inside the storage: a tus upload moves the bytes between server and storage twice where one PUT moves them once (both then copy inside the storage to the final key).`,
        `Server RSS ${(before.rss / 1e6).toFixed(0)} → ${(after.rss / 1e6).toFixed(0)} MB over the measured runs of both server routes.`,
        `Direct multipart: the parts go straight to S3 (8 MiB, 4 at a time, URLs signed in one batch, sent with node:http as lib-storage's are); on complete the server reads the object back through core (hash, type, key), then copies that version to its final key inside the storage, which is what it costs: ${signedCpuPerGiB.toFixed(0)} ms of server CPU per GiB. The read-back is the verification the issue asks for (a claimed hash is never trusted).`,
        `Under a template without {hash} (${PLAIN_TEMPLATE}, a second server), the object is read back whole and hashed as well (the catalog records the full hash): ${plainCpuPerGiB.toFixed(0)} ms of server CPU per GiB.`,
        `The floor: any finish that reads every byte once costs at least one whole GET after the upload, so no such route can beat the floor row, whose ratio to lib-storage is the most the direct rows can reach. Both direct rows are measured in turn with the second lib-storage row and both floors; 'complete' is the median time of the complete request alone. The route's own floor sends the parts as the direct rows do (presigned, 8 MiB, node:http, unsigned payload), which lib-storage does not (5 MiB parts, each sent and signed by the SDK): what the direct rows lose against it is the server's own work.`,
      ],
      data: {
        kind,
        size,
        put: p,
        tus: t,
        direct: d,
        signed: s,
        signedCpuPerGiB,
        signedPlain: n,
        directAgain: d2,
        floor: f,
        ownFloor: o,
        finishHash,
        finishPlain,
        plainCpuPerGiB,
        resent: cut.resent,
        rss: { before, after, afterSigned },
      },
    };
  } finally {
    await stopChild(server);
    await stopChild(plainServer);
    await target.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
