/**
 * "Test connection": for S3, core's doctor (upload and delete a tiny object; names a missing bucket, a wrong key,
 * clock skew, a public URL that does not serve the object); for a Bytedrop server, its health and whether it
 * accepts the access key. All HTTP goes through requestUrl, like the uploads themselves.
 */
import { type DoctorCheck, type DoctorReport, runDoctor } from '@bytedrop/core';
import { createRequestUrlFetch } from './request-fetch';
import { RequestUrlHandler } from './request-handler';
import { type BytedropSettings, type SecretReader, s3ConfigInput } from './settings';
import { inObsidianTerms } from './wording';

export function testConnection(settings: BytedropSettings, secrets: SecretReader): Promise<DoctorReport> {
  if (settings.target === 'server') return testServer(settings, secrets);
  return runDoctor(s3ConfigInput(settings, secrets), {
    requestHandler: new RequestUrlHandler(),
    fetch: createRequestUrlFetch(),
  });
}

async function testServer(settings: BytedropSettings, secrets: SecretReader): Promise<DoctorReport> {
  const send = createRequestUrlFetch();
  const base = settings.serverUrl.trim().replace(/\/+$/, '');
  const checks: DoctorCheck[] = [];
  const finish = (): DoctorReport => ({ ok: checks.every((check) => check.status !== 'fail'), checks });
  if (!/^https?:\/\//i.test(base)) {
    checks.push({
      id: 'endpoint',
      title: 'Server URL has a scheme',
      status: 'fail',
      message: base ? `'${base}' is not an http(s) URL` : 'the server URL is empty',
      fix: "write the server's address, e.g. 'https://drop.example.com'",
      code: 'ERR_CONFIG',
    });
    return finish();
  }
  try {
    const health = await send(`${base}/health`);
    checks.push(
      health.ok
        ? {
            id: 'bucket',
            title: 'Server healthy',
            status: 'ok',
            message: `GET ${base}/health answered ${health.status}`,
          }
        : {
            id: 'bucket',
            title: 'Server healthy',
            status: 'fail',
            message: `GET ${base}/health answered HTTP ${health.status}`,
            fix: "check the server's logs: its storage may be unreachable",
            code: 'ERR_PROVIDER',
          },
    );
  } catch (error) {
    checks.push({
      id: 'endpoint',
      title: 'Server reachable',
      status: 'fail',
      message: `GET ${base}/health failed: ${error instanceof Error ? error.message : String(error)}`,
      fix: 'check the server URL and that the server is running',
      code: 'ERR_NETWORK',
    });
    return finish();
  }
  const key = settings.serverKeyName ? secrets.getSecret(settings.serverKeyName) : null;
  if (!key) {
    checks.push({
      id: 'credentials',
      title: 'Access key accepted',
      status: 'fail',
      message: 'no access key is set',
      fix: 'pick or create a secret under "Server access key"',
      code: 'ERR_AUTH',
    });
    return finish();
  }
  // An upload without a file: the server checks the key first, so the answer says whether the key is good.
  const probe = await send(`${base}/upload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
    body: new FormData(),
  });
  const body = (await probe.json().catch(() => ({}))) as { code?: string };
  const rejected = probe.status === 401 || probe.status === 403 || body.code === 'ERR_AUTH';
  checks.push(
    rejected
      ? {
          id: 'credentials',
          title: 'Access key accepted',
          status: 'fail',
          message: `the server refused the key (HTTP ${probe.status})`,
          fix: 'check the secret under "Server access key" against the keys configured on the server',
          code: 'ERR_AUTH',
        }
      : {
          id: 'credentials',
          title: 'Access key accepted',
          status: 'ok',
          message: 'the server accepted the key',
        },
  );
  return finish();
}

/** A one-line summary of a report for a Notice. */
export function summarize(report: DoctorReport): string {
  const failed = report.checks.find((check) => check.status === 'fail');
  if (failed === undefined) return 'Bytedrop: connection works.';
  return `Bytedrop: ${failed.title.toLowerCase()} failed: ${inObsidianTerms(failed.message)}${
    failed.fix ? `. Fix: ${inObsidianTerms(failed.fix)}` : ''
  }`;
}
