import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { appHomeOpenedSchema } from '../kit/payloads.js';
import { publishHome } from '../../slack-api/home.js';
import type { Deps } from '../kit/services.js';

type Args = SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs;

/** Publishes the user's Home whenever they open the Home tab, from what is stored now. */
export function createAppHomeOpenedHandler(deps: Deps) {
  return async ({ event, client }: Args): Promise<void> => {
    const parsed = appHomeOpenedSchema.safeParse(event);
    if (!parsed.success || (parsed.data.tab && parsed.data.tab !== 'home')) return;
    try {
      await publishHome(client, deps, parsed.data.user);
    } catch (err) {
      deps.logger.warn({ err, userId: parsed.data.user }, 'could not publish App Home');
    }
  };
}
