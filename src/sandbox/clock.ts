import type { Clock } from '../clock.js';

/** The sandbox's clock: the wall clock plus an offset that only grows ("time travel"). */
export interface TravelClock extends Clock {
  /** How far ahead of the wall clock the sandbox is, in ms. */
  offsetMs(): number;
  /** Moves the sandbox's time forward to `at` (epoch ms); earlier instants are refused. */
  travelTo(at: number): void;
  /** The sandbox time it was at wall-clock instant `realMs` (for jobs queued before a jump). */
  sandboxTimeAt(realMs: number): number;
}

export function createTravelClock(realNow: () => number = Date.now): TravelClock {
  // Each jump from the wall-clock instant it happened at: offsets only grow.
  const jumps: Array<{ at: number; offset: number }> = [];
  const offsetAt = (realMs: number) => {
    let offset = 0;
    for (const jump of jumps) if (jump.at <= realMs) offset = jump.offset;
    return offset;
  };
  return {
    now: () => {
      const real = realNow();
      return real + offsetAt(real);
    },
    offsetMs: () => offsetAt(realNow()),
    travelTo(at) {
      const real = realNow();
      const current = real + offsetAt(real);
      if (!Number.isFinite(at) || at < current) throw new RangeError('the sandbox clock only moves forward');
      jumps.push({ at: real, offset: at - real });
    },
    sandboxTimeAt: (realMs) => realMs + offsetAt(realMs),
  };
}
