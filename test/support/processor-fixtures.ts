import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { inject } from 'vitest';
import { Redis } from 'ioredis';
import type { WebClient } from '@slack/web-api';
import { createFixedClock } from '../../src/clock.js';
import { createJobQueue, type JobQueue } from '../../src/jobs/queue.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createJobClient } from '../../src/slack-api/clients.js';
import { createKeys, type Keys } from '../../src/store/keys.js';
import { RequestStore } from '../../src/store/requests.js';
import { TokenStore } from '../../src/store/tokens.js';
import { uniquePrefix } from './redis-server.js';
import type { FakeSlack } from './fake-slack.js';

/**
 * What the job processors need, for calling them as plain functions in unit tests: real Redis
 * under a unique key prefix, a real BullMQ queue on that prefix (no worker: tests read the
 * jobs it holds), the jobs' Web API client pointed at a fake Slack, a fixed clock and a
 * logger whose lines the test can read.
 */
export interface ProcessorFixture {
  prefix: string;
  redis: Redis;
  keys: Keys;
  tokens: TokenStore;
  requests: RequestStore;
  jobs: JobQueue;
  client: WebClient;
  clock: ReturnType<typeof createFixedClock>;
  logger: Logger;
  logs: LineCapture;
  /** Closes the queue and the connection and deletes every key under the prefix. */
  close(): Promise<void>;
}

/** Collects pino's JSON lines. */
export class LineCapture extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
  /** Lines whose msg is exactly `msg`. */
  withMsg(msg: string): Array<Record<string, unknown>> {
    return this.lines.filter((l) => l['msg'] === msg);
  }
}

/** A bot token the fake accepts, made at run time so no token-shaped literal sits in the repository. */
export const fakeBotToken = (): string => ['xox' + 'b', 'unit', randomBytes(8).toString('hex')].join('-');

export async function createProcessorFixture(name: string, slack: FakeSlack, at: number): Promise<ProcessorFixture> {
  const redisUrl = inject('redisUrl');
  const prefix = uniquePrefix(name);
  const redis = new Redis(redisUrl);
  const keys = createKeys(prefix);
  const requests = new RequestStore(redis, keys);
  const tokens = new TokenStore(redis, keys, requests);
  const logs = new LineCapture();
  const logger = createLogger({ level: 'debug', destination: logs });
  const jobs = createJobQueue({ redisUrl, keyPrefix: prefix, logger });
  await jobs.queue.waitUntilReady();
  const client = createJobClient({ botToken: fakeBotToken(), apiUrl: slack.url });
  const clock = createFixedClock(at);
  return {
    prefix,
    redis,
    keys,
    tokens,
    requests,
    jobs,
    client,
    clock,
    logger,
    logs,
    async close() {
      await jobs.close();
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        if (found.length > 0) await redis.del(...found);
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}

/** Every Slack id the fake and the schemas accept, unique within a run. */
let seq = 0;
export const newUserId = (tag: string): string =>
  `U${tag.toUpperCase().replace(/[^A-Z0-9]/g, '')}${++seq}${randomBytes(2).toString('hex').toUpperCase()}`;
