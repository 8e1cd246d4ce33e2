import { buildCalendarLinkMessage } from '../../blocks/messages.js';
import { calendarFeedUrl } from '../../domain/calendar.js';
import { blockActionSchema } from '../kit/payloads.js';
import type { Services } from '../kit/services.js';
import type { ActionArgs } from '../kit/args.js';

/**
 * The App Home's calendar feed buttons. A user's feed is always the presser's own: the owner
 * comes from the signed payload's user, never from a button value, so nobody can act on
 * another user's feed.
 */

/** "DM me the link": sends the presser their feed address as a message they can copy. */
export const createCalendarSendLinkHandler =
  (deps: Pick<Services, 'logger' | 'config' | 'calendarFeeds'>) =>
  async ({ ack, body, client }: ActionArgs): Promise<void> => {
    await ack();
    const parsed = blockActionSchema.safeParse(body);
    if (!parsed.success) return;
    const userId = parsed.data.user.id;
    try {
      const url = calendarFeedUrl(deps.config.publicUrl, await deps.calendarFeeds.ensure(userId));
      await client.chat.postMessage({ channel: userId, ...buildCalendarLinkMessage(url) });
    } catch (err) {
      deps.logger.warn({ err }, 'could not send the calendar feed link');
    }
  };

/** "Reset link": a new feed address; the old one answers 404 from now on. Republishes the Home. */
export const createCalendarResetHandler =
  (deps: Pick<Services, 'logger' | 'home' | 'calendarFeeds'>) =>
  async ({ ack, body }: ActionArgs): Promise<void> => {
    await ack();
    const parsed = blockActionSchema.safeParse(body);
    if (!parsed.success) return;
    const userId = parsed.data.user.id;
    try {
      await deps.calendarFeeds.reset(userId);
      deps.logger.info({ userId }, 'calendar feed link reset');
    } catch (err) {
      deps.logger.warn({ err }, 'could not reset the calendar feed link');
    }
    deps.home.refresh(userId);
  };
