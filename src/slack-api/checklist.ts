import type { WebClient } from '@slack/web-api';
import { buildChecklistForRequest } from '../blocks/checklist.js';
import type { TokenRequest } from '../domain/types.js';
import type { MessageMark } from './message-marks.js';

/** Marks a checklist DM with its request, so a retry can tell whether it was delivered. */
export const checklistMark = (requestId: string): MessageMark => ({
  event_type: 'btb_checklist',
  event_payload: { request_id: requestId },
});

/** DMs the requester their personalised setup checklist for an approved request. */
export async function sendChecklist(client: WebClient, request: TokenRequest, approvedNote?: string): Promise<void> {
  const message = buildChecklistForRequest(request, approvedNote);
  // Blocks as JSON text: handed objects, @slack/web-api walks them twice more (see viewJson in modals.ts).
  await client.apiCall('chat.postMessage', {
    channel: request.requesterId,
    text: message.text,
    blocks: JSON.stringify(message.blocks),
    metadata: checklistMark(request.id),
  });
}
