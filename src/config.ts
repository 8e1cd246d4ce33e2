import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * The only reader of process.env. One zod schema; a bad or missing variable stops
 * start-up with one message naming every offending variable and what it should look like.
 */

const slackId = (prefixes: string, what: string) =>
  z
    .string()
    .trim()
    .regex(new RegExp(`^[${prefixes}][A-Z0-9]{1,20}$`), `must be a Slack ${what} id such as ${prefixes[0]}0123ABCD`);

const idList = (prefixes: string, what: string) =>
  z
    .string()
    .trim()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(z.array(slackId(prefixes, what)));

const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsUndefined, schema.optional());

/** A positive number of hours or days (fractions allowed unless `int`), with a default. */
const positiveNumber = (what: string, fallback: number, opts: { int?: boolean; max?: number } = {}) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: `must be a number of ${what}` })
      .refine(
        (n) => Number.isFinite(n) && n > 0 && (!opts.int || Number.isInteger(n)) && n <= (opts.max ?? 10_000),
        `must be a number of ${what}`,
      )
      .default(fallback),
  );

/** Comma-separated host:port pairs (port optional), e.g. `sentinel-1:26379,sentinel-2:26379`. */
const hostList = (what: string, defaultPort: number) =>
  z
    .string()
    .trim()
    .transform((s) =>
      s
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(
          z
            .string()
            .regex(
              /^[A-Za-z0-9._-]{1,253}(:\d{1,5})?$/,
              `must be comma-separated ${what} addresses as host:port, e.g. 10.0.0.5:${defaultPort}`,
            )
            .transform((v): RedisHost => {
              const [host = '', port] = v.split(':');
              return { host, port: port === undefined ? defaultPort : Number(port) };
            }),
        )
        .min(1, `must list at least one ${what} as host:port`),
    );

