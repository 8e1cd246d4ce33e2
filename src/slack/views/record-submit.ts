import { validateRecordedToken, type RecordField } from '../../domain/validation.js';
import { createTokenId } from '../../domain/record-ids.js';
import { planReminders } from '../../domain/reminders.js';
import type { TokenRecord } from '../../domain/types.js';
import { buildTokenRecordedMessage } from '../../blocks/messages.js';
import { viewSubmissionSchema, type StateValues } from '../kit/payloads.js';
import { RECORD_ACTION, RECORD_BLOCK } from '../../blocks/ids.js';
import { toBlockErrors } from '../kit/request-state.js';
import type { Services } from '../kit/services.js';
import type { ViewArgs } from '../kit/args.js';
import { teamFieldErrors } from '../../slack-api/team-checks.js';

const FIELD_BLOCKS: Record<RecordField, string> = {
  name: RECORD_BLOCK.name,
  expiresOn: RECORD_BLOCK.expiry,
  scopes: RECORD_BLOCK.scopes,
  workspace: RECORD_BLOCK.workspace,
  places: RECORD_BLOCK.places,
  coOwners: RECORD_BLOCK.coOwners,
  teamChannelId: RECORD_BLOCK.teamChannel,
};

/** Reads the record modal's state.values into raw fields for validation. Pure. */
function readRecordState(values: StateValues) {
  const entry = (block: string, action: string) => values[block]?.[action];
  const scopes = entry(RECORD_BLOCK.scopes, RECORD_ACTION.scopes)?.selected_options;
  return {
    name: entry(RECORD_BLOCK.name, RECORD_ACTION.name)?.value ?? null,
    expiresOn: entry(RECORD_BLOCK.expiry, RECORD_ACTION.expiry)?.selected_date ?? null,
    scopes: scopes ? scopes.map((o) => o?.value ?? null) : null,
    workspace: entry(RECORD_BLOCK.workspace, RECORD_ACTION.workspace)?.value ?? null,
    places: entry(RECORD_BLOCK.places, RECORD_ACTION.places)?.value ?? null,
    coOwners: entry(RECORD_BLOCK.coOwners, RECORD_ACTION.coOwners)?.selected_users ?? null,
    teamChannelId: entry(RECORD_BLOCK.teamChannel, RECORD_ACTION.teamChannel)?.selected_conversation ?? null,
  };
}

/**
 * Submitting "record an existing token": validate (errors next to the fields, a pasted
 * secret is refused and never echoed), store the metadata, close the modal, confirm by DM
 * with the reminder plan and refresh the owner's Home.
 */
export function createRecordSubmitHandler(
  deps: Pick<Services, 'tokens' | 'users' | 'home' | 'config' | 'logger' | 'clock' | 'quickClient'>,
) {
  return async ({ ack, body, client }: ViewArgs): Promise<void> => {
    const parsed = viewSubmissionSchema.safeParse(body);
    if (!parsed.success) {
      await ack({
        response_action: 'errors',
        errors: { [RECORD_BLOCK.name]: 'This form could not be read. Close it and run the command again.' },
      });
      return;
    }
    const userId = parsed.data.user.id;
    const now = new Date(deps.clock.now());
    const timeZone = await deps.users.timeZoneOf(userId);
    const result = validateRecordedToken(readRecordState(parsed.data.view.state.values), { now, timeZone, ownerId: userId });
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: toBlockErrors(result.errors, FIELD_BLOCKS) });
      return;
    }
    const teamErrors = await teamFieldErrors({ users: deps.users, client: deps.quickClient, logger: deps.logger }, result.value);
    if (Object.keys(teamErrors).length > 0) {
      await ack({ response_action: 'errors', errors: toBlockErrors<RecordField>(teamErrors, FIELD_BLOCKS) });
      return;
    }
    const token: TokenRecord = { ...result.value, id: createTokenId(), ownerId: userId, createdAt: now.getTime(), status: 'active' };
    try {
      await deps.tokens.create(token, { at: now.getTime(), type: 'recorded', by: userId, detail: 'recorded by hand' });
    } catch (err) {
      deps.logger.error({ err }, 'could not store recorded token');
      await ack({
        response_action: 'errors',
        errors: { [RECORD_BLOCK.name]: 'I could not save this just now. Nothing was stored: press Record again in a moment.' },
      });
      return;
    }
    await ack();
    deps.logger.info({ tokenId: token.id, userId, scopes: token.scopes }, 'existing token recorded');
    const plan = planReminders(token, deps.config.reminders, timeZone);
    const message = buildTokenRecordedMessage(token, plan, false, result.notices ?? []);
    deps.home.refresh(userId);
    await client.chat.postMessage({ channel: userId, text: message.text, blocks: message.blocks });
  };
}
