/** The caller's usage against their limits (GET /api/usage), and for an admin key the statistics (GET /api/stats). */
import { api } from './api';
import { $, el, formatBytes, say } from './dom';

interface Usage {
  files: number;
  bytes: number;
  uploadsToday: number;
  limits: { files: number | null; bytes: number | null; uploadsPerDay: number | null };
}
interface Tally {
  files: number;
  bytes: number;
}
interface Stats {
  from: string;
  to: string;
  totals: Tally;
  owners: (Tally & { owner: string | null })[];
  types: (Tally & { contentType: string })[];
}

/** One usage line: "3 files of 100", with a meter when there is a limit. */
function line(label: string, used: number, limit: number | null, show: (n: number) => string = String) {
  const text = `${label}: ${show(used)}${limit === null ? '' : ` of ${show(limit)}`}`;
  const item = el('li', {}, text);
  if (limit !== null) {
    const meter = el('meter', { min: 0, max: limit, value: used, high: limit * 0.9 });
    meter.setAttribute('aria-label', text);
    item.append(' ', meter);
  }
  return item;
}

/** Shows the caller's usage. */
export async function showUsage(): Promise<void> {
  try {
    const usage = await api<Usage>('usage', {}, 'The usage could not be read');
    $('usage').replaceChildren(
      line('Files', usage.files, usage.limits.files),
      line('Stored', usage.bytes, usage.limits.bytes, formatBytes),
      line('Uploads today', usage.uploadsToday, usage.limits.uploadsPerDay),
    );
  } catch (error) {
    say((error as Error).message, 'error');
  }
}

const table = (caption: string, head: string, rows: [string, Tally][]) =>
  el(
    'table',
    {},
    el('caption', { textContent: caption }),
    el('tr', {}, ...[head, 'Files', 'Bytes'].map((text) => el('th', { scope: 'col', textContent: text }))),
    ...rows.map(([name, tally]) =>
      el(
        'tr',
        {},
        el('td', { textContent: name }),
        el('td', { textContent: String(tally.files) }),
        el('td', { textContent: formatBytes(tally.bytes) }),
      ),
    ),
  );

/** Shows the server's statistics of the last 30 days (admin keys only; the section stays hidden for others). */
export async function showStats(): Promise<void> {
  try {
    const stats = await api<Stats>('stats?top=5', {}, 'The statistics could not be read');
    $('stats').replaceChildren(
      el('p', {
        textContent: `${stats.totals.files} uploads, ${formatBytes(stats.totals.bytes)}, ${stats.from.slice(0, 10)} to ${stats.to.slice(0, 10)}.`,
      }),
      table(
        'Top owners',
        'Owner',
        stats.owners.map((row) => [row.owner ?? '(other tools)', row]),
      ),
      table(
        'Top types',
        'Type',
        stats.types.map((row) => [row.contentType, row]),
      ),
    );
    $('stats-section').hidden = false;
  } catch (error) {
    say((error as Error).message, 'error');
  }
}
