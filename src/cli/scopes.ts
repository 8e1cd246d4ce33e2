/**
 * The scope advisor from the command line:
 *   npm run --silent scopes -- advise [--json] [--explain] "<METHOD> <path-or-URL>"...
 *   npm run --silent scopes -- list [--json]
 * (in the Docker image: node dist/cli/scopes.js ...). Needs no configuration: the facts come
 * from the operations table derived from Atlassian's spec (src/domain/operations.generated.ts).
 * Exit codes: 0 done, 1 bad usage (including an argument that is not "<METHOD> <path-or-URL>"
 * or a URL outside https://api.bitbucket.org/2.0), 2 an operation not in the spec or with no scopes there
 * (nothing is printed on stdout then: a partial answer would under-grant).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { capabilitiesByGroup, capabilityOperations, capabilityScopes } from '../domain/capabilities.js';
import { adviseOperations, operationKey, OPERATIONS, parseOperationQuery, type SpecOperation } from '../domain/scope-advisor.js';
import { SPEC_REVISION } from '../domain/operations.generated.js';

const USAGE = `Usage:
  npm run --silent scopes -- advise [--json] [--explain] "<METHOD> <path-or-URL>"...
      the minimal Bitbucket API-token scopes for these API calls, one per line, sorted.
      A path may be a spec template (/repositories/{workspace}/{repo_slug}/pullrequests) or a
      concrete one (/repositories/acme/web/pullrequests), with or without ${'https://api.bitbucket.org/2.0'}.
      --json     {"scopes":[...],"operations":[{"method","path","scopes"}]}
      --explain  per scope, the operations that need it
  npm run --silent scopes -- list [--json]
      the capability catalogue: what a token can be for, and the scopes each needs
Exit codes: 0 done, 1 bad usage, 2 an operation not in Atlassian's spec or with no scopes there.`;

/** Where a CLI run writes; the process streams unless a test passes its own. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

class UsageError extends Error {}

const describeOp = (op: SpecOperation): string => `${operationKey(op)}  (${op.summary}${op.deprecated ? '; deprecated' : ''})`;

function runAdvise(calls: string[], json: boolean, explain: boolean, io: CliIo): number {
  if (calls.length === 0)
    throw new UsageError(
      'advise needs at least one "<METHOD> <path-or-URL>", e.g. "GET /repositories/{workspace}/{repo_slug}/pullrequests"',
    );
  // A lone method is the usual slip: `advise GET /user` without quotes.
  const lone = calls.find((c) => /^[A-Za-z]+$/.test(c.trim()));
  if (lone !== undefined) throw new UsageError(`"${lone}" has no path: quote each operation as one argument, e.g. "GET /user"`);
  // A malformed argument is a usage error (1); a well-formed call the spec lacks is an answer (2).
  const malformed = calls.flatMap((c) => {
    const parsed = parseOperationQuery(c);
    return parsed.ok ? [] : [parsed.error];
  });
  if (malformed.length > 0) throw new UsageError(malformed.join('\n'));
  const advice = adviseOperations(calls);
  if (!advice.ok) {
    io.err(
      `No scopes advised (nothing is guessed): Atlassian's spec (revision ${SPEC_REVISION}) gives no API-token scopes for ${advice.problems.length === 1 ? 'this call' : 'these calls'}:\n`,
    );
    for (const p of advice.problems) io.err(`  ${p.message}\n`);
    return 2;
  }
  if (json) {
    const body: Record<string, unknown> = {
      scopes: advice.scopes,
      operations: advice.operations.map((op) => ({ method: op.method, path: op.path, scopes: [...op.scopes].sort() })),
    };
    if (explain) {
      body['explain'] = advice.reasons.map((r) => ({
        scope: r.scope,
        operations: r.operations.map((op) => ({ method: op.method, path: op.path, summary: op.summary })),
      }));
    }
    io.out(`${JSON.stringify(body)}\n`);
    return 0;
  }
  if (!explain) {
    io.out(advice.scopes.map((s) => `${s}\n`).join(''));
    return 0;
  }
  for (const reason of advice.reasons) {
    io.out(`${reason.scope}\n`);
    for (const op of reason.operations) io.out(`  needed by ${describeOp(op)}\n`);
  }
  return 0;
}

function runList(json: boolean, io: CliIo): number {
  const groups = capabilitiesByGroup();
  if (json) {
    const body = groups.map(({ group, capabilities }) => ({
      group,
      capabilities: capabilities.map((c) => ({
        id: c.id,
        label: c.label,
        scopes: capabilityScopes(c),
        operations: capabilityOperations(c).map((op) => ({ method: op.method, path: op.path, scopes: [...op.scopes].sort() })),
        ...(c.git ? { git: { commands: c.git.commands, scopes: [...c.git.scopes] } } : {}),
      })),
    }));
    io.out(`${JSON.stringify(body)}\n`);
    return 0;
  }
  io.out(
    `Capabilities, with the minimal scopes each needs (from Atlassian's spec, revision ${SPEC_REVISION}, ${OPERATIONS.length} operations).\n`,
  );
  for (const { group, capabilities } of groups) {
    io.out(`\n${group}\n`);
    for (const c of capabilities) {
      io.out(`  ${c.label} [${c.id}]\n`);
      io.out(`      scopes: ${capabilityScopes(c).join(' ')}\n`);
      const backing = c.git
        ? [`${c.git.commands} (not in the spec: Atlassian's git documentation)`]
        : capabilityOperations(c).map(operationKey);
      for (const [i, line] of backing.entries()) io.out(`      ${i === 0 ? 'from:' : '     '} ${line}\n`);
    }
  }
  return 0;
}

const parseScopesArgs = (argv: string[]) =>
  parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, explain: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });

/** Runs one CLI invocation; returns the exit code. Exported for tests. */
export function runScopesCli(argv: string[], io: CliIo = processIo): number {
  try {
    let args: ReturnType<typeof parseScopesArgs>;
    try {
      args = parseScopesArgs(argv);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (args.values.help) {
      io.out(`${USAGE}\n`);
      return 0;
    }
    const [command, ...rest] = args.positionals;
    const json = Boolean(args.values.json);
    if (command === 'advise') return runAdvise(rest, json, Boolean(args.values.explain), io);
    if (command === 'list') {
      if (rest.length > 0) throw new UsageError(`list takes no arguments (got ${rest.join(' ')})`);
      if (args.values.explain) throw new UsageError('--explain is for advise');
      return runList(json, io);
    }
    throw new UsageError(command === undefined ? 'say what to do: advise or list' : `unknown command "${command}": use advise or list`);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`${err.message}\n\n${USAGE}\n`);
    return 1;
  }
}

// Run when executed directly (tsx src/cli/scopes.ts or node dist/cli/scopes.js), not when imported.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `... list | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
  process.exitCode = runScopesCli(process.argv.slice(2));
}
