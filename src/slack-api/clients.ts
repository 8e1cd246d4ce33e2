import { LogLevel, WebClient, type WebClientOptions } from '@slack/web-api';
import { slackFetchWithin } from './http.js';

/**
 * Every Slack Web API client the bot uses, and why each is shaped as it is. Slack allows 3 s
 * for an ack and a trigger_id lives 3 s, so what a call may cost depends on where it runs.
 *
 * | client | used by | retries | timeout | 429 |
 * |---|---|---|---|---|
 * | Bolt's `client` (listener arguments) | listener work after its ack: views.update, chat.update, replies | a few, within seconds | 10 s | waits Retry-After |
 * | `quick` | calls that precede an ack (users.info, usergroups.users.list) and sends with a retry job behind them (the first checklist DM) | none | 1.5 s | surfaced at once |
 * | `modal` | views.open / views.push with a trigger_id (it lives 3 s) | a few, within seconds | 10 s | surfaced at once: the user is told "busy" |
 * | `jobs` | job processors: BullMQ owns retrying (backoff, Retry-After rescheduling) | none | 10 s | surfaced at once |
 * | start-up (preflight.ts) | auth.test before listening | 2 | 5 s | waits |
 */
export interface SlackClientSettings {
  botToken: string;
  apiUrl: string;
  /**
   * Retries of Bolt's client after an ack. Default {@link LISTENER_RETRIES}; the tests pass 0
   * where a fault test counts calls exactly.
   */
  listenerRetries?: number;
}

/** Bolt's client: after an ack a listener may retry briefly (about 3 s in all), never for minutes. */
export const LISTENER_RETRIES = 2;
/** A call before an ack must leave time for the ack itself within Slack's 3 s. */
export const QUICK_TIMEOUT_MS = 1500;
const CALL_TIMEOUT_MS = 10_000;

/** Options for Bolt's own client (App `clientOptions`). */
export function listenerClientOptions(s: SlackClientSettings): WebClientOptions {
  const retries = s.listenerRetries ?? LISTENER_RETRIES;
  return {
    slackApiUrl: s.apiUrl,
    // The limit is kept by our transport (cheaper than the client's own, see slackFetchWithin).
    fetch: slackFetchWithin(CALL_TIMEOUT_MS),
    timeout: 0,
    // The client's default (10 retries over about 30 minutes) would hold a listener, and a
    // graceful shutdown, for that long.
    retryConfig: { retries, factor: 2, minTimeout: 250, maxTimeout: 1500 },
  };
}

/** A client that never retries by itself and surfaces 429s: its caller decides what to do. */
const createNoRetryClient = (s: SlackClientSettings, timeout: number): WebClient =>
  new WebClient(s.botToken, {
    slackApiUrl: s.apiUrl,
    fetch: slackFetchWithin(timeout),
    timeout: 0,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
  });

/** Fails fast: no retries, rate limits surfaced, a timeout well under Slack's 3 s. */
export const createQuickClient = (s: SlackClientSettings): WebClient => createNoRetryClient(s, QUICK_TIMEOUT_MS);

/**
 * For job processors: a 429 reschedules the job (Retry-After) rather than holding a worker for
 * minutes, and any other failure is retried by BullMQ with backoff.
 */
export const createJobClient = (s: SlackClientSettings): WebClient => createNoRetryClient(s, CALL_TIMEOUT_MS);

/**
 * For views.open / views.push. A trigger_id lives 3 s, so waiting out a Retry-After (1 s at the
 * least) is pointless: a 429 is surfaced and the user told "busy, try again" (kit/trigger-age.ts).
 * It is a client of its own because @slack/web-api pauses a client's whole request queue for the
 * Retry-After of any 429 it waits out: on Bolt's shared client a rate-limited chat.update or
 * views.update would hold every user's views.open until their triggers expired.
 */
export function createModalClient(s: SlackClientSettings): WebClient {
  return new WebClient(s.botToken, { ...listenerClientOptions(s), rejectRateLimitedCalls: true, logLevel: LogLevel.ERROR });
}

/** auth.test at start-up: a short retry budget, so a wrong token or no network fails in seconds. */
export function createStartupClient(s: SlackClientSettings): WebClient {
  return new WebClient(s.botToken, {
    slackApiUrl: s.apiUrl,
    fetch: slackFetchWithin(5000),
    timeout: 0,
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2000 },
    logLevel: LogLevel.ERROR,
  });
}
