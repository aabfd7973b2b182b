/**
 * Paste and drop into Markdown. The provider answers at once, whatever the size of the files (VS Code drops a pending
 * paste on the first key press): it reads nothing, hashes nothing and writes nothing. It decides where each file's
 * local copy goes and returns a link to each copy, with the copies themselves as the edit's additional edit, which
 * VS Code writes from the paste's own data as it applies the edit. Journal entries and uploads follow once the edit
 * has landed; that second half starts from the provider itself, never from resolve, which VS Code does not call for
 * drops.
 *
 * An install that is not set up answers nothing, so VS Code's own paste or drop happens, and says once what is
 * missing; a bad tus size alone still takes the paste (its upload then names the setting). Edits yield to VS Code's built-in ones, so Bytedrop is the default only when the user made it so.
 */
import * as vscode from 'vscode';
import { BYTEDROP_KIND, EDIT_TITLE } from './constants';
import type { Intake } from './intake';
import type { IncomingFile } from './local-copy';
import { statHere } from './local-fs';
import type { Secrets } from './secrets';
import { readSettings } from './settings';
import { type SetupNotices, setupProblem } from './setup';

/** Kinds Bytedrop's edit yields to: VS Code's own Markdown links and copies, text and URIs. */
const YIELD_TO = [
  vscode.DocumentDropOrPasteEditKind.Empty.append('markdown', 'link'),
  vscode.DocumentDropOrPasteEditKind.Text,
  vscode.DocumentDropOrPasteEditKind.Empty.append('uri'),
];

/** True when this host can read `uri` itself (a file on its disk), rather than through the paste's bytes. */
async function readableHere(uri: vscode.Uri | undefined): Promise<boolean> {
  if (!uri) return false;
  // In a remote window a file: URI from outside the workspace is on the client's disk, not this host's.
  if (vscode.env.remoteName && !vscode.workspace.getWorkspaceFolder(uri)) return false;
  return (await statHere(uri))?.type === 'file';
}

/**
 * The files of a DataTransfer. A file on this host's disk is copied from there later; any other is written by VS Code
 * from the transfer itself (never from the OS clipboard, which a remote host cannot see).
 */
async function incomingFiles(dataTransfer: vscode.DataTransfer): Promise<IncomingFile[]> {
  const seen = new Set<vscode.DataTransferFile>();
  const files: { mime: string; file: vscode.DataTransferFile }[] = [];
  for (const [mime, item] of dataTransfer) {
    const file = item.asFile();
    if (!file || seen.has(file)) continue;
    seen.add(file);
    files.push({ mime, file });
  }
  return Promise.all(
    files.map(async ({ mime, file }) => {
      const contentType = mime === 'files' || !mime.includes('/') ? '' : mime;
      const name = file.name || 'image.png';
      if (await readableHere(file.uri)) return { name, contentType, uri: file.uri as vscode.Uri };
      return { name, contentType, transfer: file };
    }),
  );
}

class BytedropPasteEdit extends vscode.DocumentPasteEdit {}
class BytedropDropEdit extends vscode.DocumentDropEdit {}

/**
 * The paste and drop provider for the languages in `bytedrop.languages`.
 *
 * @example
 * ```ts
 * const provider = new BytedropEditProvider(intake, secrets, notices);
 * vscode.languages.registerDocumentDropEditProvider({ language: 'markdown' }, provider, {
 *   providedDropEditKinds: [BYTEDROP_KIND], dropMimeTypes: ['files', 'image/*'] });
 * ```
 */
export class BytedropEditProvider
  implements
    vscode.DocumentPasteEditProvider<BytedropPasteEdit>,
    vscode.DocumentDropEditProvider<BytedropDropEdit>
{
  constructor(
    private readonly intake: Intake,
    private readonly secrets: Secrets,
    private readonly notices: SetupNotices,
  ) {}

  async provideDocumentPasteEdits(
    document: vscode.TextDocument,
    _ranges: readonly vscode.Range[],
    dataTransfer: vscode.DataTransfer,
    context: vscode.DocumentPasteEditContext,
    token: vscode.CancellationToken,
  ): Promise<BytedropPasteEdit[] | undefined> {
    // "Paste as…" another kind (plain text, a workspace copy): not ours to answer.
    if (context.only && !context.only.contains(BYTEDROP_KIND)) return undefined;
    const taken = await this.take(document, dataTransfer, token, 'pasted');
    if (!taken) return undefined;
    const edit = new BytedropPasteEdit(taken.text, EDIT_TITLE, BYTEDROP_KIND);
    edit.yieldTo = YIELD_TO;
    if (taken.copies) edit.additionalEdit = taken.copies;
    return [edit];
  }

  async provideDocumentDropEdits(
    document: vscode.TextDocument,
    _position: vscode.Position,
    dataTransfer: vscode.DataTransfer,
    token: vscode.CancellationToken,
  ): Promise<BytedropDropEdit[] | undefined> {
    const taken = await this.take(document, dataTransfer, token, 'dropped');
    if (!taken) return undefined;
    const edit = new BytedropDropEdit(taken.text, EDIT_TITLE, BYTEDROP_KIND);
    edit.yieldTo = YIELD_TO;
    if (taken.copies) edit.additionalEdit = taken.copies;
    return [edit];
  }

  /** The text to insert and the copies VS Code writes, with the second half started; undefined to stay out. */
  private async take(
    document: vscode.TextDocument,
    dataTransfer: vscode.DataTransfer,
    token: vscode.CancellationToken,
    what: 'pasted' | 'dropped',
  ): Promise<{ text: string; copies?: vscode.WorkspaceEdit } | undefined> {
    if (!readSettings(document.uri).languages.includes(document.languageId)) return undefined;
    const problem = setupProblem(document.uri, this.secrets);
    if (problem && !problem.takesPaste) {
      if ([...dataTransfer].some(([, item]) => item.asFile())) this.notices.show(problem, what);
      return undefined;
    }
    const files = await incomingFiles(dataTransfer);
    if (files.length === 0 || token.isCancellationRequested) return undefined;
    const planned = await this.intake.plan(document, files);
    if (token.isCancellationRequested) {
      this.intake.abandon(planned);
      return undefined;
    }
    void this.intake.land(planned);
    return { text: planned.text, ...(planned.edit ? { copies: planned.edit } : {}) };
  }
}
