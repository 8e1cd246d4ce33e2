/**
 * Part 1: ack latency and CPU per request under load. Signed slash commands and view
 * submissions on a fixed open-loop schedule (bench/load.ts) to a target process (the app or the
 * bare-Bolt baseline), with a fake Slack in a process of its own recording when each views.open
 * and response_url post arrives. CPU per request is read from /proc/<pid>/stat of the target.
 */
import { realNow, sleep } from '../test/support/net.js';
import { input, signSlackRequest, viewSubmissionPayload } from '../test/support/slack-requests.js';
import { CALLBACK, COMMAND, REQUEST_ACTION, REQUEST_BLOCK } from '../src/blocks/ids.js';
import { summarize, round, type LatencySummary } from './stats.js';
import { cpuMs, planRequests, runOpenLoop, type OpenLoopResult } from './load.js';
import type { SlackProcess } from './slack-process.js';

export type AckKind = 'command' | 'submission';

export interface LoadOptions {
  port: number;
  /** The target's pid, for its CPU time. */
  pid: number;
  kind: AckKind;
  /** Requests per second, overall. */
  rate: number;
  durationSec: number;
  signingSecret: string;
  /** The fake Slack: response_urls point at it, and the step waits until it is quiet. */
  slack: SlackProcess;
  /** Distinct users the requests come from (their timezones get cached like in real life). */
  users?: number;
}

export interface CommandOutcomes {
  /** Commands whose views.open Slack took (within the trigger's 3 s). */
  opened: number;
  /** Commands answered "busy" through their response_url instead. */
  busy: number;
  /** Commands whose user saw nothing: no modal, no message. */
  nothing: number;
  /** Command issued → views.open received, ms, for the opened ones. */
  openLatency: LatencySummary;
}

export interface LoadResult extends OpenLoopResult {
  kind: AckKind;
  rate: number;
  durationSec: number;
  /** ok / durationSec. */
  achievedRate: number;
  /** CPU time of the target (user + system) from the first send until its after-ack work is done, per request planned, ms. */
  cpuPerRequestMs: number;
  /** Slash commands only. */
  outcomes?: CommandOutcomes;
}

let stepSeq = 0;

/** A valid form, so the app validates, stores a real request and DMs a checklist. */
function submissionBody(user: string, seq: number, responseUrl: string, triggerId: string): string {
  const expires = new Date(realNow() + 90 * 86_400_000).toISOString().slice(0, 10);
  const payload = viewSubmissionPayload({
    userId: user,
    callbackId: CALLBACK.requestModal,
    triggerId,
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

function commandBody(user: string, responseUrl: string, triggerId: string): string {
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
    trigger_id: triggerId,
    api_app_id: 'A1',
  }).toString();
}

/** A trigger_id in the fake Slack's format, issued at `wallMs` (it expires 3 s later). */
const triggerFor = (step: number, i: number, wallMs: number) =>
  `${step * 1_000_000 + i + 1}.${Math.floor(wallMs)}.${(i + 1).toString(16).padStart(8, '0')}`;
const responsePath = (step: number, i: number) => `/response/b${step}x${i}`;

/** Waits until the fake Slack has seen no call for `quietMs` (the target's after-ack work is done). */
export async function drain(slack: SlackProcess, quietMs = 300, maxMs = 15_000): Promise<void> {
  const started = realNow();
  let last = -1;
  while (realNow() - started < maxMs) {
    const n = await slack.callCount();
    if (n === last) return;
    last = n;
    await sleep(quietMs);
  }
}

/** Runs one load step: builds and signs every request, sends them on schedule, waits for the after-ack work. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const users = o.users ?? 100;
  const step = ++stepSeq;
  const triggers: string[] = [];
  const plan = planRequests(o.rate, o.durationSec, (i, wallMs) => {
    const user = `U${1000 + (i % users)}`;
    const triggerId = triggerFor(step, i, wallMs);
    triggers.push(triggerId);
    const responseUrl = `${o.slack.origin}${responsePath(step, i)}`;
    const body = o.kind === 'command' ? commandBody(user, responseUrl, triggerId) : submissionBody(user, i, responseUrl, triggerId);
    // Signed with the second it is due to be sent, as Slack signs when it sends.
    return {
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...signSlackRequest(body, o.signingSecret, Math.floor(wallMs / 1000)),
      },
    };
  });
  await o.slack.reset();
  const cpuBefore = cpuMs(o.pid);
  const result = await runOpenLoop(o.port, plan);
  await drain(o.slack);
  const cpu = cpuMs(o.pid) - cpuBefore;
  const outcomes = o.kind === 'command' ? await settledOutcomes(o.slack, step, triggers) : undefined;
  return {
    ...result,
    kind: o.kind,
    rate: o.rate,
    durationSec: o.durationSec,
    achievedRate: result.ok / o.durationSec,
    cpuPerRequestMs: round(cpu / Math.max(1, plan.length)),
    ...(outcomes ? { outcomes } : {}),
  };
}

/**
 * The commands' outcomes once they stop changing. Past saturation a target may still be working
 * through requests the generator gave up on when the fake Slack has been quiet for a moment, and
 * each may yet answer "busy" through its response_url (valid for 30 minutes in Slack): counted
 * as soon as the quiet began, they would show as "nothing". Waits while anyone is left with
 * nothing and the count still moves (no change for 3 s, at most 60 s).
 */
async function settledOutcomes(slack: SlackProcess, step: number, triggers: readonly string[]): Promise<CommandOutcomes> {
  const started = realNow();
  let outcomes = await commandOutcomes(slack, step, triggers);
  let changedAt = realNow();
  while (outcomes.nothing > 0 && realNow() - changedAt < 3_000 && realNow() - started < 60_000) {
    await sleep(500);
    const next = await commandOutcomes(slack, step, triggers);
    if (next.nothing !== outcomes.nothing) changedAt = realNow();
    outcomes = next;
  }
  return outcomes;
}

/** For every command: did its user get a modal, a "busy" message, or nothing? */
async function commandOutcomes(slack: SlackProcess, step: number, triggers: readonly string[]): Promise<CommandOutcomes> {
  const { viewsOpen, responses } = await slack.outcomes();
  const opened = new Map(viewsOpen.filter((c) => c.ok).map((c) => [c.triggerId, c.at]));
  const answered = new Set(responses.map((r) => r.path));
  const latencies: number[] = [];
  let busy = 0;
  let nothing = 0;
  triggers.forEach((trigger, i) => {
    const at = opened.get(trigger);
    if (at !== undefined) latencies.push(at - Number(trigger.split('.')[1]));
    else if (answered.has(responsePath(step, i))) busy += 1;
    else nothing += 1;
  });
  return { opened: latencies.length, busy, nothing, openLatency: summarize(latencies) };
}
