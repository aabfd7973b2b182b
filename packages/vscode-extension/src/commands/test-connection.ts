/**
 * "Bytedrop: Test connection": core's doctor for S3 (endpoint, keys, bucket, clock, public URL), or the server's
 * health endpoint. Each check goes to the Bytedrop output channel; the first failure, with the button that fixes it,
 * to a message.
 */
import { runDoctor } from '@bytedrop/core/node';
import * as vscode from 'vscode';
import type { Secrets } from '../secrets';
import { readSettings } from '../settings';
import { runFix, setupProblem } from '../setup';
import { s3Input } from '../target';
import { inVsCodeTerms, OPEN_SETTINGS } from '../wording';

const DETAILS = 'Show details';

/** The checks as output lines (`ok`, `FAIL`, `skip`), or the setup problem that keeps them from running. */
async function checks(
  scope: vscode.Uri | undefined,
  secrets: Secrets,
): Promise<{ lines: string[]; actions: string[] }> {
  await Promise.all([secrets.current('s3'), secrets.current('server')]);
  const problem = setupProblem(scope, secrets);
  if (problem) return { lines: [`FAIL ${problem.message.replace(/\.$/, '')}`], actions: problem.actions };
  const settings = readSettings(scope);
  if (settings.target === 'server') {
    const url = `${(settings.serverUrl as string).replace(/\/+$/, '')}/health`;
    try {
      const response = await fetch(url);
      return {
        lines: [`${response.ok ? 'ok  ' : 'FAIL'} GET ${url}: HTTP ${response.status}`],
        actions: [OPEN_SETTINGS],
      };
    } catch (error) {
      return { lines: [`FAIL GET ${url}: ${(error as Error).message}`], actions: [OPEN_SETTINGS] };
    }
  }
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
  return { lines, actions: [OPEN_SETTINGS] };
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
