/**
 * The fake Slack for the ack benchmark, in a process of its own: checking every modal and
 * message against Block Kit limits costs CPU, and in the load generator's process it would
 * delay the generator's sends (the bench reports that lag, `sendLag`).
 *
 * Slack's rule applies: a trigger_id older than 3 s is refused with expired_trigger_id, so a
 * late views.open fails as it would in Slack (and the app's "busy" fallback is exercised).
 *
 * Run as a child (fork with `--import tsx`); talks over IPC:
 *   -> {type:'ready', url, origin}
 *   <- {type:'reset'}      -> {type:'reset'}
 *   <- {type:'count'}      -> {type:'count', calls}
 *   <- {type:'outcomes'}   -> {type:'outcomes', viewsOpen: [{at, triggerId, ok}], responses: [{at, path}]}
 *   <- {type:'stop'}       exits
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeSlack } from '../test/support/fake-slack.js';

export interface ViewsOpenCall {
  at: number;
  triggerId: string;
  ok: boolean;
}

export interface ResponseUrlCall {
  at: number;
  /** /response/<id> */
  path: string;
}

type Reply =
  | { type: 'ready'; url: string; origin: string }
  | { type: 'reset' }
  | { type: 'count'; calls: number }
  | { type: 'outcomes'; viewsOpen: ViewsOpenCall[]; responses: ResponseUrlCall[] };

export interface SlackProcess {
  url: string;
  origin: string;
  reset(): Promise<void>;
  callCount(): Promise<number>;
  /** Every views.open and response_url post since the last reset. */
  outcomes(): Promise<{ viewsOpen: ViewsOpenCall[]; responses: ResponseUrlCall[] }>;
  stop(): Promise<void>;
}

/** Starts the fake Slack child. */
export async function startSlackProcess(): Promise<SlackProcess> {
  const child = fork(fileURLToPath(import.meta.url), ['--child'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // One request at a time: replies come back in order.
  let chain: Promise<unknown> = Promise.resolve();
  const ask = <T extends Reply['type']>(type: T, send = true): Promise<Extract<Reply, { type: T }>> => {
    const next = chain.then(
      () =>
        new Promise<Extract<Reply, { type: T }>>((resolve, reject) => {
          const onMessage = (msg: Reply) => {
            if (msg.type !== type) return;
            child.off('message', onMessage);
            child.off('exit', onExit);
            resolve(msg as Extract<Reply, { type: T }>);
          };
          const onExit = () => reject(new Error('fake Slack process exited'));
          child.on('message', onMessage);
          child.once('exit', onExit);
          if (send) child.send({ type });
        }),
    );
    chain = next.catch(() => undefined);
    return next;
  };
  const ready = await ask('ready', false);
  return {
    url: ready.url,
    origin: ready.origin,
    reset: async () => void (await ask('reset')),
    callCount: async () => (await ask('count')).calls,
    outcomes: async () => {
      const { viewsOpen, responses } = await ask('outcomes');
      return { viewsOpen, responses };
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

async function child(): Promise<void> {
  const slack = await startFakeSlack({ triggerTtlMs: 3000 });
  const send = (msg: Reply) => process.send?.(msg);
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'reset') {
      slack.reset();
      send({ type: 'reset' });
    } else if (msg.type === 'count') {
      send({ type: 'count', calls: slack.calls.length });
    } else if (msg.type === 'outcomes') {
      const viewsOpen = slack.calls
        .filter((c) => c.method === 'views.open')
        .map((c) => ({ at: c.at, triggerId: String(c.args['trigger_id'] ?? ''), ok: c.response['ok'] === true }));
      const responses = slack.calls.filter((c) => c.method === 'response_url').map((c) => ({ at: c.at, path: c.path }));
      send({ type: 'outcomes', viewsOpen, responses });
    } else if (msg.type === 'stop') {
      void slack.stop().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url: slack.url, origin: slack.origin });
}

if (process.argv.includes('--child') && path.resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  void child();
}