const APPROVAL_MODES = ['all', 'risky', 'none'] as const;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z.object({
  SLACK_BOT_TOKEN: z
    .string({ error: 'is required: the bot token (xoxb-...) from OAuth & Permissions' })
    .trim()
    .startsWith('xoxb-', 'must be a bot token starting with xoxb-'),
  SLACK_SIGNING_SECRET: optional(
    z
      .string()
      .trim()
      .regex(/^[a-f0-9]{16,}$/i, 'must be the hex signing secret from Basic Information'),
  ),
  SLACK_APP_TOKEN: optional(z.string().trim().startsWith('xapp-', 'must be an app-level token starting with xapp-')),
  SLACK_API_URL: z
    .preprocess(emptyAsUndefined, z.url({ error: 'must be a URL such as https://slack.com/api/' }).default('https://slack.com/api/'))
    .transform((u) => (u.endsWith('/') ? u : `${u}/`)),
  PORT: z.preprocess(emptyAsUndefined, z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(3000)),
  PUBLIC_URL: optional(
    z
      .url({ protocol: /^https?$/, error: 'must be the http(s) address users reach the bot at, such as https://bot.example.com' })
      .transform((u) => u.replace(/\/+$/, '')),
  ),
  CALENDAR_SECRET: optional(z.string().min(32, 'must be at least 32 characters, e.g. the output of openssl rand -hex 32')),
  REDIS_URL: optional(
    z
      .string()
      .trim()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
  ),
  REDIS_KEY_PREFIX: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(
        /^(?=.)(\{[A-Za-z0-9_-]{1,32}\})?[A-Za-z0-9_-]{0,32}$/,
        'must be 1-32 letters, digits, - or _ (optionally after a {hash-tag} for cluster mode)',
      )
      .default('btb'),
  ),
  REDIS_SENTINELS: optional(hostList('Sentinel', 26379)),
  REDIS_SENTINEL_MASTER: optional(
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be the master name the sentinels monitor, e.g. mymaster'),
  ),
  REDIS_SENTINEL_PASSWORD: optional(z.string()),
  REDIS_PASSWORD: optional(z.string()),
  REDIS_CLUSTER_NODES: optional(hostList('cluster node', 6379)),
  REDIS_MIN_REPLICAS: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a number of replicas from 0 to 5' })
      .int('must be a number of replicas from 0 to 5')
      .min(0, 'must be a number of replicas from 0 to 5')
      .max(5, 'must be a number of replicas from 0 to 5')
      .default(0),
  ),
  REDIS_WAIT_TIMEOUT_MS: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be milliseconds from 10 to 1500' })
      .int('must be milliseconds from 10 to 1500')
      .min(10, 'must be milliseconds from 10 to 1500')
      .max(1500, 'must be milliseconds from 10 to 1500 (Slack waits 3 s for an answer)')
      .default(500),
  ),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
  APPROVAL_CHANNEL_ID: optional(slackId('CG', 'channel')),
  APPROVER_USER_IDS: idList('UW', 'user'),
  APPROVER_USERGROUP_ID: optional(slackId('S', 'user group')),
  ADMIN_USER_IDS: idList('UW', 'user'),
  APPROVAL_POLICY: z.preprocess(
    (v) => (typeof v === 'string' ? emptyAsUndefined(v.trim().toLowerCase()) : v),
    z.enum(APPROVAL_MODES, { error: `must be one of ${APPROVAL_MODES.join(', ')}` }).default('risky'),
  ),
  APPROVAL_MAX_DAYS: positiveNumber('whole days from 1 to 365', 90, { int: true, max: 365 }),
  APPROVAL_REMIND_HOURS: positiveNumber('hours, e.g. 4 or 0.5', 4),
  APPROVAL_EXPIRE_DAYS: positiveNumber('days, e.g. 7 or 0.5', 7),
  REMINDER_DAYS: z
    .preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'must be comma-separated whole numbers of days, e.g. 30,14,7,1,0')
        .default('30,14,7,1,0'),
    )
    .transform((s) => s.split(',').map((v) => Number(v.trim())))
    .pipe(
      z
        .array(z.number().int().min(0, 'must be days from 0 to 365').max(365, 'must be days from 0 to 365'))
        .min(1, 'must list at least one number of days, e.g. 30,14,7,1,0')
        .transform((days) => [...new Set(days)].sort((a, b) => b - a)),
    ),
  REMINDER_HOUR: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be an hour from 0 to 23' })
      .int()
      .min(0, 'must be an hour from 0 to 23')
      .max(23, 'must be an hour from 0 to 23')
      .default(10),
  ),
  REMINDER_LAST_HOUR: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be an hour from 1 to 24' })
      .int()
      .min(1, 'must be an hour from 1 to 24')
      .max(24, 'must be an hour from 1 to 24')
      .default(18),
  ),
  REMINDER_WORKDAYS: z
    .preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^\s*[0-6](\s*,\s*[0-6])*\s*$/, 'must be comma-separated weekday numbers, 0 = Sunday to 6 = Saturday, e.g. 1,2,3,4,5')
        .default('1,2,3,4,5'),
    )
    .transform((s) => [...new Set(s.split(',').map((v) => Number(v.trim())))].sort()),
  REMINDER_FALLBACK_CHANNEL_ID: optional(slackId('CG', 'channel')),
  REMINDER_DIGEST: z.preprocess(
    (v) => (typeof v === 'string' ? emptyAsUndefined(v.trim().toLowerCase()) : v),
    z.enum(['true', 'false'], { error: 'must be true or false' }).default('true'),
  ),
  REMINDER_SWEEP_SECONDS: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a number of seconds' })
      .int()
      .min(1, 'must be 1 to 3600 seconds')
      .max(3600, 'must be 1 to 3600 seconds')
      .default(60),
  ),
  ATLASSIAN_ORG_ID: optional(
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be the organization id from admin.atlassian.com (letters, digits and -)'),
  ),
  ATLASSIAN_ADMIN_API_KEY: optional(z.string().trim().min(8, 'must be the organization admin API key from Settings > API keys')),
  ATLASSIAN_API_URL: z
    .preprocess(emptyAsUndefined, z.url({ error: 'must be a URL such as https://api.atlassian.com' }).default('https://api.atlassian.com'))
    .transform((u) => u.replace(/\/+$/, '')),
  ORG_SYNC_HOURS: positiveNumber('hours up to 168, e.g. 6', 6, { max: 168 }),
  UNUSED_TOKEN_DAYS: positiveNumber('whole days from 1 to 3650, e.g. 90', 90, { int: true, max: 3650 }),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof v === 'string' ? emptyAsUndefined(v.toLowerCase()) : v),
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  NODE_ENV: z.preprocess(emptyAsUndefined, z.string().default('production')),
  SANDBOX: z.preprocess(
    (v) => (typeof v === 'string' ? emptyAsUndefined(v.trim().toLowerCase()) : v),
    z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  ),
  SANDBOX_HOST: optional(
    z
      .string()
      .trim()
      .regex(/^(?:[A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]{2,45})$/, 'must be an address to bind the sandbox to, such as 127.0.0.1 or 0.0.0.0'),
  ),
});

