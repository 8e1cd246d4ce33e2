/**
 * `npm run bench [-- --quick] [-- --only=ack,inventory,delivery,footprint,calendar,orgsync] [-- --profile]
 *   [-- --kinds=command,submission] [-- --rates=50,100,200] [-- --min-replicas=1]`
 *
 * Measures the bot's speed and scale next to baselines measured in the same run, prints tables
 * and writes bench/results.json (bench/results-quick.json for --quick) with machine info. It is a
 * measurement, not a test: it never fails for being slow. Everything listens on 127.0.0.1 and
 * stops by itself. See BENCHMARKS.md.
 */
import { writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startRedisServer, uniquePrefix, type RedisServer } from '../test/support/redis-server.js';
import { realNow } from '../test/support/net.js';
import { runLoad, type AckKind, type LoadResult } from './ack.js';
import { measureInventory, type InventoryResult } from './inventory.js';
import { measureDelivery, referenceDelivery, type DeliveryResult } from './delivery.js';
import { compareFootprint, measureFootprint, type FootprintResult } from './footprint.js';
import { measureCalendar, type CalendarResult } from './calendar.js';
import { measureOrgSync, type OrgSyncBenchResult } from './orgsync.js';
import { machineInfo, table } from './report.js';
import { startSlackProcess, type SlackProcess } from './slack-process.js';
import { ratio } from './stats.js';
import { startTarget, type RunningTarget } from './target-process.js';
import type { TargetKind } from './target.js';
import { appDelivery, sweepProbe } from './wiring.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const SIGNING_SECRET = 'abcdef0123456789abcdef0123456789';
const PARTS = ['ack', 'inventory', 'delivery', 'footprint', 'calendar', 'orgsync'] as const;
type Part = (typeof PARTS)[number];

interface Plan {
  rates: number[];
  durationSec: number;
  warmupSec: number;
  inventorySizes: number[];
  due: number;
  deliveryCount: number;
  deliveryLimit: number;
  deliveryWindowMs: number;
  footprintRuns: number;
  idleMs: number;
  calendarTokens: number;
  calendarRuns: number;
  orgSyncTokens: number;
}

const FULL: Plan = {
  rates: [50, 100, 200, 300, 400, 600],
  durationSec: 10,
  warmupSec: 3,
  inventorySizes: [1_000, 10_000, 100_000],
  due: 100,
  deliveryCount: 10_000,
  deliveryLimit: 250,
  deliveryWindowMs: 1_000,
  footprintRuns: 3,
  idleMs: 3_000,
  calendarTokens: 1_000,
  calendarRuns: 30,
  orgSyncTokens: 10_000,
};

const QUICK: Plan = {
  rates: [50, 100, 200],
  durationSec: 2,
  warmupSec: 1,
  inventorySizes: [1_000, 5_000],
  due: 20,
  deliveryCount: 500,
  deliveryLimit: 100,
  deliveryWindowMs: 1_000,
  footprintRuns: 1,
  idleMs: 1_000,
  calendarTokens: 1_000,
  calendarRuns: 10,
  orgSyncTokens: 1_000,
};

