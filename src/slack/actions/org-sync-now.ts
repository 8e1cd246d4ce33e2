import { blockActionSchema } from '../kit/payloads.js';
import type { Services } from '../kit/services.js';
import type { ActionArgs } from '../kit/args.js';
import { enqueueOrgSyncNow } from '../../jobs/queue.js';

/**
 * "Sync now" on an admin's App Home: asks for an Atlassian organization sync at once. Only users
 * in ADMIN_USER_IDS may (the presser comes from the signed payload, never from the button); a
 * second press while one is waiting or running adds nothing (deduplicated in the queue).
 */
export const createOrgSyncNowHandler =
  (deps: Pick<Services, 'logger' | 'config' | 'jobs' | 'home'>) =>
  async ({ ack, body, client }: ActionArgs): Promise<void> => {
    await ack();
    const parsed = blockActionSchema.safeParse(body);
    if (!parsed.success) return;
    const userId = parsed.data.user.id;
    if (!deps.config.adminUserIds.includes(userId)) {
      deps.logger.warn({ userId }, 'Sync now pressed by a user who is not an admin; refused');
      await client.chat
        .postMessage({ channel: userId, text: 'Only the bot’s admins (ADMIN_USER_IDS) can start an Atlassian organization sync.' })
        .catch((err: unknown) => deps.logger.warn({ err }, 'could not tell a non-admin why Sync now did nothing'));
      return;
    }
    if (!deps.config.orgSync) return;
    try {
      await enqueueOrgSyncNow(deps.jobs);
      deps.logger.info({ userId }, 'organization sync requested from the App Home');
    } catch (err) {
      deps.logger.warn({ err, userId }, 'could not queue the organization sync');
    }
    deps.home.refresh(userId);
  };
