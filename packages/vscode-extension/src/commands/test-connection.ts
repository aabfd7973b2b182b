/**
 * "Bytedrop: Test connection": core's doctor for S3 (endpoint, keys, bucket, clock, public URL), or the server's
 * health endpoint asked with the access key (so a wrong key is found here, not at the first paste). Each check goes to the Bytedrop output channel; the first failure, with the button that fixes it,
 * to a message.
 */
import { BytedropError, type ErrorCode } from '@bytedrop/core';
import { runDoctor } from '@bytedrop/core/node';
import * as vscode from 'vscode';
import type { Secrets } from '../secrets';
import { type BytedropSettings, readSettings } from '../settings';
import { runFix, setupProblem } from '../setup';
import { s3Input } from '../target';
import { inVsCodeTerms, OPEN_SETTINGS, word } from '../wording';

const DETAILS = 'Show details';

/** A Bytedrop server's `/health`, asked with the access key: the server checks the key, then reports its storage. */
async function serverChecks(
  settings: BytedropSettings,
  accessKey: string,
): Promise<{ lines: string[]; actions: string[] }> {
  const url = `${(settings.serverUrl as string).replace(/\/+$/, '')}/health`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${accessKey}` } });
  } catch (error) {
    const { message, actions } = word(new BytedropError('ERR_NETWORK', (error as Error).message), settings);
    return { lines: [`FAIL GET ${url}: ${message}`], actions };
  }
  if (response.status === 401 || response.status === 403) {
    const code = response.status === 401 ? 'ERR_AUTH' : 'ERR_FORBIDDEN';
    const { message, actions } = word(new BytedropError(code, `HTTP ${response.status}`), settings);
    return { lines: [`FAIL ${message}`], actions };
  }
  const report = (await response.json().catch(() => ({}))) as {
    storage?: { status?: string; kind?: string; msg?: string };
  };
  const storage =
    report.storage?.status === 'failing'
      ? `: the server's ${report.storage.kind} storage is failing: ${report.storage.msg}`
      : '';
  return {
    lines: [`${response.ok ? 'ok  ' : 'FAIL'} GET ${url}: HTTP ${response.status}${storage}`],
    actions: [OPEN_SETTINGS],
  };
}

/** The checks as output lines (`ok`, `FAIL`, `skip`), or the setup problem that keeps them from running. */
async function checks(
  scope: vscode.Uri | undefined,
  secrets: Secrets,
): Promise<{ lines: string[]; actions: string[] }> {
  await Promise.all([secrets.current('s3'), secrets.current('server')]);
  const problem = setupProblem(scope, secrets);
  if (problem) return { lines: [`FAIL ${problem.message.replace(/\.$/, '')}`], actions: problem.actions };
  const settings = readSettings(scope);
  if (settings.target === 'server')
    return serverChecks(settings, (await secrets.current('server')) as string);
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Bytedrop: testing the connection…' },
    async () => runDoctor(await s3Input(settings, secrets)),
  );
  const lines = report.checks.map((check) => {
    const status = check.status === 'ok' ? 'ok  ' : check.status === 'fail' ? 'FAIL' : 'skip';
    return inVsCodeTerms(
      `${status} ${check.title}: ${check.message}${check.fix ? ` — fix: ${check.fix}` : ''}`,
    );
  });
  // The buttons that fix the first failure: wrong keys are fixed with Set secret access key, not in settings.
  const failed = report.checks.find((check) => check.status === 'fail' && check.code);
  const actions = failed
    ? word(new BytedropError(failed.code as ErrorCode, failed.message), settings).actions
    : [OPEN_SETTINGS];
  return { lines, actions: actions.length ? actions : [OPEN_SETTINGS] };
}

/**
 * Runs the command; resolves true when every check passed.
 *
 * @example
 * ```ts
 * vscode.commands.registerCommand('bytedrop.testConnection', () => testConnection(secrets, output));
 * ```
 */
export async function testConnection(secrets: Secrets, output: vscode.OutputChannel): Promise<boolean> {
  const scope = vscode.window.activeTextEditor?.document.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  output.appendLine(`Bytedrop: testing the ${readSettings(scope).target} target…`);
  let result: { lines: string[]; actions: string[] };
  try {
    result = await checks(scope, secrets);
  } catch (error) {
    result = { lines: [`FAIL ${inVsCodeTerms((error as Error).message)}`], actions: [OPEN_SETTINGS] };
  }
  for (const line of result.lines) output.appendLine(line);
  const failed = result.lines.find((line) => line.startsWith('FAIL'));
  const shown = failed
    ? vscode.window.showErrorMessage(`Bytedrop: ${failed.slice(5)}`, ...result.actions, DETAILS)
    : vscode.window.showInformationMessage('Bytedrop: connection OK — uploads will work.', DETAILS);
  void Promise.resolve(shown).then((choice) => (choice === DETAILS ? output.show() : runFix(choice)));
  return failed === undefined;
}