/** The variables that connect the bot to a real Slack app; with none of them set, `npm start` runs the sandbox. */
const SLACK_VARIABLES = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'SLACK_API_URL'] as const;

/** The sandbox's bot token: a placeholder the emulated Web API accepts, not a credential. */
export const SANDBOX_BOT_TOKEN = 'xoxb-sandbox';

/**
 * Whether `npm start` runs the local browser sandbox: SANDBOX=true forces it, SANDBOX=false
 * forbids it; otherwise it runs when no Slack variable is set and NODE_ENV is not production
 * (the image and compose set production, so a deployment missing its settings fails loudly).
 */
export function isSandbox(env: NodeJS.ProcessEnv): boolean {
  const flag = typeof env.SANDBOX === 'string' ? env.SANDBOX.trim().toLowerCase() : '';
  if (flag === 'true') return true;
  if (flag !== '') return false;
  const anySlack = SLACK_VARIABLES.some((name) => emptyAsUndefined(env[name]) !== undefined);
  return !anySlack && emptyAsUndefined(env.NODE_ENV) !== 'production';
}

type Env = z.output<typeof envSchema>;

export interface Config {
  slack: {
    botToken: string;
    signingSecret?: string;
    appToken?: string;
    apiUrl: string;
    /** Socket Mode when an app-level token is given, else HTTP. */
    socketMode: boolean;
  };
  port: number;
  /**
   * PUBLIC_URL: where users' browsers and calendar apps reach this bot's HTTP server (no trailing
   * slash); calendar feed addresses are built from it. Default http://localhost:<PORT>.
   */
  publicUrl: string;
  calendar: {
    /**
     * Key that turns a stored feed nonce into the feed id (HMAC), so Redis alone never holds a
     * feed address: CALENDAR_SECRET, else a key derived from the bot token.
     */
    secret: string;
  };
  redis: RedisConfig;
  approvals: {
    channelId?: string;
    approverUserIds: string[];
    approverUsergroupId?: string;
    policy: { mode: (typeof APPROVAL_MODES)[number]; maxDays: number };
    /** Delay of the one nudge in the thread of a pending request, in ms. */
    remindAfterMs: number;
    /** Delay after which a pending request expires, in ms. */
    expireAfterMs: number;
  };
  reminders: {
    days: number[];
    /** Local hour reminders go out at, and the hour after which overdue ones wait for the next workday. */
    hour: number;
    lastHour: number;
    /** 0 = Sunday … 6 = Saturday. */
    workdays: number[];
    /** Where reminders of owners who left go; else the approvals channel. */
    fallbackChannelId?: string;
    sweepSeconds: number;
    /** One DM per person per local hour listing every token due then (REMINDER_DIGEST). */
    digest: boolean;
  };
  /** Users who see the organisation view on their App Home. */
  adminUserIds: string[];
  /**
   * Atlassian organization sync (ATLASSIAN_ORG_ID and ATLASSIAN_ADMIN_API_KEY both set), else
   * undefined: the bot then works from recorded tokens only.
   */
  orgSync?: OrgSyncConfig;
  logLevel: (typeof LOG_LEVELS)[number];
  pretty: boolean;
  /**
   * Set when the bot runs in the local browser sandbox (src/sandbox) instead of against Slack:
   * the address its page binds to (127.0.0.1 unless SANDBOX_HOST says otherwise). The Slack
   * settings are then placeholders the sandbox replaces.
   */
  sandbox?: { host: string };
}

