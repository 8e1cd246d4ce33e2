import { z } from 'zod';
import { checkNarrowedScopes, type Decision } from '../../domain/approvals.js';
import { REQUEST_ID } from '../../domain/record-ids.js';
import { containsSecret } from '../../domain/secrets.js';
import type { TokenRequest } from '../../domain/types.js';
import { SECRET_PASTED_MESSAGE } from '../../domain/validation.js';
import { APPROVAL_INPUT } from '../../blocks/ids.js';
import { parseMetadata, viewSubmissionSchema, type StateValues } from '../kit/payloads.js';
import { UNKNOWN_REQUEST, checkApprover, decideRequest } from '../kit/decide.js';
import type { Services } from '../kit/services.js';
import type { ViewArgs } from '../kit/args.js';

type DecideServices = Pick<Services, 'requests' | 'jobs' | 'approvers' | 'logger' | 'clock'>;

const metadataSchema = z.object({ requestId: z.string().regex(REQUEST_ID) });

/** What a decision modal's fields say: a decision, or an error for its one input block. */
type ReadDecision = (values: StateValues, request: TokenRequest, by: string) => { decision: Decision } | { error: string };

/**
 * Submitting a decision modal: re-checks the approver (the modal may be old), applies the
 * decision atomically and answers refusals next to the modal's input.
 */
function createDecisionSubmitHandler(deps: DecideServices, errorBlock: string, read: ReadDecision) {
  return async ({ ack, body }: ViewArgs): Promise<void> => {
    const errors = (message: string) => ack({ response_action: 'errors', errors: { [errorBlock]: message } });
    const parsed = viewSubmissionSchema.safeParse(body);
    const meta = parsed.success ? parseMetadata(metadataSchema, parsed.data.view.private_metadata) : undefined;
    if (!parsed.success || !meta)
      return void (await errors('This form could not be read. Close it and use the buttons on the request again.'));
    const userId = parsed.data.user.id;
    const request = await deps.requests.get(meta.requestId);
    if (!request) return void (await errors(UNKNOWN_REQUEST));
    const refused = await checkApprover(deps, userId);
    if (refused) return void (await errors(refused));
    const input = read(parsed.data.view.state.values, request, userId);
    if ('error' in input) return void (await errors(input.error));
    const result = await decideRequest(deps, request.id, input.decision);
    if (!result.ok) return void (await errors(result.message));
    await ack();
  };
}

export const createRejectSubmitHandler = (deps: DecideServices) =>
  createDecisionSubmitHandler(deps, APPROVAL_INPUT.reasonBlock, (values, _request, by) => {
    const reason = values[APPROVAL_INPUT.reasonBlock]?.[APPROVAL_INPUT.reasonAction]?.value?.trim() ?? '';
    if (!reason) return { error: 'Give a reason: the requester sees it and can ask again.' };
    if (containsSecret(reason)) return { error: SECRET_PASTED_MESSAGE };
    return { decision: { kind: 'reject', by, reason: reason.slice(0, 2000) } };
  });

export const createNarrowSubmitHandler = (deps: DecideServices) =>
  createDecisionSubmitHandler(deps, APPROVAL_INPUT.scopesBlock, (values, request, by) => {
    const selected = (values[APPROVAL_INPUT.scopesBlock]?.[APPROVAL_INPUT.scopesAction]?.selected_options ?? []).flatMap((o) =>
      o ? [o.value] : [],
    );
    const checked = checkNarrowedScopes(request.scopes, selected);
    if ('error' in checked) return { error: checked.error };
    return { decision: { kind: 'approve', by, scopes: checked.scopes } };
  });
