import type { IncomingMessage } from 'node:http';

/**
 * When Slack sent a request, in ms since the epoch, from its signed X-Slack-Request-Timestamp
 * header (whole seconds, so this is up to a second early: ages built on it err towards "older").
 * Bolt's HTTPReceiver verifies the signature over this header before the request reaches a
 * listener; app.ts hands it to listeners through the receiver's documented
 * `customPropertiesExtractor` (it lands in `context`). undefined when absent or malformed.
 */
export function slackSentAtMs(req: IncomingMessage): number | undefined {
  const header = req.headers['x-slack-request-timestamp'];
  if (typeof header !== 'string' || !/^\d{1,12}$/.test(header)) return undefined;
  return Number(header) * 1000;
}
