import type { WebClient } from '@slack/web-api';
import { buildChecklist } from '../domain/checklist.js';
import { buildChecklistMessage } from '../blocks/checklist.js';
import type { Message } from '../blocks/messages.js';
import type { TokenRequest } from '../domain/types.js';
import type { Logger } from '../logger.js';

/** DMs the requester their personalised setup checklist for an approved request. */
export async function sendChecklist(client: WebClient, request: TokenRequest, approvedNote?: string): Promise<void> {
  const checklist = buildChecklist({
    name: request.name,
    expiresOn: request.expiresOn,
    scopes: request.approvedScopes ?? request.scopes,
    workspace: request.workspace,
  });
  const message = buildChecklistMessage(checklist, { requestId: request.id, tokenName: request.name, approvedNote });
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
