import { buildCalendarLinkMessage } from '../../blocks/messages.js';
import { calendarFeedUrl, listTeamChannels } from '../../domain/calendar.js';
import { blockActionSchema, channelIdSchema } from '../kit/payloads.js';
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

/** How many of the presser's tokens are read to find that the channel is a team channel of theirs. */
const OWN_TOKENS_READ = 1000;

/**
 * "Reset link" of a team channel's feed. Only someone who owns a live token whose team channel
 * it is may reset it (the channel comes from the button's value, so it is checked, not trusted).
 */
export const createCalendarResetChannelHandler =
  (deps: Pick<Services, 'logger' | 'home' | 'calendarFeeds' | 'tokens'>) =>
  async ({ ack, body }: ActionArgs): Promise<void> => {
    await ack();
    const parsed = blockActionSchema.safeParse(body);
    if (!parsed.success) return;
    const userId = parsed.data.user.id;
    const channel = channelIdSchema.safeParse(parsed.data.actions[0]?.value);
    if (!channel.success) return;
    try {
      const mine = await deps.tokens.listByUser(userId, OWN_TOKENS_READ);
      if (!listTeamChannels(mine).includes(channel.data)) {
        deps.logger.warn({ userId }, 'calendar reset refused: not a team channel of the presser’s tokens');
      } else {
        await deps.calendarFeeds.reset(channel.data);
        deps.logger.info({ userId, channelId: channel.data }, 'team channel calendar feed link reset');
      }
    } catch (err) {
      deps.logger.warn({ err }, 'could not reset the team channel calendar feed link');
    }
    deps.home.refresh(userId);
  };
