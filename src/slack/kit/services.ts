import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { RequestStore } from '../../store/requests.js';
import type { TokenStore } from '../../store/tokens.js';
import type { UserDirectory } from '../../slack-api/users.js';
import type { Scheduler } from '../../jobs/queue.js';
import type { Metrics } from '../../metrics.js';
import type { SeenMessages } from '../../store/seen-messages.js';
import type { TokenRequest } from '../../domain/types.js';
import type { WebClient } from '@slack/web-api';
import type { ApproverDirectory } from '../../slack-api/approvers.js';

/** What listeners need, passed in by the composition root (src/app.ts). */
export interface Deps {
  config: Config;
  logger: Logger;
  requests: RequestStore;
  tokens: TokenStore;
  users: UserDirectory;
  scheduler: Scheduler;
  metrics: Metrics;
  seenMessages: SeenMessages;
  /** Web API client that fails fast (no retries, 429 surfaced) for sends that have a retry job behind them. */
  quickClient?: WebClient;
  /** Requests waiting for this user's decision, shown on their App Home; absent = no queue section. */
  loadApprovalQueue?: (userId: string) => Promise<TokenRequest[]>;
  approvers: ApproverDirectory;
}
