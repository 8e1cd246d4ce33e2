import { z } from 'zod';
import { TOKEN_ID } from '../../domain/record-ids.js';
import { isKnownScope, sortScopes } from '../../domain/scopes.js';
import { tokenPeople } from '../../domain/team.js';
import { SCOPES_ACTION, SCOPES_BLOCK } from '../../blocks/ids.js';
import { buildReminderMessage } from '../../blocks/reminders.js';
import { context, escapeMrkdwn } from '../../blocks/text.js';
import { parseMetadata, viewSubmissionSchema } from '../kit/payloads.js';
import type { Services } from '../kit/services.js';
import type { ViewArgs } from '../kit/args.js';

const metadataSchema = z.object({
  tokenId: z.string().regex(TOKEN_ID),
  channel: z.string().max(64).optional(),
  ts: z.string().max(64).optional(),
});

/**
 * "Say its scopes" submitted: records the scopes of a token the organization sync found (its
 * scopes were unknown). Only the token's people may, only while they are unknown, and only
 * scopes of the catalogue; the reminder is rewritten with them.
 */
export function createScopesSubmitHandler(deps: Pick<Services, 'tokens' | 'logger' | 'clock'>) {
  return async ({ ack, body, client }: ViewArgs): Promise<void> => {
    const parsed = viewSubmissionSchema.safeParse(body);
    const meta = parsed.success ? parseMetadata(metadataSchema, parsed.data.view.private_metadata) : undefined;
    if (!parsed.success || !meta) {
      await ack({
        response_action: 'errors',
        errors: { [SCOPES_BLOCK]: 'This form could not be read. Close it and press the button again.' },
      });
      return;
    }
    const userId = parsed.data.user.id;
    const picked = (parsed.data.view.state.values[SCOPES_BLOCK]?.[SCOPES_ACTION]?.selected_options ?? []).flatMap((o) =>
      o ? [o.value] : [],
    );
    const scopes = sortScopes([...new Set(picked)]);
    if (scopes.length === 0 || scopes.length > 50 || !scopes.every(isKnownScope)) {
      await ack({ response_action: 'errors', errors: { [SCOPES_BLOCK]: 'Pick the token’s scopes from the list.' } });
      return;
    }
    const at = deps.clock.now();
    const result = await deps.tokens.update(meta.tokenId, (t) => {
      if (!tokenPeople(t).includes(userId) || t.scopes.length > 0) return undefined;
      return { next: { ...t, scopes }, event: { at, type: 'corrected', by: userId, detail: `scopes: ${scopes.join(' ')}` } };
    });
    if (!result?.changed) {
      await ack({
        response_action: 'errors',
        errors: { [SCOPES_BLOCK]: 'Only the token’s owner can say its scopes, and only while they are unknown.' },
      });
      return;
    }
    await ack();
    deps.logger.info(
      { tokenId: meta.tokenId, by: userId, scopes: scopes.length },
      'scopes of a token found by the organization sync recorded',
    );
    if (!meta.channel || !meta.ts) return;
    // The reminder again, now with its scopes (and without the button), its other answers intact.
    const token = result.token;
    const message = buildReminderMessage({ token, threshold: token.reminder?.last ?? 0, tz: 'UTC', now: at });
    await client.chat
      .update({
        channel: meta.channel,
        ts: meta.ts,
        text: message.text,
        blocks: [...(message.blocks ?? []), context(`:white_check_mark: Scopes of *${escapeMrkdwn(token.name)}* recorded.`)],
      })
      .catch((err: unknown) => deps.logger.warn({ err }, 'could not update the reminder after its scopes were said'));
  };
}
