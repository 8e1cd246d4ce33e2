import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ParsedUrlQuery } from 'node:querystring';
import { HTTPModuleFunctions, isValidSlackRequest } from '@slack/bolt';
import type { Clock } from '../clock.js';
import { runInRequestContext, type Logger } from '../logger.js';
import { requestKind } from '../metrics.js';
import { replyEphemeral } from '../slack-api/response-url.js';
import { busyAnswerAtReceipt, isStaleAge } from '../slack/kit/trigger-age.js';
import type { GuardedBody } from './request-guard.js';
import { slackSentAtMs } from './request-age.js';

/**
 * Answers a request, or returns false to hand it on to Bolt; called by the receiver for every
 * request to the Slack endpoint that passed the body guard.
 */
export type Shedder = (req: IncomingMessage, res: ServerResponse, read: GuardedBody) => boolean;

/**
 * Overload, before Bolt. A request that is already older than STALE_REQUEST_MS when the receiver
 * has read it (it waited in the process's HTTP backlog) and that would only get "busy" from its
 * listener is answered right here, without Bolt's parsing, middleware or listener dispatch: a
 * `/bitbucket-token` command that opens a modal gets an empty ack and then the busy message
 * through its response_url; a view submission gets the busy error as its ack
 * (busyAnswerAtReceipt in src/slack/kit/trigger-age.ts decides, for both this and the listeners).
 * Requests of other kinds go on to Bolt.
 *
 * Cost: a fresh request pays one header read and a comparison. An old one is looked at only when
 * it can be shed: a command's fields are the guard's parsed form; an interaction's JSON payload
 * is parsed only if it names "view_submission" (and a shed request is never parsed by Bolt). Its
 * signature is verified first, exactly as Bolt verifies it: a badly signed request gets 401 and
 * nothing else, and nothing of its body is parsed or used.
 *
 * The age is read on the wall clock (the clock Slack signs with; see src/slack/kit/trigger-age.ts).
 */
export function createShedder(deps: {
  signingSecret: string;
  wallClock: Clock;
  logger: Logger;
  /** Counts a shed request by kind (metrics). */
  onShed: (kind: string) => void;
  /** Keeps the reply after the ack in flight for a graceful shutdown. */
  hold: (work: Promise<unknown>) => void;
}): Shedder {
  return (req, res, read) => {
    const sentAt = slackSentAtMs(req);
    const ageMs = sentAt === undefined ? undefined : deps.wallClock.now() - sentAt;
    if (!isStaleAge(ageMs)) return false;
    const candidate = sheddable(read);
    if (!candidate) return false;
    // Verified before anything of the body is parsed or used, as Bolt does.
    const signed = isValidSlackRequest({
      signingSecret: deps.signingSecret,
      body: read.text,
      headers: {
        'x-slack-signature': String(req.headers['x-slack-signature'] ?? ''),
        'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
      },
    });
    if (!signed) {
      // What Bolt answers a request it cannot verify; nothing of the request is used.
      deps.logger.warn('refused a Slack request whose signature does not verify');
      HTTPModuleFunctions.buildNoBodyResponse(res, 401);
      return true;
    }
    const body = candidate.command ?? parseJson(candidate.payload);
    const busy = body === undefined ? undefined : busyAnswerAtReceipt(body);
    // Not ours to answer busy (e.g. `help`, a view without an input): Bolt takes it as usual.
    if (!busy) return false;
    runInRequestContext(body, () => {
      const kind = requestKind(body);
      deps.onShed(kind);
      deps.logger.info({ kind, ageMs }, 'request already too old on arrival: answered busy before Bolt');
      if (busy.kind === 'view') {
        HTTPModuleFunctions.buildContentResponse(res, busy.answer);
        return;
      }
      HTTPModuleFunctions.buildContentResponse(res, undefined);
      if (busy.responseUrl === undefined) {
        deps.logger.warn('busy answer not sent: the command has no usable response_url');
        return;
      }
      // After the ack, never before it: the reply is a courtesy with its own timeout.
      deps.hold(replyEphemeral(busy.responseUrl, busy.message, deps.logger));
    });
    return true;
  };
}

/**
 * A request that may be shed, from what the guard read, without parsing any JSON: a
 * form-encoded slash command (its fields are the body Bolt would parse), or an interaction whose
 * payload names "view_submission" (a payload spelled otherwise simply goes on to Bolt).
 * undefined for anything else: events (JSON bodies), buttons, Slack's SSL check (Bolt answers
 * it without a signature).
 */
function sheddable(read: GuardedBody): { command: ParsedUrlQuery; payload?: never } | { command?: never; payload: string } | undefined {
  const { form } = read;
  if (form === undefined || form['ssl_check'] !== undefined) return undefined;
  const { payload } = form;
  if (typeof payload === 'string') return payload.includes('"view_submission"') ? { payload } : undefined;
  return typeof form['command'] === 'string' ? { command: form } : undefined;
}

/** The payload's JSON, or undefined when it is not JSON (Bolt answers that). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
