/**
 * The open-loop load generator of the ack benchmark: one Node process, one keep-alive agent,
 * every request built and signed before the step starts, sent on a fixed schedule (request i at
 * start + i / rate, whatever the target answers), latency counted from the scheduled send time
 * (so a stalled target or generator shows as latency instead of a slower send rate).
 *
 * Hand-written rather than autocannon: autocannon is closed-loop per connection (a slow answer
 * delays the next send) and paces by bursts at the top of every second; the previous bench ran
 * ten of them and measured the generator at 200/s.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { summarize, type LatencySummary } from './stats.js';

export interface PlannedRequest {
  /** performance.now() time the request is due to be sent. */
  at: number;
  body: string;
  headers: Record<string, string>;
}

export interface OpenLoopResult {
  planned: number;
  /** 2xx answers. */
  ok: number;
  /** Non-2xx answers, socket errors and timeouts. */
  failed: number;
  /** The failures by cause: `http <status>`, or the socket error's code (`timeout` for the generator's own). */
  failures: Record<string, number>;
  /** Scheduled send → response fully read, ms, for the 2xx answers. */
  ack: LatencySummary;
  /** How late the generator itself sent (send time − scheduled time): large values mean the generator was the bottleneck. */
  sendLag: LatencySummary;
}

/** Wall-clock ms of a performance.now() instant (trigger_ids and signatures carry wall time). */
export const wallOf = (perf: number): number => performance.timeOrigin + perf;

/** Request i at `start + i * 1000 / rate` for `durationSec`, built by `build` with its wall-clock send time. */
export function planRequests(
  rate: number,
  durationSec: number,
  build: (i: number, wallMs: number) => { body: string; headers: Record<string, string> },
  leadMs = 300,
): PlannedRequest[] {
  const count = Math.round(rate * durationSec);
  const start = performance.now() + leadMs;
  const plan: PlannedRequest[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + (i * 1000) / rate;
    plan.push({ at, ...build(i, wallOf(at)) });
  }
  return plan;
}

/** Sends the plan to 127.0.0.1:port POST `path` and resolves when every request is answered or timed out. */
export async function runOpenLoop(
  port: number,
  plan: readonly PlannedRequest[],
  path = '/slack/events',
  timeoutMs = 10_000,
): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
  const latencies: number[] = [];
  const lags: number[] = [];
  let ok = 0;
  let failed = 0;
  const failures: Record<string, number> = {};
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const settle = () => {
    done += 1;
    if (done === plan.length) finish();
  };

  const send = (p: PlannedRequest) => {
    const sentAt = performance.now();
    lags.push(sentAt - p.at);
    let settled = false;
    const end = (failure: string | undefined) => {
      if (settled) return;
      settled = true;
      if (failure === undefined) {
        ok += 1;
        latencies.push(performance.now() - p.at);
      } else {
        failed += 1;
        failures[failure] = (failures[failure] ?? 0) + 1;
      }
      settle();
    };
    const cause = (err: Error) => (err.message === 'timeout' ? 'timeout' : ((err as NodeJS.ErrnoException).code ?? err.message));
    const req = http.request(
      { agent, host: '127.0.0.1', port, method: 'POST', path, headers: { ...p.headers, 'content-length': Buffer.byteLength(p.body) } },
      (res) => {
        res.resume();
        res.on('end', () =>
          end(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300 ? undefined : `http ${res.statusCode}`),
        );
        res.on('error', (err) => end(cause(err)));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => end(cause(err)));
    req.end(p.body);
  };

  let next = 0;
  const tick = () => {
    const now = performance.now();
    while (next < plan.length && plan[next]!.at <= now) send(plan[next++]!);
    if (next < plan.length) setTimeout(tick, Math.max(0, Math.min(4, plan[next]!.at - performance.now())));
  };
  if (plan.length === 0) finish();
  else setTimeout(tick, Math.max(0, plan[0]!.at - performance.now()));
  await finished;
  agent.destroy();
  return { planned: plan.length, ok, failed, failures, ack: summarize(latencies), sendLag: summarize(lags) };
}

const CLOCK_TICKS_PER_SEC = 100; // USER_HZ: 100 on every Linux kernel Node supports.

/** CPU time (user + system) a process has used so far, ms, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may contain spaces: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SEC;
}
