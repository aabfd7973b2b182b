/**
 * "Bytedrop: Change link base URL": rewrites every link under one base URL (an old CDN domain, an `r2.dev` URL) to
 * another, across the notes of the workspace. It lists every change first (a dry run, in the Bytedrop output) and
 * writes only once the user confirms. Links are found with core's `findLinks`, so code is never touched.
 */
import { urlProblem } from '@bytedrop/core';
import * as vscode from 'vscode';
import type { Ledger } from '../ledger';
import { editDocument, type TextChange } from '../patch';
import { remoteLinks } from '../remote-links';
import { settingName } from '../setting-names';
import { readSettings } from '../settings';
import { OPEN_SETTINGS } from '../wording';
import { noteText, workspaceNotes } from '../workspace-notes';

const REWRITE = 'Rewrite links';

/** A base URL as a prefix: no trailing slashes, then one. */
const asPrefix = (url: string) => `${url.trim().replace(/\/+$/, '')}/`;

/** The rewrites of `text`: each link under `from` pointed under `to` instead, its text and title kept. */
function rewrites(text: string, from: string, to: string): (TextChange & { url: string; line: number })[] {
  return remoteLinks(text)
    .filter(({ url }) => url.startsWith(from))
    .map(({ link, url }) => ({
      start: link.start,
      end: link.end,
      text: link.withUrl(`${to}${url.slice(from.length)}`),
      url,
      line: text.slice(0, link.start).split('\n').length,
    }));
}

async function askBase(step: string, prompt: string, value: string): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: `Bytedrop: Change link base URL (${step})`,
    prompt,
    value,
    ignoreFocusOut: true,
    validateInput: (input) => (input.trim() ? urlProblem('the base URL', input.trim()) : 'Enter a URL.'),
  });
}

/**
 * Runs the command.
 *
 * @example
 * ```ts
 * vscode.commands.registerCommand('bytedrop.changeBaseUrl', () => changeBaseUrl(ledger, output));
 * ```
 */
export async function changeBaseUrl(ledger: Ledger, output: vscode.OutputChannel): Promise<void> {
  const scope = vscode.window.activeTextEditor?.document.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  const current = String(readSettings(scope).s3.publicBaseUrl ?? '');
  const fromInput = await askBase('1/2', 'The base URL the links use now, e.g. the old CDN domain', current);
  if (fromInput === undefined) return;
  const toInput = await askBase('2/2', `The base URL to use instead of ${fromInput.trim()}`, '');
  if (toInput === undefined) return;
  const [from, to] = [asPrefix(fromInput), asPrefix(toInput)];

  const plan: { note: vscode.Uri; count: number }[] = [];
  output.appendLine(`Bytedrop: Change link base URL from ${from} to ${to} (dry run):`);
  for (const note of await workspaceNotes()) {
    const changes = rewrites(await noteText(note), from, to);
    if (changes.length === 0) continue;
    plan.push({ note, count: changes.length });
    for (const change of changes)
      output.appendLine(
        `  ${vscode.workspace.asRelativePath(note)}:${change.line}  ${change.url} → ${to}${change.url.slice(from.length)}`,
      );
  }
  const links = plan.reduce((sum, { count }) => sum + count, 0);
  if (links === 0) {
    output.appendLine('  no link to change.');
    void vscode.window.showInformationMessage(
      `Bytedrop: no note of the workspace links anything under ${from}.`,
    );
    return;
  }
  output.show(true);
  const choice = await vscode.window.showWarningMessage(
    `Bytedrop: rewrite ${links} link${links > 1 ? 's' : ''} in ${plan.length} note${plan.length > 1 ? 's' : ''} from ${from} to ${to}? Each change is listed in the Bytedrop output.`,
    { modal: true },
    REWRITE,
  );
  if (choice !== REWRITE) return;
  for (const { note } of plan) await editDocument(note, (text) => rewrites(text, from, to));
  await ledger.rebase(from, to);
  const stale = asPrefix(current) === from;
  const shown = vscode.window.showInformationMessage(
    `Bytedrop: rewrote ${links} link${links > 1 ? 's' : ''} in ${plan.length} note${plan.length > 1 ? 's' : ''}.${stale ? ` ${settingName('bytedrop.publicBaseUrl')} still says ${current}: change it so new uploads use ${to} too.` : ''}`,
    ...(stale ? [OPEN_SETTINGS] : []),
  );
  void Promise.resolve(shown).then((picked) =>
    picked === OPEN_SETTINGS
      ? vscode.commands.executeCommand('workbench.action.openSettings', 'bytedrop.publicBaseUrl')
      : undefined,
  );
}
