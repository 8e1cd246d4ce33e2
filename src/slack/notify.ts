import type { WebClient } from '@slack/web-api';
import { buildChecklist } from '../domain/checklist.js';
import { buildChecklistMessage } from '../blocks/checklist.js';
import type { Message } from '../blocks/messages.js';
import type { TokenRequest } from '../domain/types.js';
import type { Logger } from '../logger.js';

/** The checklist message for a request, built from the stored record only. */
export function buildChecklistFor(request: TokenRequest, approvedNote?: string) {
  const checklist = buildChecklist({
    name: request.name,
    expiresOn: request.expiresOn,
    scopes: request.approvedScopes ?? request.scopes,
    workspace: request.workspace,
  });
  return buildChecklistMessage(checklist, { requestId: request.id, tokenName: request.name, approvedNote });
}

/** DMs the requester their personalised setup checklist for an approved request. */
export async function sendChecklist(client: WebClient, request: TokenRequest, approvedNote?: string): Promise<void> {
  const message = buildChecklistFor(request, approvedNote);
  await client.chat.postMessage({ channel: request.requesterId, text: message.text, blocks: message.blocks as never });
}

/**
 * Posts an ephemeral reply through a response_url, which works in any channel, also ones
 * the bot is not a member of. Failures are logged, not thrown: the reply is a courtesy.
 */
export async function replyEphemeral(responseUrl: string | undefined, message: Message, logger: Logger): Promise<void> {
  if (!responseUrl) return;
  try {
    const res = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, ...message }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) logger.warn({ status: res.status }, 'response_url reply refused');
  } catch (err) {
    logger.warn({ err }, 'response_url reply failed');
  }
}

type Respond = ((message: Record<string, unknown>) => Promise<unknown>) | undefined;

/**
 * An ephemeral reply through Bolt's `respond` (the payload's response_url). Payloads
 * without a usable response_url get no reply rather than a crashed listener; failures
 * are logged, not thrown: the reply is a courtesy.
 */
export async function respondEphemeral(respond: Respond, message: Message, logger: Logger): Promise<void> {
  if (typeof respond !== 'function') return;
  try {
    await respond({ response_type: 'ephemeral', replace_original: false, ...message });
  } catch (err) {
    logger.warn({ err }, 'response_url reply failed');
  }
}
