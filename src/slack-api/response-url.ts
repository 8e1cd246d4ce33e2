import type { Message } from '../blocks/messages.js';
import type { Logger } from '../logger.js';
import { postJson } from './http.js';

/** A response_url reply that takes longer than this is abandoned: it is a courtesy. */
const RESPONSE_URL_TIMEOUT_MS = 5000;

/**
 * Posts an ephemeral reply through a response_url, which works in any channel, also ones
 * the bot is not a member of. Used where there is no Bolt `respond` (jobs, or a URL kept in a
 * modal's metadata). Failures are logged, not thrown: the reply is a courtesy.
 */
export async function replyEphemeral(responseUrl: string | undefined, message: Message, logger: Logger): Promise<void> {
  if (!responseUrl) return;
  try {
    const status = await postJson(
      responseUrl,
      { response_type: 'ephemeral', replace_original: false, ...message },
      RESPONSE_URL_TIMEOUT_MS,
    );
    if (status < 200 || status >= 300) logger.warn({ status }, 'response_url reply refused');
  } catch (err) {
    logger.warn({ err }, 'response_url reply failed');
  }
}