interface AckStep extends LoadResult {
  target: TargetKind;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function benchAck(
  plan: Plan,
  kinds: AckKind[],
  redis: RedisServer,
  slack: SlackProcess,
  profile: boolean,
  minReplicas: number,
): Promise<AckStep[]> {
  const start = (kind: TargetKind) =>
    startTarget({
      kind,
      ...(kind === 'app' && minReplicas > 0 ? { minReplicas } : {}),
      slackUrl: slack.url,
      redisUrl: redis.url,
      prefix: uniquePrefix(`bench-${kind}`),
      signingSecret: SIGNING_SECRET,
      ...(profile ? { cpuProfDir: path.join(BENCH_DIR, 'profiles', kind) } : {}),
    });
  // Both up at once, so each step can alternate between them.
  const targets: RunningTarget[] = [await start('baseline'), await start('app')];
  const steps: AckStep[] = [];
  const load = (target: RunningTarget, kind: AckKind, rate: number, durationSec: number) =>
    runLoad({ port: target.port, pid: target.pid, kind, rate, durationSec, signingSecret: SIGNING_SECRET, slack });
  try {
    for (const kind of kinds) {
      for (const target of targets) {
        log(`warm-up: ${target.kind} ${kind}s at 50/s for ${plan.warmupSec} s`);
        await load(target, kind, 50, plan.warmupSec);
      }
      // Baseline and app alternate at each rate, so both see the same moment of a noisy machine.
      for (const rate of plan.rates) {
        for (const target of targets) {
          log(`${target.kind}: ${kind}s at ${rate}/s for ${plan.durationSec} s`);
          const step = await load(target, kind, rate, plan.durationSec);
          if (step.failed > 0) log(`  ${step.failed} failed: ${JSON.stringify(step.failures)}`);
          steps.push({ ...step, target: target.kind });
        }
      }
    }
  } finally {
    for (const target of targets) await target.stop();
    await slack.reset();
  }
  return steps;
}

interface AckRow {
  kind: AckKind;
  rate: number;
  app: AckStep;
  baseline: AckStep;
  /** p99 app / p99 baseline. */
  p99Ratio: number;
  /** The goal's bound at this rate: max(1.25x baseline p99, baseline p99 + 5 ms). */
  p99Bound: number;
  /** CPU per request, app / baseline. */
  cpuRatio: number;
}

function pairAck(steps: AckStep[]): AckRow[] {
  const rows: AckRow[] = [];
  for (const app of steps.filter((s) => s.target === 'app')) {
    const baseline = steps.find((s) => s.target === 'baseline' && s.kind === app.kind && s.rate === app.rate);
    if (!baseline) continue;
    rows.push({
      kind: app.kind,
      rate: app.rate,
      app,
      baseline,
      p99Ratio: ratio(app.ack.p99, baseline.ack.p99),
      p99Bound: Math.max(1.25 * baseline.ack.p99, baseline.ack.p99 + 5),
      cpuRatio: ratio(app.cpuPerRequestMs, baseline.cpuPerRequestMs),
    });
  }
  return rows;
}

/** Sustained: every request answered 2xx, p99 under 100 ms, and for commands every modal opened. */
function sustains(step: AckStep): boolean {
  return step.failed === 0 && step.ok === step.planned && step.ack.p99 < 100 && (step.outcomes?.opened ?? step.planned) === step.planned;
}

function highestSustained(steps: AckStep[], target: TargetKind, kind: AckKind): number {
  return Math.max(0, ...steps.filter((s) => s.target === target && s.kind === kind && sustains(s)).map((s) => s.rate));
}

interface Goal {
  goal: string;
  met: boolean | null;
  detail: string;
}

function ackGoals(steps: AckStep[], rows: AckRow[], rates: number[]): Goal[] {
  const goals: Goal[] = [];
  for (const kind of [...new Set(rows.map((r) => r.kind))]) {
    const mine = rows.filter((r) => r.kind === kind);
    const inBand = mine.filter((r) => r.rate >= 50 && r.rate <= 200);
    goals.push({
      goal: `${kind}: CPU per request <= 1.0x baseline at 50-200/s`,
      met: inBand.length ? inBand.every((r) => r.cpuRatio <= 1.0) : null,
      detail: inBand.map((r) => `${r.rate}/s ${r.app.cpuPerRequestMs} / ${r.baseline.cpuPerRequestMs} ms = ${r.cpuRatio}x`).join('; '),
    });
    const over = inBand.filter((r) => r.app.ack.p99 > r.p99Bound);
    goals.push({
      goal: `${kind}: p99 <= max(1.25x baseline, baseline + 5 ms) at 50-200/s`,
      met: inBand.length ? over.length === 0 : null,
      detail: inBand.map((r) => `${r.rate}/s ${r.app.ack.p99} vs bound ${Math.round(r.p99Bound * 100) / 100}`).join('; '),
    });
    const appMax = highestSustained(steps, 'app', kind);
    const baseMax = highestSustained(steps, 'baseline', kind);
    const top = Math.max(...rates);
    goals.push({
      goal: `${kind}: highest rate with p99 < 100 ms${kind === 'command' ? ' and every modal opened' : ''} >= 1.0x baseline's`,
      met: appMax >= baseMax,
      detail: `app ${appMax}/s, baseline ${baseMax}/s${baseMax === top ? ' (the highest rate run; the baseline may sustain more)' : ''}`,
    });
    if (kind === 'submission') {
      const late = mine.reduce((n, r) => n + (r.app.planned - r.app.ok), 0);
      const maxAck = Math.max(...mine.map((r) => r.app.ack.max));
      goals.push({
        goal: 'submission: every one answered within 3 s, at every rate',
        met: late === 0 && maxAck < 3000,
        detail: `max ack ${maxAck} ms, unanswered ${late}`,
      });
    }
  }
  const commands = rows.filter((r) => r.kind === 'command');
  if (commands.length) {
    const nothing = commands.map((r) => `${r.rate}/s ${r.app.outcomes?.nothing ?? '?'} (base ${r.baseline.outcomes?.nothing ?? '?'})`);
    goals.push({
      goal: 'command: no user left with nothing (a modal or the busy message), at every rate',
      met: commands.every((r) => r.app.outcomes?.nothing === 0),
      detail: nothing.join('; '),
    });
  }
  return goals;
}

function printAck(rows: AckRow[]): void {
  for (const kind of [...new Set(rows.map((r) => r.kind))]) {
    const mine = rows.filter((r) => r.kind === kind);
    const header = [
      'rate/s',
      'ok/s app',
      'p50 app / base',
      'p99 app / base',
      'max app / base',
      'p99 bound',
      'CPU ms/req app / base',
      'CPU x base',
      'failed app/base',
      'send lag p99',
    ];
    const extra = kind === 'command' ? ['open p99 app / base', 'modal / busy / nothing app', 'nothing base'] : [];
    const pair = (a: number | undefined, b: number | undefined) => `${a ?? '-'} / ${b ?? '-'}`;
    console.log(
      table(
        `Open-loop ${kind === 'command' ? '/bitbucket-token commands' : 'view submissions'} (ms from the scheduled send; "open" = command issued -> views.open at the fake Slack)`,
        [...header, ...extra],
        mine.map((r) => [
          r.rate,
          Math.round(r.app.achievedRate),
          pair(r.app.ack.p50, r.baseline.ack.p50),
          pair(r.app.ack.p99, r.baseline.ack.p99),
          pair(r.app.ack.max, r.baseline.ack.max),
          Math.round(r.p99Bound * 100) / 100,
          pair(r.app.cpuPerRequestMs, r.baseline.cpuPerRequestMs),
          r.cpuRatio,
          `${r.app.failed}/${r.baseline.failed}`,
          Math.max(r.app.sendLag.p99, r.baseline.sendLag.p99),
          ...(kind === 'command'
            ? [
                pair(r.app.outcomes?.openLatency.p99, r.baseline.outcomes?.openLatency.p99),
                `${r.app.outcomes?.opened} / ${r.app.outcomes?.busy} / ${r.app.outcomes?.nothing}`,
                r.baseline.outcomes?.nothing,
              ]
            : []),
        ]),
      ),
    );
  }
}

async function benchInventory(plan: Plan, scratch: RedisServer): Promise<InventoryResult[]> {
  const results: InventoryResult[] = [];
  for (const size of plan.inventorySizes) {
    log(`inventory: ${size} tokens`);
    results.push(await measureInventory(size, { redisUrl: scratch.url, due: plan.due, sweep: sweepProbe }));
  }
  console.log(
    table(
      `Inventory scale (sweep with ${plan.due} due reminders, median ms of 5)`,
      [
        'tokens',
        'bytes/token',
        'token keys bytes',
        'import/s',
        'raw pipeline/s',
        'import x raw',
        'sweep ms',
        'reminded: bytes/token',
        'reminded: token keys bytes',
      ],
      results.map((r) => [
        r.size,
        r.bytesPerToken,
        r.sampleTokenKeysBytes,
        r.importPerSec,
        r.rawPipelinePerSec,
        r.importVsRaw,
        r.sweepMs,
        r.remindedBytesPerToken,
        r.remindedTokenKeysBytes,
      ]),
    ),
  );
  return results;
}

async function benchDelivery(plan: Plan, scratch: RedisServer): Promise<DeliveryResult[]> {
  const runs = [
    { name: 'app scheduler', factory: appDelivery },
    { name: 'reference (WebClient only)', factory: referenceDelivery },
  ];
  const results: DeliveryResult[] = [];
  for (const run of runs) {
    log(`delivery: ${plan.deliveryCount} reminders, ${run.name}`);
    results.push(
      await measureDelivery(run.factory, {
        name: run.name,
        count: plan.deliveryCount,
        limit: plan.deliveryLimit,
        windowMs: plan.deliveryWindowMs,
        redisUrl: scratch.url,
        keyPrefix: uniquePrefix('bench-delivery'),
      }),
    );
  }
  console.log(
    table(
      `Reminder delivery (${plan.deliveryCount} due at once; fake Slack allows ${plan.deliveryLimit} chat.postMessage per ${plan.deliveryWindowMs} ms)`,
      ['sender', 'deliver ms', 'ideal ms', 'x ideal', '429s', 'duplicates', 'losses', 'timed out'],
      results.map((r) => [r.name, r.deliverMs, r.idealMs, r.deliverVsIdeal, r.rateLimited, r.duplicates, r.losses, r.timedOut]),
    ),
  );
  return results;
}

async function benchFootprint(plan: Plan, redis: RedisServer, slack: SlackProcess) {
  const base = { slackUrl: slack.url, redisUrl: redis.url, signingSecret: SIGNING_SECRET, prefix: () => uniquePrefix('bench-footprint') };
  log(`footprint: ${plan.footprintRuns} start(s) each`);
  const baseline: FootprintResult = await measureFootprint('baseline', base, plan.footprintRuns, plan.idleMs);
  const app: FootprintResult = await measureFootprint('app', base, plan.footprintRuns, plan.idleMs);
  const compared = compareFootprint(app, baseline);
  console.log(
    table(
      `Footprint (median of ${plan.footprintRuns}; node --import tsx; idle ${plan.idleMs} ms after ready)`,
      ['process', 'ready ms (in process)', 'spawn -> ready ms', 'idle RSS MiB', 'heap used MiB'],
      [app, baseline].map((f) => [f.kind, f.readyMs, f.spawnToReadyMs, f.idleRssMiB, f.idleHeapUsedMiB]),
    ),
  );
  console.log(`app vs baseline: ready x${compared.readyVsBaseline}, RSS x${compared.rssVsBaseline}`);
  return { app, baseline, ...compared };
}

async function benchCalendar(plan: Plan, scratch: RedisServer): Promise<CalendarResult> {
  log(`calendar: ${plan.calendarTokens} tokens, ${plan.calendarRuns} runs`);
  const result = await measureCalendar(scratch.url, plan.calendarTokens, plan.calendarRuns);
  console.log(
    table(
      `Calendar feed (${result.tokens} tokens, ${Math.round(result.bodyBytes / 1024)} KiB; GET over HTTP, ${plan.calendarRuns} runs)`,
      ['request', 'p50 ms', 'p99 ms', 'max ms'],
      [
        ['cold (generated)', result.coldMs.p50, result.coldMs.p99, result.coldMs.max],
        ['warm (cached text)', result.warmMs.p50, result.warmMs.p99, result.warmMs.max],
        ['one token changed', result.changedMs.p50, result.changedMs.p99, result.changedMs.max],
        ['If-None-Match (304)', result.notModifiedMs.p50, result.notModifiedMs.p99, result.notModifiedMs.max],
      ],
    ),
  );
  return result;
}

async function benchOrgSync(plan: Plan, scratch: RedisServer): Promise<OrgSyncBenchResult> {
  log(`orgsync: ${plan.orgSyncTokens} Atlassian tokens, 100 a page`);
  const r = await measureOrgSync(scratch.url, plan.orgSyncTokens, 100);
  console.log(
    table(
      `Organization sync (${r.tokens} tokens of ${r.owners} owners, ${r.pageSize} a page; fake API Access endpoint and fake Slack in this process)`,
      ['run', 'seconds', 'tokens/s', 'discovered', 'unused', 'changed'],
      [
        [
          'first (all new)',
          r.firstSec,
          Math.round(r.tokens / r.firstSec),
          r.firstCounts.discovered,
          r.firstCounts.unused,
          r.firstCounts.discovered,
        ],
        ['second (same listing)', r.secondSec, Math.round(r.tokens / r.secondSec), r.secondCounts.discovered, r.secondCounts.unused, 0],
      ],
    ),
  );
  console.log(
    `Redis used_memory ${r.redisBeforeMiB} -> ${r.redisAfterMiB} MiB (${r.bytesPerToken} bytes per token, ${r.keysAfter} keys; ${r.noticeJobs} notice jobs queued)`,
  );
  return r;
}

/** A replica of `primary` (redis-server --replicaof), once the primary counts it as connected. */
async function startReplica(primary: RedisServer): Promise<RedisServer> {
  const replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
  const client = new Redis(primary.url);
  try {
    const deadline = realNow() + 20_000;
    while (!/^connected_slaves:[1-9]/m.test(await client.info('replication'))) {
      if (realNow() > deadline) throw new Error('the bench replica did not connect within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    client.disconnect();
  }
  log(`replica of the bench Redis on port ${replica.port}: the app runs with REDIS_MIN_REPLICAS=1`);
  return replica;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'boolean', default: false },
      kinds: { type: 'string' },
      rates: { type: 'string' },
      'min-replicas': { type: 'string', default: '0' },
    },
  });
  // REDIS_MIN_REPLICAS for the app (every reported write followed by WAIT); the bench then runs a replica of its Redis.
  const minReplicas = Number(values['min-replicas']);
  if (!Number.isInteger(minReplicas) || minReplicas < 0 || minReplicas > 1) throw new Error('--min-replicas: 0 or 1');
  const plan = { ...(values.quick ? QUICK : FULL) };
  if (values.rates) plan.rates = values.rates.split(',').map((r) => Number(r.trim()));
  if (plan.rates.some((r) => !Number.isFinite(r) || r <= 0)) throw new Error(`--rates: positive numbers, e.g. --rates=50,100,200`);
  const kinds = (values.kinds ? values.kinds.split(',').map((k) => k.trim()) : ['command', 'submission']) as AckKind[];
  for (const k of kinds) if (k !== 'command' && k !== 'submission') throw new Error(`unknown kind '${k}'; kinds: command, submission`);
  const parts = new Set<Part>((values.only ? values.only.split(',') : PARTS).map((p) => p.trim() as Part));
  for (const p of parts) if (!PARTS.includes(p)) throw new Error(`unknown part '${p}'; parts: ${PARTS.join(', ')}`);
  const out = values.out ?? path.join(BENCH_DIR, values.quick ? 'results-quick.json' : 'results.json');

  const machine = machineInfo();
  console.log(
    `Bench ${values.quick ? '(quick) ' : ''}${machine.date} on ${machine.cpus}x ${machine.cpuModel}, ${machine.totalMemMiB} MiB, node ${machine.node}, redis ${machine.redis}, commit ${machine.commit}, load ${machine.loadAvgStart.join(' ')}`,
  );
  if (machine.loadAvgStart[0]! > os.cpus().length * 0.5)
    console.log('Note: the machine is busy; ratios hold better than absolute figures.');

  const started = realNow();
  const redis = await startRedisServer();
  const scratch = await startRedisServer();
  const replica = minReplicas > 0 ? await startReplica(redis) : undefined;
  const slack = await startSlackProcess();
  const results: Record<string, unknown> = { machine, quick: values.quick, plan, minReplicas };
  try {
    if (parts.has('ack')) {
      const steps = await benchAck(plan, kinds, redis, slack, values.profile, minReplicas);
      const rows = pairAck(steps);
      printAck(rows);
      results['ack'] = { steps, goals: ackGoals(steps, rows, plan.rates) };
    }
    if (parts.has('inventory')) results['inventory'] = await benchInventory(plan, scratch);
    if (parts.has('delivery')) results['delivery'] = await benchDelivery(plan, scratch);
    if (parts.has('footprint')) results['footprint'] = await benchFootprint(plan, redis, slack);
    if (parts.has('calendar')) results['calendar'] = await benchCalendar(plan, scratch);
    if (parts.has('orgsync')) results['orgsync'] = await benchOrgSync(plan, scratch);
  } finally {
    await slack.stop();
    await replica?.stop();
    await redis.stop();
    await scratch.stop();
  }

  const goals = [
    ...((results['ack'] as { goals?: Goal[] } | undefined)?.goals ?? []),
    ...((results['delivery'] as DeliveryResult[] | undefined) ?? []).map((d) => ({
      goal: `delivery (${d.name}): no duplicates, no losses`,
      met: d.duplicates === 0 && d.losses === 0,
      detail: `${d.duplicates} duplicates, ${d.losses} losses, ${d.rateLimited} 429s, x${d.deliverVsIdeal} ideal`,
    })),
    ...(results['calendar']
      ? [
          ((c: CalendarResult) => ({
            goal: `calendar: a ${c.tokens}-token feed in under 50 ms (p50, generated)`,
            met: c.coldMs.p50 < 50,
            detail: `cold p50 ${c.coldMs.p50} ms (p99 ${c.coldMs.p99}), one changed p50 ${c.changedMs.p50} ms, warm p50 ${c.warmMs.p50} ms, 304 p50 ${c.notModifiedMs.p50} ms`,
          }))(results['calendar'] as CalendarResult),
        ]
      : []),
  ];
  if (goals.length) {
    console.log(
      table(
        'Goals',
        ['goal', 'met', 'detail'],
        goals.map((g) => [g.goal, g.met, g.detail]),
      ),
    );
  }
  machine.loadAvgEnd = os.loadavg().map((l) => Math.round(l * 100) / 100);
  results['goals'] = goals;
  results['durationSec'] = Math.round((realNow() - started) / 1000);
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nWrote ${path.relative(process.cwd(), out)} (${results['durationSec']} s; load ${machine.loadAvgEnd.join(' ')})`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
