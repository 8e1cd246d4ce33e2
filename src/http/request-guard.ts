import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery, type ParsedUrlQuery } from 'node:querystring';
import {
  HTTPModuleFunctions,
  defaultBodyLimit,
  isRawBodyError,
  isValidSlackRequest,
  type ReceiverProcessEventErrorHandlerArgs,
} from '@slack/bolt';
import type { Logger } from '../logger.js';

/**
 * Hardening in front of Bolt's HTTPReceiver for bodies Slack never sends but anyone with
 * the endpoint can. Bolt 5 reads `body.ssl_check` on whatever the body parses to, so a
 * (signed) body of `null` or `payload=null` becomes an unhandled rejection and the request
 * hangs; this guard answers such bodies itself: 401 when unsigned, else 400. Bolt also
 * accepts timestamps from the future, which lets a captured request be replayed later;
 * Slack's rule is "more than 5 minutes from local time" in either direction.
 *
 * Calls `next` with what it read when Bolt may process the request (Bolt re-uses the buffered
 * body, `rawBody`, instead of reading the stream again); otherwise answers the request itself.
 * Nothing here verifies the signature of a request it passes on: Bolt does, and whoever answers
 * a request `next` is given (src/http/shed.ts) must first.
 */
export function guardSlackRequest(
  req: IncomingMessage,
  res: ServerResponse,
  next: (read: GuardedBody) => void,
  opts: { signingSecret: string; logger: Logger; now: () => number },
): void {
  checkBody(req, opts)
    .then((checked) => {
      if (typeof checked !== 'number') return next(checked);
      res.writeHead(checked);
      res.end();
    })
    .catch((err: unknown) => {
      opts.logger.warn({ err }, 'could not read a request to the Slack endpoint');
      if (!res.headersSent) res.writeHead(400);
      res.end();
    });
}

/** Slack's replay window: requests more than 5 minutes away from our clock are refused. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** A body the guard let through, as it read it (so no one reads or parses it again). */
export interface GuardedBody {
  /** The raw body as text (what the signature covers). */
  text: string;
  /** The parsed form fields when the body is application/x-www-form-urlencoded, as Bolt parses it. */
  form: ParsedUrlQuery | undefined;
}

/** What Bolt may process, or the status to answer with. */
async function checkBody(
  req: IncomingMessage,
  opts: { signingSecret: string; logger: Logger; now: () => number },
): Promise<GuardedBody | number> {
  const timestamp = Number(req.headers['x-slack-request-timestamp']);
  if (Number.isFinite(timestamp) && timestamp * 1000 > opts.now() + MAX_CLOCK_SKEW_MS) {
    opts.logger.warn('refused a Slack request timestamped in the future');
    req.resume();
    return 401;
  }
  let buffered: Awaited<ReturnType<typeof HTTPModuleFunctions.bufferIncomingMessage>>;
  try {
    buffered = await HTTPModuleFunctions.bufferIncomingMessage(req, defaultBodyLimit);
  } catch (err) {
    if (isRawBodyError(err) && (err as { statusCode?: number }).statusCode === 413) return 413;
    throw err;
  }
  const text = buffered.rawBody.toString();
  const form = req.headers['content-type'] === 'application/x-www-form-urlencoded' ? parseQuery(text) : undefined;
  if (parsesToObjectOrFails(text, form)) return { text, form };
  let body: unknown;
  try {
    body = HTTPModuleFunctions.parseHTTPRequestBody(buffered);
  } catch {
    return { text, form }; // Bolt answers unparsable bodies itself (401 unsigned, 400 signed).
  }
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) return { text, form };
  const signed = isValidSlackRequest({
    signingSecret: opts.signingSecret,
    body: text,
    headers: {
      'x-slack-signature': String(req.headers['x-slack-signature'] ?? ''),
      'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
    },
  });
  opts.logger.warn({ signed }, 'refused a Slack request whose body is not an object');
  return signed ? 400 : 401;
}

/** JSON text whose first token is `{`: it parses to an object or not at all. */
const JSON_OBJECT_START = /^[ \t\n\r]*\{/;

/**
 * True when the body (`form`: its fields when form-encoded), read the way Bolt reads it,
 * certainly parses to an object or fails to parse (Bolt answers that itself); false when unsure.
 * Saves parsing every body twice, once here and once in Bolt: a form body is an object unless
 * its `payload` is JSON of another kind, and JSON starting with `{` is an object or invalid, so
 * the payload need not be parsed here.
 */
function parsesToObjectOrFails(text: string, form: ParsedUrlQuery | undefined): boolean {
  if (form === undefined) return JSON_OBJECT_START.test(text);
  const { payload } = form;
  return typeof payload !== 'string' || JSON_OBJECT_START.test(payload);
}

/**
 * Bolt's processEventErrorHandler: errors that escape Bolt before any listener acked come
 * from envelopes Bolt cannot read (e.g. `view: null`, `event: null`). They are the sender's
 * fault, so answer 400 rather than Bolt's default 500. Listener errors never get here:
 * app.error (src/app.ts) handles those.
 */
export async function answerUnreadableEvent({ error, logger, response }: ReceiverProcessEventErrorHandlerArgs): Promise<boolean> {
  if (response.headersSent) {
    logger.warn(`error after the request was answered: ${String((error as Error)?.message ?? error)}`);
    return false;
  }
  logger.warn(`refused a Slack request Bolt could not process: ${String((error as Error)?.message ?? error)}`);
  response.writeHead(400);
  response.end();
  return false;
}
