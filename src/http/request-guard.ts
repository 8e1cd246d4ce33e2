import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
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
 * Calls `next` when Bolt may process the request (it re-uses the buffered body, `rawBody`,
 * instead of reading the stream again); otherwise answers the request itself.
 */
export function guardSlackRequest(
  req: IncomingMessage,
  res: ServerResponse,
  next: () => void,
  opts: { signingSecret: string; logger: Logger; now: () => number },
): void {
  checkBody(req, opts)
    .then((status) => {
      if (status === undefined) return next();
      res.writeHead(status);
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

/** undefined when Bolt may process the request, else the status to answer with. */
async function checkBody(
  req: IncomingMessage,
  opts: { signingSecret: string; logger: Logger; now: () => number },
): Promise<number | undefined> {
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
  if (parsesToObjectOrFails(buffered.rawBody.toString(), req.headers['content-type'])) return undefined;
  let body: unknown;
  try {
    body = HTTPModuleFunctions.parseHTTPRequestBody(buffered);
  } catch {
    return undefined; // Bolt answers unparsable bodies itself (401 unsigned, 400 signed).
  }
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) return undefined;
  const signed = isValidSlackRequest({
    signingSecret: opts.signingSecret,
    body: buffered.rawBody.toString(),
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
 * True when the body, read the way Bolt reads it, certainly parses to an object or fails to
 * parse (Bolt answers that itself); false when unsure. Saves parsing every body twice, once
 * here and once in Bolt: a form body is an object unless its `payload` is JSON of another kind,
 * and JSON starting with `{` is an object or invalid, so the payload need not be parsed here.
 */
function parsesToObjectOrFails(text: string, contentType: string | undefined): boolean {
  if (contentType !== 'application/x-www-form-urlencoded') return JSON_OBJECT_START.test(text);
  const { payload } = parseQuery(text);
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