/** The Atlassian organization sync (../shared/reference/atlassian/admin-api-tokens.md). */
export interface OrgSyncConfig {
  orgId: string;
  /** The organization admin API key, sent as a Bearer token. Never logged (logger redaction). */
  apiKey: string;
  /** Base URL without a trailing slash; links.next is followed only on this origin. */
  apiUrl: string;
  /** How often the sync runs, in ms. */
  everyMs: number;
  /** A token not used for this many days is offered for removal. */
  unusedDays: number;
}

/** A Redis host and port (Sentinel or cluster node). */
export interface RedisHost {
  host: string;
  port: number;
}

/**
 * Where the bot's Redis is: a URL, a Sentinel-monitored primary, or a Redis Cluster. Every
 * connection the bot opens (store, queue, worker, CLI) is made from this in src/store/redis.ts.
 */
export type RedisTarget =
  | string
  | { kind: 'sentinel'; sentinels: RedisHost[]; masterName: string; password?: string; sentinelPassword?: string }
  | { kind: 'cluster'; nodes: RedisHost[]; password?: string };

export interface RedisConfig {
  /** REDIS_URL; unset with Sentinel or cluster settings, and when `npm start` runs a local redis-server. */
  url?: string;
  /** Sentinel or cluster settings, or REDIS_URL; undefined means "run a local redis-server". */
  target?: RedisTarget;
  /** Key prefix; in cluster mode always a hash tag (`{btb}`), so every key lands in one slot. */
  keyPrefix: string;
  dataDir: string;
  /** REDIS_MIN_REPLICAS: replicas that must confirm (WAIT) a write before the bot calls it done. */
  minReplicas: number;
  /** How long WAIT waits for them, in ms. */
  waitTimeoutMs: number;
}

export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration (see .env.example):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment. Throws ConfigError listing every bad variable. */
export function loadConfig(rawEnv: NodeJS.ProcessEnv = process.env): Config {
  const sandbox = isSandbox(rawEnv);
  const env = sandbox ? sandboxEnv(rawEnv) : rawEnv;
  const parsed = envSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      const raw = env[name];
      const message = raw === undefined && issue.code === 'invalid_type' ? 'is required' : issue.message;
      problems.push(`${name} ${message}`);
    }
  }
  if (!sandbox && !emptyAsUndefined(env.SLACK_APP_TOKEN) && !emptyAsUndefined(env.SLACK_SIGNING_SECRET)) {
    problems.push('SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN=xapp-... for Socket Mode)');
  }
  if (parsed.success && Boolean(parsed.data.ATLASSIAN_ORG_ID) !== Boolean(parsed.data.ATLASSIAN_ADMIN_API_KEY)) {
    problems.push(
      parsed.data.ATLASSIAN_ORG_ID
        ? 'ATLASSIAN_ADMIN_API_KEY is required with ATLASSIAN_ORG_ID: the admin API key from admin.atlassian.com > Settings > API keys (or unset both to turn the organization sync off)'
        : 'ATLASSIAN_ORG_ID is required with ATLASSIAN_ADMIN_API_KEY: the organization id shown with the key (or unset both to turn the organization sync off)',
    );
  }
  if (parsed.success && parsed.data.REMINDER_LAST_HOUR <= parsed.data.REMINDER_HOUR) {
    problems.push('REMINDER_LAST_HOUR must be later than REMINDER_HOUR (reminders go out between the two)');
  }
  problems.push(...redisProblems(env));
  if (!parsed.success || problems.length > 0) throw new ConfigError([...new Set(problems)]);
  const config = toConfig(parsed.data);
  return sandbox ? { ...config, sandbox: { host: parsed.data.SANDBOX_HOST ?? '127.0.0.1' } } : config;
}

