/**
 * Part 1: ack latency under load. Signed slash commands and view submissions at a fixed rate,
 * sent by autocannon to a target process (the app or the bare-Bolt baseline), with a fake Slack
 * on loopback recording when each views.open arrives.
 */
import autocannon from 'autocannon';
import { realNow, sleep } from '../test/support/net.js';
import { input, newTriggerId, signSlackRequest, viewSubmissionPayload } from '../test/support/slack-requests.js';
import { CALLBACK, COMMAND, REQUEST_ACTION, REQUEST_BLOCK } from '../src/blocks/ids.js';
import { summarize, type LatencySummary } from './stats.js';
import type { SlackProcess } from './slack-process.js';

export type AckKind = 'command' | 'submission';

export interface LoadOptions {
  port: number;
  kind: AckKind;
  /** Requests per second, overall. */
  rate: number;
  durationSec: number;
  signingSecret: string;
  /** Where slash-command response_urls point (the fake Slack). */
  responseUrl: string;
  /** Distinct users the requests come from (their timezones get cached like in real life). */
  users?: number;
}

export interface LoadResult {
  kind: AckKind;
  rate: number;
  durationSec: number;
  sent: number;
  /** Answers with a 2xx status. */
  ok: number;
  /** Non-2xx answers, connection errors and timeouts. */
  failed: number;
  /** ok / durationSec. */
  achievedRate: number;
  /** HTTP ack latency (request written to response read), ms. */
  ack: LatencySummary;
  /** Issue times of the commands' trigger_ids (for the views.open latency). */
  firstIssuedAt: number;
}

/** The payload fields of the bench requests: a valid form, so the app stores a real request. */
function submissionBody(user: string, seq: number, responseUrl: string): string {
  const expires = new Date(realNow() + 90 * 86_400_000).toISOString().slice(0, 10);
  const payload = viewSubmissionPayload({
    userId: user,
    callbackId: CALLBACK.requestModal,
    privateMetadata: JSON.stringify({ channelId: 'C1', responseUrl, revision: 0 }),
    values: {
      [REQUEST_BLOCK.preset]: { [REQUEST_ACTION.preset]: input.select('custom') },
      [REQUEST_BLOCK.name]: { [REQUEST_ACTION.name]: input.text(`Bench token ${seq}`) },
      [REQUEST_BLOCK.expiry]: { [REQUEST_ACTION.expiry]: input.date(expires) },
      [REQUEST_BLOCK.scopes]: { [REQUEST_ACTION.scopes]: input.multi(['read:repository:bitbucket', 'read:pullrequest:bitbucket']) },
      [REQUEST_BLOCK.workspace]: { [REQUEST_ACTION.workspace]: input.text('acme') },
      [REQUEST_BLOCK.purpose]: { [REQUEST_ACTION.purpose]: input.text('benchmark') },
    },
  });
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

function commandBody(user: string, responseUrl: string): string {
  return new URLSearchParams({
    token: 'verification-token',
    team_id: 'T1',
    team_domain: 'acme',
    channel_id: 'C1',
    channel_name: 'general',
    user_id: user,
    user_name: user.toLowerCase(),
    command: COMMAND,
    text: '',
    response_url: responseUrl,
    trigger_id: newTriggerId(),
    api_app_id: 'A1',
  }).toString();
}

/**
 * autocannon paces `overallRate` per second and per connection: every connection sends its
 * share back to back at the start of each second. To spread the load over the second, the rate
 * is split into slices started 1000/slices ms apart, each an autocannon instance of its own.
 */
function sliceCount(rate: number): number {
  return Math.max(1, Math.min(10, Math.floor(rate / 10)));
}

/** Runs one load step and returns the per-request ack latencies summarised. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const users = o.users ?? 100;
  let seq = 0;
  const samples: number[] = [];
  let ok = 0;
  let failed = 0;
  const firstIssuedAt = realNow();

  const setupRequest = (req: autocannon.Request): autocannon.Request => {
    seq += 1;
    const user = `U${1000 + (seq % users)}`;
    const body = o.kind === 'command' ? commandBody(user, o.responseUrl) : submissionBody(user, seq, o.responseUrl);
    // The signature covers timestamp + body: computed for every request, as Slack does.
    return { ...req, body, headers: { ...req.headers, ...signSlackRequest(body, o.signingSecret) } };
  };

  const slices = sliceCount(o.rate);
  const perSlice = Math.max(1, Math.round(o.rate / slices));
  // About 5 requests per second on each connection: enough connections that a slow answer does
  // not hold back the next request for long, few enough not to turn every tick into a stampede.
  const connections = Math.max(1, Math.ceil(perSlice / 5));
  const instances: Promise<void>[] = [];
  const running: autocannon.Instance[] = [];
  for (let i = 0; i < slices; i++) {
    if (i > 0) await sleep(1000 / slices);
    instances.push(
      new Promise<void>((resolve, reject) => {
        const instance = autocannon(
          {
            url: `http://127.0.0.1:${o.port}`,
            connections,
            overallRate: perSlice,
            duration: o.durationSec,
            timeout: 10,
            requests: [
              {
                method: 'POST',
                path: '/slack/events',
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                setupRequest,
              },
            ],
          },
          (err) => (err ? reject(err) : resolve()),
        );
        instance.on('response', (_client, statusCode, _bytes, responseTime) => {
          if (statusCode >= 200 && statusCode < 300) {
            ok += 1;
            samples.push(responseTime);
          } else {
            failed += 1;
          }
        });
        instance.on('reqError', () => {
          failed += 1;
        });
        running.push(instance);
      }),
    );
  }
  await Promise.all(instances);
  return {
    kind: o.kind,
    rate: o.rate,
    durationSec: o.durationSec,
    sent: seq,
    ok,
    failed,
    achievedRate: ok / o.durationSec,
    ack: summarize(samples),
    firstIssuedAt,
  };
}

export interface ViewsOpenResult {
  /** views.open calls that reached the fake Slack for the commands sent. */
  received: number;
  /** Calls that Slack would have refused because the trigger_id was older than 3 s. */
  laterThan3s: number;
  /** From the trigger_id's issue time (request built) to the call reaching the fake Slack, ms. */
  latency: LatencySummary;
}

/** The issue time a trigger_id from newTriggerId() embeds: `<seq>.<epochMs>.<hex>`. */
export function triggerIssuedAt(triggerId: unknown): number | undefined {
  const m = typeof triggerId === 'string' ? /^\d+\.(\d{13})\.[0-9a-f]+$/.exec(triggerId) : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * Waits until every command's views.open has arrived (or `settleMs` passes without a new one)
 * and measures how long after the command was issued each arrived.
 */
export async function collectViewsOpen(slack: SlackProcess, expected: number, settleMs = 3000): Promise<ViewsOpenResult> {
  let calls = await slack.viewsOpen();
  let quietSince = realNow();
  while (calls.length < expected && realNow() - quietSince <= settleMs) {
    await sleep(100);
    const now = await slack.viewsOpen();
    if (now.length !== calls.length) quietSince = realNow();
    calls = now;
  }
  const latencies: number[] = [];
  for (const call of calls) {
    const issued = triggerIssuedAt(call.triggerId);
    if (issued !== undefined) latencies.push(call.at - issued);
  }
  return {
    received: latencies.length,
    laterThan3s: latencies.filter((ms) => ms > 3000).length,
    latency: summarize(latencies),
  };
}
