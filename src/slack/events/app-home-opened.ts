import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { appHomeOpenedSchema } from '../kit/payloads.js';
import type { Services } from '../kit/services.js';

/** Publishes the user's Home whenever they open the Home tab, from what is stored now, and notes the visit. */
export function createAppHomeOpenedHandler(deps: Pick<Services, 'home' | 'logger'>) {
  return async ({ event }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    const parsed = appHomeOpenedSchema.safeParse(event);
    if (!parsed.success || (parsed.data.tab && parsed.data.tab !== 'home')) return;
    try {
      await deps.home.open(parsed.data.user);
    } catch (err) {
      deps.logger.warn({ err, userId: parsed.data.user }, 'could not publish App Home');
    }
  };
}
