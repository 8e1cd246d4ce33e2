/**
 * Operator CLI for the token inventory:
 *   npm run tokens -- import FILE [--dry-run]
 *   npm run tokens -- export [--history] [--output FILE]
 * (in the Docker image: node dist/cli/tokens.js ...). Reads .env like `npm start`; needs REDIS_URL.
 * Exit codes: 0 done, 1 file refused (nothing written), 2 usage or configuration, 3 Redis or file error.
 */
import { createReadStream, createWriteStream, existsSync, realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadCliConfig } from '../config.js';
import { createKeys } from '../store/keys.js';
import { createRedis, requireReplicas, type RedisTarget } from '../store/redis.js';
import { RequestStore } from '../store/requests.js';
import { TokenStore } from '../store/tokens.js';
import { TokenInventory } from '../store/inventory.js';
import type { RowIssue } from '../domain/token-csv.js';
import { importTokens } from './import-tokens.js';
import { exportTokens } from './export-tokens.js';

const USAGE = `Usage:
  npm run tokens -- import FILE [--dry-run]      load tokens from a CSV file (validated first; nothing half-imported)
  npm run tokens -- export [--history] [--output FILE]
                                                 write tokens (or, with --history, their history) as CSV to stdout or FILE
See README.md "Operating the bot" for the columns.`;

/** Issues printed before "... and N more". */
const MAX_SHOWN = 200;

class UsageError extends Error {}

function formatIssue(kind: string, issue: RowIssue): string {
  return `  ${kind} line ${issue.line}${issue.column ? `, column ${issue.column}` : ''}: ${issue.message}`;
}

function printIssues(kind: string, issues: RowIssue[], out: NodeJS.WritableStream): void {
  for (const issue of issues.slice(0, MAX_SHOWN)) out.write(`${formatIssue(kind, issue)}\n`);
  if (issues.length > MAX_SHOWN) out.write(`  ... and ${issues.length - MAX_SHOWN} more\n`);
}

/** Where Redis is, without any password, for messages. */
function describeTarget(target: RedisTarget): string {
  if (typeof target === 'string') return target.replace(/\/\/[^@/]*@/, '//***@');
  const hosts = (target.kind === 'sentinel' ? target.sentinels : target.nodes).map((h) => `${h.host}:${h.port}`).join(',');
  return target.kind === 'sentinel' ? `Sentinel master ${target.masterName} (${hosts})` : `cluster ${hosts}`;
}

const parseTokenArgs = (argv: string[]) =>
  parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean' },
      history: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
  });

/** Runs one CLI invocation; returns the exit code. Exported for tests. */
export async function runTokensCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let args: ReturnType<typeof parseTokenArgs>;
  try {
    args = parseTokenArgs(argv);
    const [command, file, ...rest] = args.positionals;
    if (args.values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (command === 'import' ? !file || rest.length > 0 : command !== 'export' || file !== undefined) throw new UsageError();
  } catch {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let config: ReturnType<typeof loadCliConfig>;
  try {
    config = loadCliConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  const [command, file] = args.positionals;
  const { target } = config.redis;
  // No retries: a failure is reported once, below. With REDIS_MIN_REPLICAS an import batch is only reported stored once replicas have it.
  const redis = requireReplicas(createRedis(target, { maxRetriesPerRequest: 0, retryStrategy: () => null }), {
    minReplicas: config.redis.minReplicas,
    timeoutMs: config.redis.waitTimeoutMs,
  });
  redis.on('error', () => undefined); // reported below, once, by the command that failed
  const keys = createKeys(config.redis.keyPrefix);
  const tokens = new TokenStore(redis, keys, new RequestStore(redis, keys));
  const progress = (text: string) => process.stderr.write(`${text}\n`);
  try {
    await redis.ping().catch(() => {
      throw new Error(`cannot reach Redis at ${describeTarget(target)}: is it running, and are the REDIS_* settings right?`);
    });
    if (command === 'import') {
      if (!existsSync(file!)) throw new Error(`no such file: ${file}`);
      const report = await importTokens({
        tokens,
        input: createReadStream(file!),
        source: basename(file!),
        now: new Date(),
        dryRun: Boolean(args.values['dry-run']),
        onProgress: (p) => progress(p.phase === 'validate' ? `validated ${p.done} rows` : `stored ${p.done}/${p.total} rows`),
      });
      printIssues('warning:', report.warnings, process.stdout);
      if (!report.ok) {
        process.stderr.write(`Refused ${file}: ${report.issues.length} problem(s); nothing was imported.\n`);
        printIssues('error:', report.issues, process.stderr);
        return 1;
      }
      process.stdout.write(
        args.values['dry-run']
          ? `${file} is valid: ${report.rows} rows (dry run, nothing written).\n`
          : `Imported ${file}: ${report.rows} rows, ${report.created} tokens created, ${report.unchanged} already present (left unchanged).\n`,
      );
      return 0;
    }
    const output = args.values.output ? createWriteStream(args.values.output) : process.stdout;
    const result = await exportTokens({
      inventory: new TokenInventory(redis, keys),
      tokens,
      output,
      history: Boolean(args.values.history),
      onProgress: ({ done, total }) => progress(`exported ${done}/${total} tokens`),
    });
    if (output !== process.stdout) {
      output.end();
      await finished(output);
    }
    progress(`Exported ${result.tokens} tokens (${result.rows} rows)${args.values.output ? ` to ${args.values.output}` : ''}.`);
    return 0;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 3;
  } finally {
    redis.disconnect();
  }
}

// Run when executed directly (tsx src/cli/tokens.ts or node dist/cli/tokens.js), not when imported.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (existsSync('.env')) process.loadEnvFile('.env');
  void runTokensCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
