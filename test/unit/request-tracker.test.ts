import { describe, expect, it } from 'vitest';
import { createMetrics, createRequestTracker } from '../../src/metrics.js';

/** Read only when /metrics is scraped, which this test never does. */
const noSources = {
  queueCounts: () => Promise.reject(new Error('not scraped')),
  tokenCounts: () => Promise.reject(new Error('not scraped')),
};

describe('request tracker', () => {
  it('counts work held for a request answered without Bolt as in flight until it settles, for a graceful shutdown', async () => {
    const tracker = createRequestTracker(createMetrics(noSources));
    let finish!: () => void;
    let fail!: (err: Error) => void;
    tracker.hold(new Promise<void>((resolve) => (finish = resolve)));
    tracker.hold(new Promise<void>((_, reject) => (fail = reject)));
    expect(tracker.inFlight()).toBe(2);
    const drained = tracker.drain(10_000);
    finish();
    fail(new Error('response_url refused'));
    expect(await drained).toBe(true);
    expect(tracker.inFlight()).toBe(0);
  });
});
