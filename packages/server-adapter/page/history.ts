/**
 * The browser's own list of recent uploads (localStorage), shown when the server keeps no catalog (no Files view).
 * Files uploaded in this session are listed under Uploads, so they are left out here: one entry per file.
 */
import { $, button, say } from './dom';
import { resultView, type Uploaded } from './result';

const HISTORY_STORE = 'bytedrop.history';
const HISTORY_SIZE = 10;

/** Keys uploaded in this session. */
export const shown = new Set<string>();

function load(): Uploaded[] {
  try {
    const list = JSON.parse(localStorage.getItem(HISTORY_STORE) || '[]');
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function save(list: Uploaded[]): void {
  localStorage.setItem(HISTORY_STORE, JSON.stringify(list.slice(0, HISTORY_SIZE)));
  renderHistory();
}

/** Puts `file` first in the history. */
export const remember = (file: Uploaded): void =>
  save([file, ...load().filter((old) => old.key !== file.key)]);

async function remove(file: Uploaded, target: HTMLButtonElement): Promise<void> {
  target.disabled = true;
  try {
    const response = await fetch(file.deleteUrl!, { method: 'DELETE' });
    const body = await response.json().catch(() => ({}));
    if (!response.ok && response.status !== 404) throw new Error(body.msg || `HTTP ${response.status}`);
    save(load().filter((entry) => entry.deleteUrl !== file.deleteUrl));
    say(`Deleted ${file.filename}.`, 'ok');
  } catch (error) {
    target.disabled = false;
    say(`Could not delete ${file.filename}: ${(error as Error).message}`, 'error');
  }
}

/** Lists the history (hidden while the Files view is on). */
export function renderHistory(): void {
  const list = load();
  const history = $('history');
  history.replaceChildren();
  $('history-empty').hidden = list.length > 0;
  for (const file of list) {
    if (shown.has(file.key)) continue;
    const item = document.createElement('li');
    // No deleteUrl: the bytes were already stored by another access key, whose file this is.
    resultView(item, file, {
      thumbnail: true,
      extra: (id) =>
        file.deleteUrl
          ? button('Delete', (event) => remove(file, event.target as HTMLButtonElement), id)
          : button('Forget', () => save(load().filter((entry) => entry.key !== file.key)), id),
    });
    history.append(item);
  }
}
