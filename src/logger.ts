import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { redactDeep, redactSecrets } from './domain/secrets.js';

export type { Logger };

/** pino-pretty is a development dependency: the production image does not have it. */
function hasPrettyPrinter(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * pino JSON logs (pretty when asked and pino-pretty is installed). Every string that looks like a token is replaced
 * before it is written, whichever field it sits in: the bot must never log a secret.
 */
export function createLogger(opts: { level: string; pretty?: boolean; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: opts.level,
      base: { app: 'bitbucket-token-bot' },
      redact: {
        // The Atlassian admin API key (config.orgSync.apiKey) never reaches a log line either.
        paths: ['token', '*.token', 'headers.authorization', '*.headers.authorization', 'apiKey', '*.apiKey', '*.*.apiKey'],
        censor: '[REDACTED]',
      },
      formatters: { log: (obj) => redactDeep(obj) as Record<string, unknown> },
      // Every line written while a Slack request is handled carries that request's fields.
      mixin: () => requestContext.getStore() ?? {},
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactSecrets(a) : a)) as Parameters<typeof method>);
        },
      },
      ...(opts.pretty && !opts.destination && hasPrettyPrinter()
        ? { transport: { target: 'pino-pretty', options: { colorize: true } } }
        : {}),
    },
    opts.destination as pino.DestinationStream | undefined,
  );
}

/** The request being handled, for the log mixin: `{ req: { id, kind, user } }`. */
const requestContext = new AsyncLocalStorage<{ req: { id: string; kind: string; user?: string } }>();

/**
 * Request ids: a random prefix per process and a counter, unique across replicas and far
 * cheaper than random bytes per request.
 */
const REQUEST_ID_PREFIX = `${randomBytes(4).toString('hex')}-`;
let requestSeq = 0;

/**
 * Runs `fn` (Bolt processing one Slack request, listeners and their after-ack work included)
 * in that request's logging context, in effect a child logger per request: whatever logs
 * meanwhile adds `req: { id, kind, user }`. Ids are ours (a random prefix per process and a
 * counter), not Slack's, so nothing secret is copied.
 */
export function runInRequestContext<T>(body: unknown, fn: () => T): T {
  const b = (body ?? {}) as Record<string, unknown>;
  const kind = String(b['type'] ?? (b['command'] ? 'command' : 'unknown')).slice(0, 32);
  const userObj = b['user'] as { id?: unknown } | undefined;
  const eventObj = b['event'] as { user?: unknown } | undefined;
  const user = [b['user_id'], userObj?.id, eventObj?.user].find(
    (u): u is string => typeof u === 'string' && /^[UW][A-Z0-9]{1,20}$/.test(u),
  );
  requestSeq += 1;
  const req = { id: `${REQUEST_ID_PREFIX}${requestSeq.toString(16)}`, kind, ...(user ? { user } : {}) };
  return requestContext.run({ req }, fn);
}

const BOLT_TO_PINO: Record<LogLevel, string> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

/** Adapts pino to Bolt's Logger interface so Bolt's own messages share the format and redaction. */
export function toBoltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  const join = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => child.debug(join(msg)),
    info: (...msg) => child.info(join(msg)),
    warn: (...msg) => child.warn(join(msg)),
    error: (...msg) => child.error(join(msg)),
    setLevel: (level) => {
      child.level = BOLT_TO_PINO[level] ?? 'info';
    },
    getLevel: () => (Object.entries(BOLT_TO_PINO).find(([, v]) => v === child.level)?.[0] as LogLevel) ?? LogLevel.INFO,
    setName: () => undefined,
  };
}
