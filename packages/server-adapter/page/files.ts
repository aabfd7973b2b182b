/**
 * The Files view: the caller's files from GET /api/files, newest first, with search (`q`), a folder filter
 * (`prefix`) and infinite scroll (the next cursor page loads as the "Load more" button comes into view; it also
 * works as a button). `?page-size=<n>` sets the page size.
 */
import { ApiError, api } from './api';
import { $, el, say } from './dom';
import { fileRow, type ListedFile } from './file-row';

const PAGE_SIZE = Number(new URLSearchParams(location.search).get('page-size')) || 50;

interface Listing {
  files: ListedFile[];
  next: string | null;
  total: { count: number; bytes: number };
}

/** The checked keys (kept across pages and reloads of the list, dropped when their file goes). */
export const selected = new Set<string>();
let next: string | null = null;
let loading = false;
// A newer listing (new search) makes the answers of older ones stale.
let generation = 0;
let changed: () => void = () => {};
let observer: IntersectionObserver | undefined;
const folders = new Set<string>();

const expiry = () => Number($<HTMLSelectElement>('expiry').value);

function addFolders(key: string): void {
  const parts = key.split('/').slice(0, -1);
  for (let i = 1; i <= parts.length; i++) folders.add(`${parts.slice(0, i).join('/')}/`);
}

function showFolders(): void {
  $('folders').replaceChildren(...[...folders].sort().map((folder) => el('option', { value: folder })));
}

/**
 * Lists the files again from the newest (`reset`), or the next page. Answers false when the server keeps no
 * catalog (there is nothing to list); other failures are said in the page.
 */
export async function loadFiles(reset = true): Promise<boolean> {
  if (!reset && (loading || !next)) return true;
  const mine = reset ? ++generation : generation;
  loading = true;
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  const q = $<HTMLInputElement>('q').value.trim();
  const folder = $<HTMLInputElement>('folder').value.trim();
  if (q) query.set('q', q);
  if (folder) query.set('prefix', folder);
  if (!reset && next) query.set('cursor', next);
  const list = $('files');
  list.setAttribute('aria-busy', 'true');
  try {
    const page = await api<Listing>(`files?${query}`, {}, 'The files could not be listed');
    if (mine !== generation) return true;
    if (reset) list.replaceChildren();
    const keys = new Set(page.files.map((file) => file.key));
    for (const file of page.files) {
      list.append(fileRow(file, { selected, expiry, onSelect: changed, onMoved: () => void loadFiles() }));
      addFolders(file.key);
    }
    if (reset) for (const key of selected) if (!keys.has(key)) selected.delete(key);
    showFolders();
    next = page.next;
    $('more').hidden = !next;
    // Observed afresh, so a "Load more" still in view after this page asks for the next one too.
    observer?.unobserve($('more'));
    if (next) observer?.observe($('more'));
    $('files-empty').hidden = list.children.length > 0;
    $('files-count').textContent =
      `${page.total.count} ${page.total.count === 1 ? 'file' : 'files'}${q || folder ? ' found' : ''}`;
    changed();
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && error.code === 'ERR_NOT_FOUND') return false;
    say((error as Error).message, 'error');
    return true;
  } finally {
    if (mine === generation) {
      loading = false;
      list.removeAttribute('aria-busy');
    }
  }
}

/** Wires the filters and the infinite scroll; `onSelect` runs when the selection may have changed. */
export function setupFiles(onSelect: () => void): void {
  changed = onSelect;
  let typing: ReturnType<typeof setTimeout> | undefined;
  const filters = $<HTMLFormElement>('filters');
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(typing);
    void loadFiles();
  });
  // Search as one types, once typing pauses (one request per pause, not per key).
  filters.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => void loadFiles(), 300);
  });
  const more = $('more');
  more.addEventListener('click', () => void loadFiles(false));
  observer = new IntersectionObserver((seen) => {
    if (seen.some((entry) => entry.isIntersecting)) void loadFiles(false);
  });
}
