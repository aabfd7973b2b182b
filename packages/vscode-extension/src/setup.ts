/**
 * Whether Bytedrop is set up for a document, decided without waiting (a paste provider has no time to), and what is
 * missing, all of it at once, in the Settings editor's names. An install that is not set up never takes a paste or
 * drop: VS Code's own paste happens, and a notice says once what to set and offers the buttons that set it.
 */
import { checkHttpUrl, inferProvider, PROVIDERS, parseConfig, toBytedropError } from '@bytedrop/core';
import * as vscode from 'vscode';
import type { Secrets } from './secrets';
import { listed, settingName } from './setting-names';
import { readSettings } from './settings';
import { tusOptions } from './tus-settings';
import { inVsCodeTerms, OPEN_SETTINGS, SET_SECRET, SET_SERVER_KEY, type Worded } from './wording';

/** Why uploads cannot run yet: nothing is set at all, or some settings are missing or wrong. */
export interface SetupProblem extends Worded {
  /** Nothing of Bytedrop's is set: a fresh install. */
  fresh: boolean;
  /**
   * Only how files are sent is wrong (a tus size), not where they go: a paste is still taken, kept in the workspace
   * and linked, and its upload fails with this message until the value is fixed (Retry then uploads it). Left to
   * VS Code instead, a pasted file other than an image is not inserted at all.
   */
  takesPaste?: boolean;
}

/** What is missing for the S3 target, and the buttons that set it. */
function missingForS3(
  scope: vscode.Uri | undefined,
  secrets: Secrets,
): { names: string[]; actions: string[] } {
  const { s3 } = readSettings(scope);
  const names: string[] = [];
  if (!s3.bucket) names.push(settingName('bytedrop.bucket'));
  const provider =
    (s3.provider as keyof typeof PROVIDERS | undefined) ?? inferProvider(s3.endpoint as string);
  if (!s3.endpoint && PROVIDERS[provider]?.requiresEndpoint) names.push(settingName('bytedrop.endpoint'));
  if (!s3.accessKeyId) names.push(settingName('bytedrop.accessKeyId'));
  const secretMissing = !secrets.known('s3');
  if (secretMissing) names.push('the secret access key');
  return { names, actions: [OPEN_SETTINGS, ...(secretMissing ? [SET_SECRET] : [])] };
}

/**
 * Why Bytedrop cannot upload from `scope` now, or undefined when it can. Reads settings and the secrets already in
 * memory only: fast enough for a paste.
 *
 * @example
 * ```ts
 * const problem = setupProblem(document.uri, secrets);
 * if (problem && !problem.takesPaste) return undefined; // VS Code's own paste happens
 * ```
 */
export function setupProblem(scope: vscode.Uri | undefined, secrets: Secrets): SetupProblem | undefined {
  const settings = readSettings(scope);
  if (settings.target === 'server') {
    const names = [
      ...(settings.serverUrl ? [] : [settingName('bytedrop.serverUrl')]),
      ...(secrets.known('server') ? [] : ['the server access key']),
    ];
    if (names.length) {
      return {
        fresh: false,
        message: `Bytedrop is not set up to upload to a Bytedrop server: set ${listed(names)}.`,
        actions: [OPEN_SETTINGS, ...(secrets.known('server') ? [] : [SET_SERVER_KEY])],
      };
    }
    const url = invalid(() => checkHttpUrl('url', settings.serverUrl as string));
    const sizes = url ?? invalid(() => tusOptions(settings.tus));
    return sizes && { ...sizes, takesPaste: !url };
  }
  const { names, actions } = missingForS3(scope, secrets);
  if (names.length) {
    const fresh = !settings.s3.bucket && !settings.s3.endpoint && !settings.s3.accessKeyId;
    return { fresh, message: `Bytedrop is not set up: set ${listed(names)}.`, actions };
  }
  return invalid(() => parseConfig({ ...settings.s3, secretAccessKey: secrets.known('s3') }));
}

/** A setting whose value core refuses (an endpoint without a scheme, a bad key template). */
function invalid(check: () => unknown): SetupProblem | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return {
      fresh: false,
      message: `Bytedrop's settings need a fix: ${inVsCodeTerms(toBytedropError(error).message)}.`,
      actions: [OPEN_SETTINGS],
    };
  }
}

/** Remembered across windows: the fresh-install notice is shown once, ever. */
const FRESH_NOTICE_SHOWN = 'bytedrop.freshNoticeShown';

/**
 * The notice shown when a paste or drop was left to VS Code because Bytedrop is not set up: once ever for a fresh
 * install, once per window for each other problem (a user half-way through setting up sees what is left).
 *
 * @example
 * ```ts
 * const notices = new SetupNotices(context.globalState);
 * if (problem) notices.show(problem, 'pasted');
 * ```
 */
export class SetupNotices {
  private readonly shown = new Set<string>();

  constructor(private readonly state: vscode.Memento) {}

  show(problem: SetupProblem, what: 'pasted' | 'dropped'): void {
    if (this.shown.has(problem.message)) return;
    this.shown.add(problem.message);
    if (problem.fresh) {
      if (this.state.get(FRESH_NOTICE_SHOWN)) return;
      void this.state.update(FRESH_NOTICE_SHOWN, true);
    }
    const lead = `The file was ${what} as VS Code does without Bytedrop.`;
    const message = problem.fresh
      ? `${lead} To upload pastes and drops to your bucket instead, set Bytedrop up: ${problem.message.replace(/^Bytedrop is not set up: /, '')}`
      : `${lead} ${problem.message}`;
    void Promise.resolve(vscode.window.showInformationMessage(message, ...problem.actions)).then(runFix);
  }
}

/**
 * Runs what a message's button promises.
 *
 * @example
 * ```ts
 * void vscode.window.showErrorMessage(message, ...actions).then(runFix);
 * ```
 */
export function runFix(choice: string | undefined): Thenable<unknown> | undefined {
  if (choice === OPEN_SETTINGS)
    return vscode.commands.executeCommand('workbench.action.openSettings', '@ext:bytedrop.bytedrop');
  if (choice === SET_SECRET) return vscode.commands.executeCommand('bytedrop.setSecretAccessKey');
  if (choice === SET_SERVER_KEY) return vscode.commands.executeCommand('bytedrop.setServerAccessKey');
  return undefined;
}
