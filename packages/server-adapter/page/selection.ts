/** What is done to the checked files of the Files view: download them as one ZIP, or delete them after asking. */
import { apiFetch } from './api';
import { $, say } from './dom';
import { loadFiles, selected } from './files';

const segments = (key: string) => key.split('/').map(encodeURIComponent).join('/');

/** Shows how many files are checked, and enables the buttons that act on them. */
export function showSelection(): void {
  const count = selected.size;
  $('selected-count').textContent = count ? `${count} selected` : '';
  $<HTMLButtonElement>('zip').disabled = count === 0;
  $<HTMLButtonElement>('delete').disabled = count === 0;
}

async function downloadZip(): Promise<void> {
  const keys = [...selected];
  say(`Packing ${keys.length} ${keys.length === 1 ? 'file' : 'files'}…`);
  try {
    const response = await apiFetch(
      'zip',
      { method: 'POST', body: JSON.stringify({ keys, name: 'bytedrop.zip' }) },
      'The ZIP could not be made',
    );
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await response.blob());
    link.download = 'bytedrop.zip';
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    say(`Downloaded ${keys.length} ${keys.length === 1 ? 'file' : 'files'} as bytedrop.zip.`, 'ok');
  } catch (error) {
    say((error as Error).message, 'error');
  }
}

async function deleteChosen(after: () => void): Promise<void> {
  const keys = [...selected];
  const what = keys.length === 1 ? '1 file' : `${keys.length} files`;
  if (!confirm(`Delete ${what}? Their links stop working; this cannot be undone.`)) return;
  let failed = '';
  for (const key of keys) {
    try {
      await apiFetch(`files/${segments(key)}`, { method: 'DELETE' }, `'${key}' could not be deleted`);
      selected.delete(key);
    } catch (error) {
      failed ||= (error as Error).message;
    }
  }
  await loadFiles();
  after();
  say(failed || `Deleted ${what}.`, failed ? 'error' : 'ok');
}

/** Wires select-all, ZIP and delete; `after` runs once files were deleted (the usage changed). */
export function setupSelection(after: () => void): void {
  $('select-all').addEventListener('click', () => {
    const boxes = [...document.querySelectorAll<HTMLInputElement>('#files input.pick')];
    const check = boxes.some((box) => !box.checked);
    for (const box of boxes) {
      box.checked = check;
      box.dispatchEvent(new Event('change'));
    }
  });
  $('zip').addEventListener('click', () => void downloadZip());
  $('delete').addEventListener('click', () => void deleteChosen(after));
  showSelection();
}
