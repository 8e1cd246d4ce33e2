import type { AnyMiddlewareArgs, Middleware, ReceiverEvent } from '@slack/bolt';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StatusCounts } from './store/inventory.js';

/**
 * Prometheus metrics of one bot, on a Registry of its own (never prom-client's global one, so
 * several bots in one process, as in the tests, do not clash). Served on GET /metrics.
 */
export interface Metrics {
  registry: Registry;
  /** Slack requests by kind and outcome (ok / error). */
  requests: Counter<'kind' | 'outcome'>;
  /** Seconds from the receiver handing a request to Bolt to its ack. */
  ackSeconds: Histogram<'kind'>;
  /** Requests already too old on arrival, answered "busy" by the receiver without Bolt (src/http/shed.ts), by kind. */
  shedRequests: Counter<'kind'>;
  /** Reminder DMs sent (once per reminder). */
  remindersSent: Counter;
  /** Failed attempts to send a reminder (each is retried: this counts attempts, not reminders given up on). */
  remindersFailed: Counter;
}

/** Where the gauges read their values at scrape time. */
export interface MetricsSources {
  queueCounts(): Promise<Record<string, number>>;
  tokenCounts(): Promise<{ counts: StatusCounts; counted: number; total: number }>;
  /** The last Atlassian organization sync (only when the sync is on). */
  orgSyncStatus?(): Promise<
    { finishedAt: number; complete: boolean; counts: Readonly<Record<string, number>> | object; warning?: { kind: string } } | undefined
  >;
}

export type RequestKind = 'command' | 'action' | 'view' | 'options' | 'shortcut' | 'event' | 'other';

/** Scrape-time reads give up after this long (a scrape must not hang while Redis is away). */
const SOURCE_TIMEOUT_MS = 1000;
/** Counting tokens walks their records, so the result is reused for this long. */
const TOKEN_COUNT_TTL_MS = 30_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Creates the registry and every metric. `sources` are called only when /metrics is scraped. */
export function createMetrics(sources: MetricsSources, prefix = 'btb_'): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  const registers = [registry];
  const requests = new Counter({
    name: `${prefix}slack_requests_total`,
    help: 'Slack requests by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  });
  const ackSeconds = new Histogram({
    name: `${prefix}slack_ack_seconds`,
    help: 'Seconds from receiving a Slack request to acknowledging it (Slack allows 3)',
    labelNames: ['kind'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
    registers,
  });
  const shedRequests = new Counter({
    name: `${prefix}slack_requests_shed_total`,
    help: 'Slack requests already too old on arrival (overload), answered busy by the receiver without Bolt, by kind',
    labelNames: ['kind'] as const,
    registers,
  });
  const remindersSent = new Counter({ name: `${prefix}reminders_sent_total`, help: 'Expiry reminders sent to token owners', registers });
  const remindersFailed = new Counter({
    name: `${prefix}reminders_failed_total`,
    help: 'Failed attempts to send an expiry reminder (each is retried)',
    registers,
  });
  new Gauge({
    name: `${prefix}queue_jobs`,
    help: 'Background jobs by state (read at scrape time)',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      this.reset();
      const counts = await withTimeout(sources.queueCounts(), SOURCE_TIMEOUT_MS).catch(() => undefined);
      for (const [state, n] of Object.entries(counts ?? {})) this.set({ state }, n);
    },
  });
  let tokenCache: { at: number; value: Awaited<ReturnType<MetricsSources['tokenCounts']>> } | undefined;
  const readTokens = async () => {
    if (!tokenCache || Date.now() - tokenCache.at > TOKEN_COUNT_TTL_MS) {
      const value = await withTimeout(sources.tokenCounts(), SOURCE_TIMEOUT_MS * 5);
      tokenCache = { at: Date.now(), value };
    }
    return tokenCache.value;
  };
  new Gauge({
    name: `${prefix}tokens`,
    help: 'Recorded tokens by stored status (counted from the records at most every 30 s, up to 20000 of them)',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      this.reset();
      const tokens = await readTokens().catch(() => undefined);
      for (const [status, n] of Object.entries(tokens?.counts ?? {})) this.set({ status }, n);
    },
  });
  new Gauge({
    name: `${prefix}tokens_total`,
    help: 'All recorded tokens; larger than the sum of btb_tokens when the status count stopped at its bound',
    registers,
    async collect() {
      this.reset();
      const tokens = await readTokens().catch(() => undefined);
      if (tokens) this.set(tokens.total);
    },
  });
  const { orgSyncStatus } = sources;
  if (orgSyncStatus) {
    const readSync = () => withTimeout(orgSyncStatus(), SOURCE_TIMEOUT_MS).catch(() => undefined);
    new Gauge({
      name: `${prefix}org_sync_last_run_tokens`,
      help: 'Atlassian organization sync, last finished run: tokens seen, discovered, linked, corrected, revoked, unused, ownersNotFound, errors',
      labelNames: ['outcome'] as const,
      registers,
      async collect() {
        this.reset();
        const last = await readSync();
        for (const [outcome, n] of Object.entries(last?.counts ?? {})) if (typeof n === 'number') this.set({ outcome }, n);
      },
    });
    new Gauge({
      name: `${prefix}org_sync_last_run_timestamp_seconds`,
      help: 'When the last Atlassian organization sync finished (Unix seconds; absent before the first)',
      registers,
      async collect() {
        this.reset();
        const last = await readSync();
        if (last) this.set(last.finishedAt / 1000);
      },
    });
    new Gauge({
      name: `${prefix}org_sync_last_run_complete`,
      help: '1 when the last organization sync read the whole listing, else 0 (nothing is then marked revoked)',
      registers,
      async collect() {
        this.reset();
        const last = await readSync();
        if (last) this.set(last.complete ? 1 : 0);
      },
    });
    new Gauge({
      name: `${prefix}org_sync_warning`,
      help: '1 while the organization sync fails, by kind (auth, rate_limited, unavailable, bad_response)',
      labelNames: ['kind'] as const,
      registers,
      async collect() {
        this.reset();
        const last = await readSync();
        if (last?.warning) this.set({ kind: last.warning.kind }, 1);
      },
    });
  }
  return { registry, requests, ackSeconds, shedRequests, remindersSent, remindersFailed };
}

