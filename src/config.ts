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
      .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1-32 letters, digits, - or _')
      .default('btb'),
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
  REMINDER_SWEEP_SECONDS: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a number of seconds' })
      .int()
      .min(1, 'must be 1 to 3600 seconds')
      .max(3600, 'must be 1 to 3600 seconds')
      .default(60),
  ),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof v === 'string' ? emptyAsUndefined(v.toLowerCase()) : v),
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  NODE_ENV: z.preprocess(emptyAsUndefined, z.string().default('production')),
});

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
  redis: { url?: string; keyPrefix: string; dataDir: string };
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
  };
  /** Users who see the organisation view on their App Home. */
  adminUserIds: string[];
  logLevel: (typeof LOG_LEVELS)[number];
  pretty: boolean;
}

export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration (see .env.example):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment. Throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
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
  if (!emptyAsUndefined(env.SLACK_APP_TOKEN) && !emptyAsUndefined(env.SLACK_SIGNING_SECRET)) {
    problems.push('SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN=xapp-... for Socket Mode)');
  }
  if (parsed.success && parsed.data.REMINDER_LAST_HOUR <= parsed.data.REMINDER_HOUR) {
    problems.push('REMINDER_LAST_HOUR must be later than REMINDER_HOUR (reminders go out between the two)');
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return toConfig(parsed.data);
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
    redis: { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX, dataDir: env.DATA_DIR },
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
    },
    adminUserIds: env.ADMIN_USER_IDS,
    logLevel: env.LOG_LEVEL,
    pretty: env.NODE_ENV === 'development',
  };
}

/** What the `tokens` CLI needs: Redis only, no Slack credentials. */
export interface CliConfig {
  redis: { url: string; keyPrefix: string };
}

/**
 * Parses the environment for the operator CLI (`npm run tokens`) with the same rules as the
 * bot. REDIS_URL is required: the CLI must write to the Redis the bot uses, and the private
 * redis-server that `npm start` runs without REDIS_URL is not reachable from outside it.
 */
export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  const parsed = envSchema.pick({ REDIS_URL: true, REDIS_KEY_PREFIX: true }).safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`);
  if (parsed.success && !parsed.data.REDIS_URL) {
    problems.push('REDIS_URL is required for the tokens CLI: the Redis the bot uses, e.g. redis://localhost:6379');
  }
  if (!parsed.success || !parsed.data.REDIS_URL || problems.length > 0) throw new ConfigError(problems);
  return { redis: { url: parsed.data.REDIS_URL, keyPrefix: parsed.data.REDIS_KEY_PREFIX } };
}
