import type { RespondFn } from '@slack/bolt';
import { buildPlainMessage, type Message } from '../../blocks/messages.js';
import type { Logger } from '../../logger.js';

/** Replies to the person who acted, visible to them only. Never throws. */
export type Reply = (message: string | Message) => Promise<void>;

/**
 * An ephemeral reply through Bolt's `respond` (the payload's response_url). Payloads without a
 * usable response_url get no reply rather than a crashed listener; failures are logged, not
 * thrown: the reply is a courtesy.
 */
export function createReply(respond: RespondFn | undefined, logger: Logger): Reply {
  return async (message) => {
    if (typeof respond !== 'function') return;
    const body = typeof message === 'string' ? buildPlainMessage(message) : message;
    try {
      await respond({ response_type: 'ephemeral', replace_original: false, ...body });
    } catch (err) {
      logger.warn({ err }, 'response_url reply failed');
    }
  };
}