/** The kind of Slack request a body is, for metric labels. */
export function requestKind(body: unknown): RequestKind {
  const b = (body ?? {}) as { command?: unknown; type?: unknown };
  if (typeof b.command === 'string') return 'command';
  switch (b.type) {
    case 'block_actions':
    case 'interactive_message':
      return 'action';
    case 'view_submission':
    case 'view_closed':
      return 'view';
    case 'block_suggestion':
      return 'options';
    case 'shortcut':
    case 'message_action':
      return 'shortcut';
    case 'event_callback':
      return 'event';
    default:
      return 'other';
  }
}

export interface RequestTracker {
  /** Requests Bolt is still working on (acked or not). */
  inFlight(): number;
  /** Resolves true once no request is in flight, or false when `timeoutMs` passes first. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Counts work for a request answered without Bolt (e.g. a reply after the ack) as in flight until it settles. */
  hold(work: Promise<unknown>): void;
}

/**
 * Times acks and tracks in-flight work: `track` wraps one request on its way from the receiver
 * to Bolt (src/http/receiver.ts calls it for every event), replacing the event's ack with one
 * that stops the ack timer, and counting the request until Bolt has finished with it, after
 * its ack too, for a graceful shutdown to wait for. (A global middleware cannot do this: Bolt
 * hands middleware a copy of the listener arguments, so it cannot replace `ack`.)
 */
export function createRequestTracker(metrics: Pick<Metrics, 'ackSeconds'>): RequestTracker & {
  track(event: ReceiverEvent, process: (event: ReceiverEvent) => Promise<void>): Promise<void>;
} {
  let inFlight = 0;
  let idle: Array<() => void> = [];
  const settled = () => {
    inFlight -= 1;
    if (inFlight === 0) for (const resolve of idle.splice(0)) resolve();
  };
  return {
    async track(event, process) {
      const end = metrics.ackSeconds.startTimer({ kind: requestKind(event.body) });
      let acked = false;
      const ack: ReceiverEvent['ack'] = async (response) => {
        try {
          return await event.ack(response);
        } finally {
          if (!acked) end();
          acked = true;
        }
      };
      inFlight += 1;
      try {
        await process({ ...event, ack });
      } finally {
        settled();
      }
    },
    hold(work) {
      inFlight += 1;
      work.then(settled, settled);
    },
    inFlight: () => inFlight,
    drain(timeoutMs) {
      if (inFlight === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          idle = idle.filter((r) => r !== done);
          resolve(false);
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          resolve(true);
        };
        idle.push(done);
      });
    },
  };
}

/**
 * Global middleware (Bolt's documented `app.use`) counting requests by outcome: it sees a
 * listener's error before Bolt's error handler takes it.
 */
export function createOutcomeCounter(metrics: Pick<Metrics, 'requests'>): Middleware<AnyMiddlewareArgs> {
  return async ({ body, next }) => {
    try {
      await next();
      metrics.requests.inc({ kind: requestKind(body), outcome: 'ok' });
    } catch (err) {
      metrics.requests.inc({ kind: requestKind(body), outcome: 'error' });
      throw err;
    }
  };
}
