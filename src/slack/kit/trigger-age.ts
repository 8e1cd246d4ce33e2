import type { AnyMiddlewareArgs, Context, Middleware } from '@slack/bolt';
import { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';

/**
 * Overload handling. Slack lets a trigger_id open a modal for 3 s after it sends the request and
 * waits 3 s for an ack. When the bot is so busy that a request reaches its listener late, opening
 * a modal would fail (expired_trigger_id) and the user would see nothing; instead the listener
 * answers "busy, try again" where the user will see it.
 *
 * A request's age is read on the wall clock against Slack's X-Slack-Request-Timestamp (see
 * src/http/request-age.ts), not on the product clock: the sandbox moves its product clock ahead
 * while Slack (and its emulation) sign with the wall clock.
 */

/** The context property (set by app.ts from the receiver) holding when Slack sent the request, ms. */
export const SENT_AT_PROPERTY = 'slackSentAtMs';

/**
 * Older than this, a trigger_id is not worth trying: the header is whole seconds (so the age is
 * over-estimated by up to 1 s) and views.open itself takes time under load; Slack's limit is 3 s.
 */
export const STALE_REQUEST_MS = 2500;

/**
 * How old the request is (ms), or undefined when its sending time is unknown (Socket Mode).
 * The property is our own (set from the signed header by src/http/request-age.ts), so a type
 * check is enough here: no schema on every request's hot path.
 */
export function requestAgeMs(context: Context | undefined, wallClock: Clock): number | undefined {
  const sentAt = context?.[SENT_AT_PROPERTY];
  return typeof sentAt === 'number' && Number.isSafeInteger(sentAt) && sentAt > 0 ? wallClock.now() - sentAt : undefined;
}

/** True when the request is too old to open a modal or to do work before its ack. */
export function isStale(context: Context | undefined, wallClock: Clock): boolean {
  const age = requestAgeMs(context, wallClock);
  return age !== undefined && age > STALE_REQUEST_MS;
}

/** views.open / views.push refused the trigger_id for its age. */
export function isExpiredTrigger(err: unknown): boolean {
  const data = (err as { data?: { error?: unknown } } | null)?.data;
  return data?.error === 'expired_trigger_id';
}

/**
 * Opens a modal unless the request is already too old, and says "busy" through `busy` when it
 * is, or when Slack refuses the trigger as expired. Other errors propagate.
 */
export async function openOrSayBusy(
  open: () => Promise<void>,
  opts: { context: Context | undefined; wallClock: Clock; busy: () => Promise<void>; logger: Logger },
): Promise<'opened' | 'busy'> {
  const age = requestAgeMs(opts.context, opts.wallClock);
  if (age !== undefined && age > STALE_REQUEST_MS) {
    opts.logger.info({ ageMs: age }, 'request too old to open a modal: answered busy');
    await opts.busy();
    return 'busy';
  }
  try {
    await open();
    return 'opened';
  } catch (err) {
    if (!isExpiredTrigger(err)) throw err;
    opts.logger.info({ ageMs: requestAgeMs(opts.context, opts.wallClock) }, 'trigger expired before the modal opened: answered busy');
    await opts.busy();
    return 'busy';
  }
}

const submissionSchema = z.object({
  type: z.literal('view_submission'),
  view: z.object({
    blocks: z.array(z.object({ type: z.string(), block_id: z.string().max(255).optional() }).loose()).max(100),
    state: z.object({ values: z.record(z.string().max(255), z.unknown()) }).optional(),
  }),
});

/** The error shown next to the form's first field when a submission arrives too late to be worked on. */
export const BUSY_SUBMISSION_ERROR = "I'm busy right now and could not take this in time. Your answers are kept: submit again in a moment.";

/**
 * Global middleware: a view submission older than STALE_REQUEST_MS is answered at once with an
 * error next to the form's first input (the modal stays open with what was typed), before any
 * listener validates or stores anything, so the answer still reaches Slack within its 3 s.
 * Submissions of views without an input block go on as usual.
 */
export function createStaleSubmissionGuard(deps: { wallClock: Clock; logger: Logger }): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const { body, context, next } = args;
    // Only view submissions are checked (and then with the schema): every other request passes on.
    if ((body as { type?: unknown }).type !== 'view_submission') {
      await next();
      return;
    }
    const submission = submissionSchema.safeParse(body);
    const age = submission.success ? requestAgeMs(context, deps.wallClock) : undefined;
    // The first input block, else the first block with a value (only input blocks have state values).
    const view = submission.success ? submission.data.view : undefined;
    const field = view
      ? (view.blocks.find((b) => b.type === 'input' && b.block_id)?.block_id ?? Object.keys(view.state?.values ?? {})[0])
      : undefined;
    if (age === undefined || age <= STALE_REQUEST_MS || !field || !('ack' in args) || typeof args.ack !== 'function') {
      await next();
      return;
    }
    deps.logger.info({ ageMs: age }, 'view submission too old to work on: answered busy');
    await (args.ack as (response: object) => Promise<void>)({ response_action: 'errors', errors: { [field]: BUSY_SUBMISSION_ERROR } });
  };
}
