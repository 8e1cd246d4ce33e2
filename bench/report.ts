/** Machine info and plain-text tables for the benchmark output. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineInfo {
  date: string;
  host: string;
  platform: string;
  kernel: string;
  cpuModel: string;
  cpus: number;
  totalMemMiB: number;
  node: string;
  redis: string;
  commit: string;
  /** 1, 5 and 15 minute load averages when the run started: a busy machine shows here. */
  loadAvgStart: number[];
  loadAvgEnd?: number[];
}

function quiet(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const dirty = quiet('git', ['status', '--porcelain', '--untracked-files=no']) ? '+dirty' : '';
  return {
    date: new Date().toISOString(),
    host: os.hostname(),
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    totalMemMiB: Math.round(os.totalmem() / 1024 / 1024),
    node: process.version,
    redis: quiet('redis-server', ['--version']).replace(/^Redis server /, ''),
    commit: `${quiet('git', ['rev-parse', '--short', 'HEAD'])}${dirty}`,
    loadAvgStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

type Cell = string | number | boolean | null | undefined;

function show(v: Cell): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number') return Number.isNaN(v) ? '-' : String(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'NO';
  return v;
}

/** A left-aligned text table with a title line. */
export function table(title: string, header: string[], rows: Cell[][]): string {
  const cells = [header, ...rows.map((r) => r.map(show))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [`\n${title}`, line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}
