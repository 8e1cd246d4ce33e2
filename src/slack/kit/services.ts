import type { WebClient } from '@slack/web-api';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { RequestStore } from '../../store/requests.js';
import type { TokenStore } from '../../store/tokens.js';
import type { DigestStore } from '../../store/digests.js';
import type { SeenMessages } from '../../store/seen-messages.js';
import type { CalendarFeedStore } from '../../store/calendar-feeds.js';
import type { UserDirectory } from '../../slack-api/users.js';
import type { ApproverDirectory } from '../../slack-api/approvers.js';
import type { HomePublisher } from '../../slack-api/home.js';
import type { JobQueue } from '../../jobs/queue.js';

/**
 * Everything the composition root (src/app.ts) offers listeners. Each listener factory takes
 * `Pick<Services, ...>` of what it uses, so its signature says what it touches.
 */
export interface Services {
  config: Pick<Config, 'approvals' | 'reminders' | 'publicUrl' | 'adminUserIds' | 'orgSync'>;
  logger: Logger;
  clock: Clock;
  /**
   * The wall clock, which Slack signs requests with: request ages (kit/trigger-age.ts) are read on
   * it. Same as `clock` in production; the sandbox moves `clock` ahead, never this one.
   */
  wallClock: Clock;
  requests: RequestStore;
  tokens: TokenStore;
  /** Reminder digests (REMINDER_DIGEST): a button pressed in one updates only its line. */
  digests: DigestStore;
  seenMessages: SeenMessages;
  /** Calendar feed ids (App Home section and its buttons). */
  calendarFeeds: CalendarFeedStore;
  users: UserDirectory;
  approvers: ApproverDirectory;
  home: HomePublisher;
  jobs: JobQueue;
  /**
   * Fails fast (no retries, 429 surfaced, short timeout; src/slack-api/clients.ts): for Slack
   * calls that precede an ack and for sends that have a retry job behind them.
   */
  quickClient: WebClient;
  /**
   * For views.open / views.push with a trigger_id: a 429 is surfaced, and no other call's 429
   * delays it (src/slack-api/clients.ts).
   */
  modalClient: WebClient;
}
