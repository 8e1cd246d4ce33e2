/**
 * Part 4: footprint. Start-up time to ready and idle RSS of the app, next to the bare-Bolt
 * baseline started the same way (node + tsx, same fake Slack, same Redis).
 */
import { sleep } from '../test/support/net.js';
import { median, ratio, round } from './stats.js';
import { startTarget, type TargetOptions } from './target-process.js';
import type { TargetKind } from './target.js';

export interface FootprintSample {
  readyMs: number;
  spawnToReadyMs: number;
  rssBytes: number;
  heapUsedBytes: number;
}

export interface FootprintResult {
  kind: TargetKind;
  runs: number;
  /** Medians over the runs. */
  readyMs: number;
  spawnToReadyMs: number;
  idleRssMiB: number;
  idleHeapUsedMiB: number;
}

const MiB = 1024 * 1024;

/** Starts the target `runs` times, idles `idleMs` after ready, reads its memory, stops it. */
export async function measureFootprint(
  kind: TargetKind,
  base: Omit<TargetOptions, 'kind' | 'prefix'> & { prefix: (run: number) => string },
  runs: number,
  idleMs: number,
): Promise<FootprintResult> {
  const samples: FootprintSample[] = [];
  // One start first, not counted: it fills the OS file cache and tsx's transform cache.
  await (await startTarget({ ...base, kind, prefix: base.prefix(-1) })).stop();
  for (let run = 0; run < runs; run++) {
    const target = await startTarget({ ...base, kind, prefix: base.prefix(run) });
    try {
      await sleep(idleMs);
      const memory = await target.memory();
      samples.push({
        readyMs: target.readyMs,
        spawnToReadyMs: target.spawnToReadyMs,
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
      });
    } finally {
      await target.stop();
    }
  }
  return {
    kind,
    runs,
    readyMs: round(median(samples.map((s) => s.readyMs)), 0),
    spawnToReadyMs: round(median(samples.map((s) => s.spawnToReadyMs)), 0),
    idleRssMiB: round(median(samples.map((s) => s.rssBytes)) / MiB, 1),
    idleHeapUsedMiB: round(median(samples.map((s) => s.heapUsedBytes)) / MiB, 1),
  };
}

export function compareFootprint(app: FootprintResult, baseline: FootprintResult) {
  return {
    readyVsBaseline: ratio(app.readyMs, baseline.readyMs),
    rssVsBaseline: ratio(app.idleRssMiB, baseline.idleRssMiB),
  };
}
