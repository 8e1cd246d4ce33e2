import { z } from 'zod';
import { TOKEN_ID } from '../../domain/record-ids.js';
import { formatLongDate } from '../../domain/dates.js';
import { checkExpiry } from '../../domain/validation.js';
import { escapeMrkdwn } from '../../blocks/text.js';
import { ROTATED_ACTION, ROTATED_BLOCK } from '../../blocks/ids.js';
import { parseMetadata, viewSubmissionSchema } from '../kit/payloads.js';
import { showAnswerEverywhere } from '../kit/reminder-press.js';
import { tokenPeople } from '../../domain/team.js';
import type { TokenRecord } from '../../domain/types.js';
import type { Services } from '../kit/services.js';
import type { ViewArgs } from '../kit/args.js';

const metadataSchema = z.object({
  tokenId: z.string().regex(TOKEN_ID),
  channel: z.string().max(64).optional(),
  ts: z.string().max(64).optional(),
});

/** "Already rotated" submitted: records the new expiry date and reschedules the reminders. */
export function createRotatedSubmitHandler(deps: Pick<Services, 'tokens' | 'users' | 'logger' | 'clock' | 'digests'>) {
  return async ({ ack, body, client }: ViewArgs): Promise<void> => {
    const parsed = viewSubmissionSchema.safeParse(body);
    const meta = parsed.success ? parseMetadata(metadataSchema, parsed.data.view.private_metadata) : undefined;
    if (!parsed.success || !meta) {
      await ack({
        response_action: 'errors',
        errors: { [ROTATED_BLOCK.expiry]: 'This form could not be read. Close it and press the button again.' },
      });
      return;
    }
    const userId = parsed.data.user.id;
    const expiresOn = parsed.data.view.state.values[ROTATED_BLOCK.expiry]?.[ROTATED_ACTION.expiry]?.selected_date?.trim() ?? '';
    const now = new Date(deps.clock.now());
    const timeZone = await deps.users.timeZoneOf(userId);
    const problem = checkExpiry(expiresOn, { now, timeZone });
    if (problem) {
      await ack({ response_action: 'errors', errors: { [ROTATED_BLOCK.expiry]: problem } });
      return;
    }
    const at = now.getTime();
    // Ticked places arrive as indexes into the stored list; anything else is ignored.
    const ticked = new Set(
      (parsed.data.view.state.values[ROTATED_BLOCK.places]?.[ROTATED_ACTION.places]?.selected_options ?? []).flatMap((o) =>
        o && /^\d$/.test(o.value) ? [Number(o.value)] : [],
      ),
    );
    let pending: string[] = [];
    let previous: TokenRecord | undefined;
    const result = await deps.tokens.update(meta.tokenId, (t) => {
      previous = t;
      if (!tokenPeople(t).includes(userId) || t.status === 'revoked' || t.status === 'rotated') return undefined;
      const places = t.places ?? [];
      const updated = places.filter((_, i) => ticked.has(i));
      pending = places.filter((_, i) => !ticked.has(i));
      const detail = places.length > 0 ? `; places updated: ${updated.length > 0 ? updated.join('; ') : 'none'}` : '';
      return {
        // A fresh schedule: thresholds count from now for the new expiry.
        next: { ...t, expiresOn, status: 'active', reminder: { from: at } },
        ops: [deps.tokens.scheduleOp(t.id, at)],
        event: { at, type: 'rotated', by: userId, detail: `new expiry ${expiresOn}${detail}` },
      };
    });
    if (!result?.changed) {
      await ack({
        response_action: 'errors',
        errors: { [ROTATED_BLOCK.expiry]: 'Only the owner of an active token can record a new expiry date.' },
      });
      return;
    }
    await ack();
    const still =
      pending.length > 0
        ? ` Still to update: ${pending.map(escapeMrkdwn).join('; ')}. Revoke the old token at id.atlassian.com once they all have the new one.`
        : '';
    const answer = `:white_check_mark: *${escapeMrkdwn(result.token.name)}* was rotated; it now expires ${formatLongDate(expiresOn)} and I will remind you before then.${still}`;
    await showAnswerEverywhere(deps, client, previous ?? result.token, { channel: meta.channel, ts: meta.ts }, answer);
  };
}