/**
 * The sandbox's environment: the Slack variables are set by the sandbox itself (an emulated
 * Web API, a signing secret of its own), its data lives apart from a real bot's (key prefix and
 * data dir), and logs are quiet unless LOG_LEVEL asks otherwise: the page is the interface.
 */
function sandboxEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const rest = Object.fromEntries(Object.entries(env).filter(([name]) => !(SLACK_VARIABLES as readonly string[]).includes(name)));
  const orDefault = (value: string | undefined, fallback: string) => (value === undefined || value.trim() === '' ? fallback : value);
  const dataDir = orDefault(env.DATA_DIR, './data');
  return {
    ...rest,
    SLACK_BOT_TOKEN: SANDBOX_BOT_TOKEN,
    REDIS_KEY_PREFIX: orDefault(env.REDIS_KEY_PREFIX, 'sandbox'),
    DATA_DIR: `${dataDir.replace(/\/+$/, '')}/sandbox`,
    LOG_LEVEL: orDefault(env.LOG_LEVEL, 'warn'),
  };
}

function toConfig(env: Env): Config {
  return {
    slack: {
      botToken: env.SLACK_BOT_TOKEN,
      signingSecret: env.SLACK_SIGNING_SECRET,
      appToken: env.SLACK_APP_TOKEN,
      apiUrl: env.SLACK_API_URL,
      socketMode: Boolean(env.SLACK_APP_TOKEN),
    },
    port: env.PORT,
    publicUrl: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
    calendar: {
      secret: env.CALENDAR_SECRET ?? createHash('sha256').update(`calendar-feed-key\n${env.SLACK_BOT_TOKEN}`).digest('hex'),
    },
    redis: toRedisConfig(env),
    approvals: {
      channelId: env.APPROVAL_CHANNEL_ID,
      approverUserIds: env.APPROVER_USER_IDS,
      approverUsergroupId: env.APPROVER_USERGROUP_ID,
      policy: { mode: env.APPROVAL_POLICY, maxDays: env.APPROVAL_MAX_DAYS },
      remindAfterMs: Math.round(env.APPROVAL_REMIND_HOURS * 3_600_000),
      expireAfterMs: Math.round(env.APPROVAL_EXPIRE_DAYS * 86_400_000),
    },
    reminders: {
      days: env.REMINDER_DAYS,
      hour: env.REMINDER_HOUR,
      lastHour: env.REMINDER_LAST_HOUR,
      workdays: env.REMINDER_WORKDAYS,
      fallbackChannelId: env.REMINDER_FALLBACK_CHANNEL_ID,
      sweepSeconds: env.REMINDER_SWEEP_SECONDS,
      digest: env.REMINDER_DIGEST === 'true',
    },
    adminUserIds: env.ADMIN_USER_IDS,
    ...(env.ATLASSIAN_ORG_ID && env.ATLASSIAN_ADMIN_API_KEY
      ? {
          orgSync: {
            orgId: env.ATLASSIAN_ORG_ID,
            apiKey: env.ATLASSIAN_ADMIN_API_KEY,
            apiUrl: env.ATLASSIAN_API_URL,
            everyMs: Math.round(env.ORG_SYNC_HOURS * 3_600_000),
            unusedDays: env.UNUSED_TOKEN_DAYS,
          },
        }
      : {}),
    logLevel: env.LOG_LEVEL,
    pretty: env.NODE_ENV === 'development',
  };
}

/** Redis settings that contradict each other (the schema checks each variable alone). */
function redisProblems(env: NodeJS.ProcessEnv): string[] {
  const set = (name: string) => emptyAsUndefined(env[name]) !== undefined;
  const problems: string[] = [];
  const modes = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'].filter(set);
  if (modes.length > 1) {
    const both = modes.length === 2 ? 'are both set' : 'are all set';
    problems.push(`${modes.join(' and ')} ${both}: use one (a plain Redis URL, Sentinel, or a cluster)`);
  }
  if (set('REDIS_SENTINELS') && !set('REDIS_SENTINEL_MASTER')) {
    problems.push('REDIS_SENTINEL_MASTER is required with REDIS_SENTINELS: the master name the sentinels monitor, e.g. mymaster');
  }
  if (set('REDIS_SENTINEL_MASTER') && !set('REDIS_SENTINELS')) {
    problems.push(
      'REDIS_SENTINELS is required with REDIS_SENTINEL_MASTER: the sentinels as host:port, e.g. sentinel-1:26379,sentinel-2:26379',
    );
  }
  if (set('REDIS_SENTINEL_PASSWORD') && !set('REDIS_SENTINELS')) {
    problems.push('REDIS_SENTINEL_PASSWORD is only used with REDIS_SENTINELS');
  }
  return problems;
}

