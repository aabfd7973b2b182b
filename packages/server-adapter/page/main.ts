/**
 * The upload page's script, bundled into its one inline script at build time (page-bundle.ts). With a catalog on
 * the server the page shows the Files view (each upload, once stored, moves from the progress list into it);
 * without one, the browser's own recent-uploads list.
 */
import { $, explain, say } from './dom';
import { loadFiles, setupFiles } from './files';
import { remember, renderHistory, shown } from './history';
import { authHeaders, setupKeyForm, whoAmI } from './key';
import { resultView } from './result';
import { setupSelection, showSelection } from './selection';
import { run, setupUploads } from './upload';
import { showStats, showUsage } from './usage';

let filesOn = false;

/** Chooses the view for the kept key: the Files view when the server lists files, else the local history. */
async function start(): Promise<void> {
  const who = await whoAmI();
  filesOn = who !== null && (await loadFiles());
  $('files-section').hidden = !filesOn;
  $('history-section').hidden = filesOn;
  if (!filesOn) return renderHistory();
  await showUsage();
  $('stats-section').hidden = true;
  if (who?.admin) await showStats();
}

/**
 * Wires the page; the inline script calls it (an import alone would be dropped: the package has no side effects).
 *
 * @example
 * ```ts
 * startPage();
 * ```
 */
export function startPage(): void {
  setupKeyForm(() => {
    void start();
    void run();
  });
  setupUploads((file, entry) => {
    if (filesOn) {
      remember(file);
      entry.item.remove();
      void loadFiles().then(showUsage);
      return;
    }
    shown.add(file.key);
    resultView(entry.item, file, { progress: entry.progress });
    remember(file);
  });
  setupFiles(showSelection);
  setupSelection(() => void showUsage());

  $('sharex').addEventListener('click', async () => {
    const response = await fetch('/config/sharex.sxcu', { headers: authHeaders() });
    if (!response.ok) return say(explain(response.status, await response.json().catch(() => null)), 'error');
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await response.blob());
    link.download = `bytedrop-${location.hostname}.sxcu`;
    link.click();
    URL.revokeObjectURL(link.href);
  });

  renderHistory();
  void start();
}
