import { z } from 'zod';
import { TEAM_ACTION, TEAM_BLOCK } from '../../blocks/ids.js';
import { TOKEN_ID } from '../../domain/record-ids.js';
import { checkTeam, tokenPeople } from '../../domain/team.js';
import { checkTeamWithSlack } from '../../slack-api/team-checks.js';
import { parseMetadata, viewSubmissionSchema } from '../kit/payloads.js';
import type { Services } from '../kit/services.js';
import type { ViewArgs } from '../kit/args.js';

const metadataSchema = z.object({ tokenId: z.string().regex(TOKEN_ID) });

/**
 * Saving the team modal: the same checks as the request form (shapes, the owner is not their
 * own co-owner, with Slack: people still in it and not bots, a channel the bot is in), errors
 * next to the fields; then one compare-and-set that only the owner or a co-owner may make,
 * with a `team_changed` history entry. Everyone whose Home lists the token is refreshed.
 */
export function createTeamSubmitHandler(deps: Pick<Services, 'tokens' | 'users' | 'home' | 'logger' | 'clock' | 'quickClient'>) {
  return async ({ ack, body }: ViewArgs): Promise<void> => {
    const parsed = viewSubmissionSchema.safeParse(body);
    const meta = parsed.success ? parseMetadata(metadataSchema, parsed.data.view.private_metadata) : undefined;
    const token = meta ? await deps.tokens.get(meta.tokenId) : undefined;
    if (!parsed.success || !meta || !token) {
      await ack({
        response_action: 'errors',
        errors: { [TEAM_BLOCK.coOwners]: 'This form could not be read, or the token is gone. Close it and try again.' },
      });
      return;
    }
    const userId = parsed.data.user.id;
    if (!tokenPeople(token).includes(userId)) {
      await ack({
        response_action: 'errors',
        errors: { [TEAM_BLOCK.coOwners]: 'Only the owner or a co-owner can change who shares this token.' },
      });
      return;
    }
    const values = parsed.data.view.state.values;
    const team = checkTeam(
      {
        coOwners: values[TEAM_BLOCK.coOwners]?.[TEAM_ACTION.coOwners]?.selected_users ?? [],
        teamChannelId: values[TEAM_BLOCK.channel]?.[TEAM_ACTION.channel]?.selected_conversation ?? null,
      },
      token.ownerId,
    );
    let errors = team.errors;
    if (!errors.coOwners && !errors.teamChannel && (team.coOwners || team.teamChannelId)) {
      errors = await checkTeamWithSlack({ users: deps.users, client: deps.quickClient, logger: deps.logger }, team);
    }
    if (errors.coOwners || errors.teamChannel) {
      await ack({
        response_action: 'errors',
        errors: {
          ...(errors.coOwners ? { [TEAM_BLOCK.coOwners]: errors.coOwners } : {}),
          ...(errors.teamChannel ? { [TEAM_BLOCK.channel]: errors.teamChannel } : {}),
        },
      });
      return;
    }
    const now = deps.clock.now();
    const before = tokenPeople(token);
    const result = await deps.tokens.update(token.id, (t) => {
      if (!tokenPeople(t).includes(userId)) return undefined;
      const { coOwners: _c, teamChannelId: _ch, ...rest } = t;
      const next = {
        ...rest,
        ...(team.coOwners ? { coOwners: team.coOwners } : {}),
        ...(team.teamChannelId ? { teamChannelId: team.teamChannelId } : {}),
      };
      if (JSON.stringify(next.coOwners ?? []) === JSON.stringify(t.coOwners ?? []) && next.teamChannelId === t.teamChannelId)
        return undefined;
      const detail = `co-owners ${team.coOwners?.join(',') || 'none'}; team channel ${team.teamChannelId ?? 'none'}`;
      return { next, event: { at: now, type: 'team_changed', by: userId, detail } };
    });
    if (!result) {
      await ack({
        response_action: 'errors',
        errors: { [TEAM_BLOCK.coOwners]: 'I could not save this just now. Nothing changed: press Save again.' },
      });
      return;
    }
    await ack();
    if (!result.changed) return;
    deps.logger.info({ tokenId: token.id, by: userId }, 'co-owners or team channel changed');
    for (const id of new Set([...before, ...tokenPeople(result.token)])) deps.home.refresh(id);
  };
}
