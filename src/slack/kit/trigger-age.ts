import type { AnyMiddlewareArgs, Context, Middleware } from '@slack/bolt';
import { ErrorCode } from '@slack/web-api';
import { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import { COMMAND } from '../../blocks/ids.js';
import { buildCommandBusyMessage, type Message } from '../../blocks/messages.js';
import { slashCommandSchema } from './payloads.js';
import { opensModal, readCommandText } from './command-text.js';

/**
 * Overload handling. Slack lets a trigger_id open a modal for 3 s after it sends the request and
 * waits 3 s for an ack. When the bot is so busy that a request reaches it late, opening a modal
 * would fail (expired_trigger_id) and the user would see nothing; instead the bot answers "busy,
 * try again" where the user will see it: the receiver for a request already that old on arrival
 * (src/http/shed.ts, before Bolt), the middleware and the listeners for one that got old on its
 * way (ARCHITECTURE.md, "Overload"). The threshold, the busy answers and the decisions live here.
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

/** True when a request this old (ms; undefined: unknown) is too old to open a modal or to do work before its ack. */
export function isStaleAge(ageMs: number | undefined): boolean {
  return ageMs !== undefined && ageMs > STALE_REQUEST_MS;
}

/** views.open / views.push refused the trigger_id for its age. */
export function isExpiredTrigger(err: unknown): boolean {
  const data = (err as { data?: { error?: unknown } } | null)?.data;
  return data?.error === 'expired_trigger_id';
}

/** Slack rate-limited the call (429; the modal client surfaces it rather than waiting). */
function isRateLimited(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === ErrorCode.RateLimitedError;
}

/**
 * Opens a modal unless the request is already too old, and says "busy" through `busy` when it
 * is, when Slack refuses the trigger as expired, or when Slack rate-limits the call (the trigger
 * would be dead before a Retry-After). Other errors propagate.
 */
export async function openOrSayBusy(
  open: () => Promise<void>,
  opts: { context: Context | undefined; wallClock: Clock; busy: () => Promise<void>; logger: Logger },
): Promise<'opened' | 'busy'> {
  const age = requestAgeMs(opts.context, opts.wallClock);
  if (isStaleAge(age)) {
    opts.logger.info({ ageMs: age }, 'request too old to open a modal: answered busy');
    await opts.busy();
    return 'busy';
  }
  try {
    await open();
    return 'opened';
  } catch (err) {
    const limited = isRateLimited(err);
    if (!limited && !isExpiredTrigger(err)) throw err;
    opts.logger.info(
      { ageMs: requestAgeMs(opts.context, opts.wallClock), rateLimited: limited },
      limited ? 'Slack rate-limited the modal: answered busy' : 'trigger expired before the modal opened: answered busy',
    );
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

/** A view submission's answer that keeps the modal open with errors next to fields. */
export interface ViewErrorsAnswer {
  response_action: 'errors';
  errors: Record<string, string>;
}

/**
 * The answer to a view submission too old to work on: a busy error next to the form's first
 * input (the modal stays open with what was typed). undefined when `body` is not a view
 * submission, or its view has no input block to show the error at: such a submission goes on
 * as usual. The one decision for the receiver (src/http/shed.ts) and the middleware below.
 */
export function busySubmissionAnswer(body: unknown): ViewErrorsAnswer | undefined {
  const submission = submissionSchema.safeParse(body);
  if (!submission.success) return undefined;
  const { view } = submission.data;
  // The first input block, else the first block with a value (only input blocks have state values).
  const field = view.blocks.find((b) => b.type === 'input' && b.block_id)?.block_id ?? Object.keys(view.state?.values ?? {})[0];
  return field ? { response_action: 'errors', errors: { [field]: BUSY_SUBMISSION_ERROR } } : undefined;
}

/** The slash commands the bot answers, with the fields a busy answer reads. */
const ourCommandSchema = slashCommandSchema.extend({ command: z.literal(COMMAND) });

/** What a request already too old when it arrives gets instead of the work it asks for. */
export type BusyAnswer =
  /** An empty ack, then `message` through the command's response_url (none when it had no usable one). */
  | { kind: 'command'; responseUrl: string | undefined; message: Message }
  /** `answer` as the ack itself. */
  | { kind: 'view'; answer: ViewErrorsAnswer };

/**
 * Overload, at receipt: the busy answer for a request (Bolt's parsed body) that is already older
 * than STALE_REQUEST_MS, or undefined when it should go on to its listener all the same.
 * - `/bitbucket-token` commands that open a modal (the request form, `record`): their trigger_id
 *   is no longer worth trying, so "busy, run the command again" (the listener's own words,
 *   buildCommandBusyMessage). `help`, `scopes` and a pasted secret are answered in the ack from
 *   memory, and `list` through the response_url with no deadline: they go on.
 * - view submissions with an input block: busySubmissionAnswer.
 * - everything else (buttons, options, events) goes on: see ARCHITECTURE.md, "Overload".
 * Slack's payloads are validated with the same schemas the listeners use.
 */
export function busyAnswerAtReceipt(body: unknown): BusyAnswer | undefined {
  const type = (body as { type?: unknown } | null)?.type;
  if (type === 'view_submission') {
    const answer = busySubmissionAnswer(body);
    return answer ? { kind: 'view', answer } : undefined;
  }
  if (typeof (body as { command?: unknown } | null)?.command !== 'string') return undefined;
  const command = ourCommandSchema.safeParse(body);
  if (!command.success) return undefined;
  const text = command.data.text.trim();
  if (!opensModal(readCommandText(text))) return undefined;
  return { kind: 'command', responseUrl: command.data.response_url, message: buildCommandBusyMessage(text) };
}

/**
 * Global middleware: a view submission older than STALE_REQUEST_MS is answered at once with
 * busySubmissionAnswer, before any listener validates or stores anything, so the answer still
 * reaches Slack within its 3 s. The receiver already answers submissions that old on arrival
 * (src/http/shed.ts); this catches one that became that old on its way through the process
 * (the event loop busy between receipt and dispatch). Socket Mode requests carry no sending
 * time, so they always go on.
 */
export function createStaleSubmissionGuard(deps: { wallClock: Clock; logger: Logger }): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const { body, context, next } = args;
    // A type check and the age first: every other request passes on without a schema.
    const age = (body as { type?: unknown }).type === 'view_submission' ? requestAgeMs(context, deps.wallClock) : undefined;
    const answer = isStaleAge(age) && 'ack' in args && typeof args.ack === 'function' ? busySubmissionAnswer(body) : undefined;
    if (!answer) {
      await next();
      return;
    }
    deps.logger.info({ ageMs: age }, 'view submission too old to work on: answered busy');
    await (args.ack as (response: object) => Promise<void>)(answer);
  };
}
