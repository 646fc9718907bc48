import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, arch, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { findChromium } from '../scripts/chromium.ts';
import { round } from './stats.ts';
import type { BenchReport, BenchResult, MachineInfo, Measurement } from './types.ts';

export function toResult(measurement: Measurement): BenchResult {
  const baseline = measurement.baseline ?? null;
  return {
    id: measurement.id,
    value: measurement.value,
    unit: measurement.unit,
    baseline,
    ratio: baseline === null || baseline.value === 0 ? null : round(measurement.value / baseline.value, 4),
    ...(measurement.extra === undefined ? {} : { extra: measurement.extra }),
  };
}

/** Chromium's version from `--version`, for runs where no scenario launched it. */
function installedChromiumVersion(): string | null {
  const path = findChromium();
  if (path === undefined) return null;
  try {
    const output = execFileSync(path, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return /\d+(?:\.\d+)+/.exec(output)?.[0] ?? null;
  } catch {
    // An unreadable version is not worth failing a bench run over; the report says null.
    return null;
  }
}

export function describeMachine(launchedChromium: string | null): MachineInfo {
  const processors = cpus();
  return {
    cpus: { model: processors[0]?.model.trim() ?? 'unknown', count: processors.length },
    memoryBytes: totalmem(),
    node: process.version,
    chromium: launchedChromium ?? installedChromiumVersion(),
    platform: `${platform()} ${release()} ${arch()}`,
  };
}

function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) >= 100 ? 1 : 3);
}

/** The results as a plain-text table for the terminal. */
export function formatTable(results: readonly BenchResult[]): string {
  const rows = [
    ['id', 'value', 'unit', 'baseline', 'ratio'],
    ...results.map((result) => [
      result.id,
      formatNumber(result.value),
      result.unit,
      result.baseline === null
        ? '-'
        : `${result.baseline.id} = ${formatNumber(result.baseline.value)} ${result.baseline.unit}`,
      formatNumber(result.ratio),
    ]),
  ];
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const numeric = new Set([1, 4]);
  const line = (row: readonly string[]): string =>
    row
      .map((cell, column) =>
        numeric.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(header ?? []), rule, ...body.map(line)].join('\n');
}

export function writeReport(path: string, report: BenchReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** The commit's short hash for history file names, or 'local' outside a repository with commits. */
function shortCommit(root: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    // No git, or no commit yet.
    return 'local';
  }
}

/** Copies the latest report to bench/results/history/<YYYY-MM-DD>-<short sha>.json. */
export function saveToHistory(root: string, latestPath: string, when: string): string {
  const target = join(root, 'bench', 'results', 'history', `${when.slice(0, 10)}-${shortCommit(root)}.json`);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(latestPath, target);
  return target;
}