function toRedisConfig(
  env: Pick<
    Env,
    | 'REDIS_URL'
    | 'REDIS_SENTINELS'
    | 'REDIS_SENTINEL_MASTER'
    | 'REDIS_SENTINEL_PASSWORD'
    | 'REDIS_PASSWORD'
    | 'REDIS_CLUSTER_NODES'
    | 'REDIS_KEY_PREFIX'
    | 'REDIS_MIN_REPLICAS'
    | 'REDIS_WAIT_TIMEOUT_MS'
  > & { DATA_DIR?: string },
): RedisConfig {
  const password = env.REDIS_PASSWORD;
  let target: RedisTarget | undefined = env.REDIS_URL;
  if (env.REDIS_SENTINELS && env.REDIS_SENTINEL_MASTER) {
    target = {
      kind: 'sentinel',
      sentinels: env.REDIS_SENTINELS,
      masterName: env.REDIS_SENTINEL_MASTER,
      ...(password === undefined ? {} : { password }),
      ...(env.REDIS_SENTINEL_PASSWORD === undefined ? {} : { sentinelPassword: env.REDIS_SENTINEL_PASSWORD }),
    };
  } else if (env.REDIS_CLUSTER_NODES) {
    target = { kind: 'cluster', nodes: env.REDIS_CLUSTER_NODES, ...(password === undefined ? {} : { password }) };
  }
  const cluster = typeof target === 'object' && target.kind === 'cluster';
  return {
    url: env.REDIS_URL,
    target,
    // A cluster runs a Lua script only on keys of one slot: one hash tag for every key, BullMQ's included.
    keyPrefix: cluster && !env.REDIS_KEY_PREFIX.startsWith('{') ? `{${env.REDIS_KEY_PREFIX}}` : env.REDIS_KEY_PREFIX,
    dataDir: env.DATA_DIR ?? './data',
    minReplicas: env.REDIS_MIN_REPLICAS,
    waitTimeoutMs: env.REDIS_WAIT_TIMEOUT_MS,
  };
}

/** What the `tokens` CLI needs: Redis only, no Slack credentials. */
export interface CliConfig {
  redis: RedisConfig & { target: RedisTarget };
}

/**
 * Parses the environment for the operator CLI (`npm run tokens`) with the same rules as the
 * bot. REDIS_URL is required: the CLI must write to the Redis the bot uses, and the private
 * redis-server that `npm start` runs without REDIS_URL is not reachable from outside it.
 */
export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  const parsed = envSchema
    .pick({
      REDIS_URL: true,
      REDIS_KEY_PREFIX: true,
      REDIS_SENTINELS: true,
      REDIS_SENTINEL_MASTER: true,
      REDIS_SENTINEL_PASSWORD: true,
      REDIS_PASSWORD: true,
      REDIS_CLUSTER_NODES: true,
      REDIS_MIN_REPLICAS: true,
      REDIS_WAIT_TIMEOUT_MS: true,
    })
    .safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`);
  problems.push(...redisProblems(env));
  const redis = parsed.success ? toRedisConfig(parsed.data) : undefined;
  if (redis && !redis.target) {
    problems.push(
      'REDIS_URL (or REDIS_SENTINELS with REDIS_SENTINEL_MASTER, or REDIS_CLUSTER_NODES) is required for the tokens CLI: the Redis the bot uses, e.g. redis://localhost:6379',
    );
  }
  if (!redis?.target || problems.length > 0) throw new ConfigError(problems);
  return { redis: { ...redis, target: redis.target } };
}
