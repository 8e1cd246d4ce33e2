/**
 * Where the bot reads the time. Everything that decides by time takes a Clock (or a `now`
 * argument in pure code), so processors and listeners are unit-tested at fixed instants; the
 * process itself runs on `systemClock`, so a shifted system clock (faketime) shifts the bot.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stands still at `at` until moved; for tests. */
export function createFixedClock(at: number): Clock & { set(at: number): void; advance(ms: number): void } {
  let current = at;
  return {
    now: () => current,
    set: (next) => {
      current = next;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
