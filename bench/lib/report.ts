/** The Markdown table printed at the end and the JSON written to bench/results/. */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Machine, machineLine } from './machine.js';
import type { Summary } from './stats.js';

export interface Target {
  name: string;
  target: string;
  measured: string;
  /** undefined when the figure could not be measured (a tool or package missing). */
  met: boolean | undefined;
}

export interface SectionResult {
  title: string;
  /** Markdown lines of the section's table. */
  table: string[];
  targets: Target[];
  /** Skipped columns, caveats, how a comparison was made like for like. */
  notes: string[];
  data: unknown;
}

/** `median (min–max)` with a fixed number of decimals. */
export function fmt(s: Summary | undefined, digits = 2): string {
  if (!s || Number.isNaN(s.median)) return 'n/a';
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

export function ratio(a: number, b: number): string {
  return Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a';
}

export function tableLines(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

export function renderMarkdown(
  machine: Machine,
  sections: SectionResult[],
  seconds: number,
  command: string,
  load: string,
): string {
  const out = [
    '# Bytedrop bench',
    '',
    `Machine: ${machineLine(machine)}`,
    `Command: \`${command}\`, ${new Date().toISOString()}, took ${(seconds / 60).toFixed(1)} min.`,
    `Load: ${load}.`,
    'Figures: median (min–max) of the runs after a warm-up.',
    '',
  ];
  for (const section of sections) {
    out.push(`## ${section.title}`, '', ...section.table, '');
    for (const note of section.notes) out.push(`- ${note}`);
    if (section.notes.length) out.push('');
  }
  const targets = sections.flatMap((s) => s.targets);
  out.push(
    '## Targets',
    '',
    ...tableLines(
      ['target', 'wanted', 'measured', 'met'],
      targets.map((t) => [
        t.name,
        t.target,
        t.measured,
        t.met === undefined ? 'not measured' : t.met ? 'yes' : '**no**',
      ]),
    ),
    '',
  );
  return out.join('\n');
}

/** Writes `bench/results/bench-<timestamp>.json` and returns its path. */
export async function writeJson(payload: unknown): Promise<string> {
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  await mkdir(dir, { recursive: true });
  const path = `${dir}bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  await writeFile(path, `${JSON.stringify(payload, null, 2)}\n`);
  return path;
}
