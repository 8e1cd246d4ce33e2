import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../support/test-bot.js';
import { blockActionsPayload, input, viewSubmissionPayload, type StateValues } from '../support/slack-requests.js';
import { daysFromNow, openRequestModal, requestState, submitRequest, waitForChecklist } from '../support/flows.js';
import type { StoredView } from '../support/fake-slack.js';
import {
  ADVISOR_ACTION,
  ADVISOR_BLOCK,
  CALLBACK,
  RECORD_ACTION,
  RECORD_BLOCK,
  REQUEST_ACTION,
  REQUEST_BLOCK,
} from '../../src/blocks/ids.js';
import { adviseScopes, capabilitiesByGroup } from '../../src/domain/capabilities.js';
import { adviseOperations, splitOperationCalls } from '../../src/domain/scope-advisor.js';

/**
 * The Slack half of the scope advisor (issue 12), end to end: the advisor pushed on the request
 * modal, the `scopes` sub-command, and the notices about a write scope without its read scope.
 */

let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ name: 'scope-advisor', env: { APPROVAL_POLICY: 'none' } });
});
afterAll(async () => {
  await t.stop();
});

type Block = {
  type: string;
  block_id?: string;
  text?: { text: string };
  element?: { type?: string; initial_value?: string; initial_options?: Array<{ value: string }>; options?: Array<{ value: string }> };
  elements?: Array<{ action_id?: string }>;
};
const blocksOf = (view: Record<string, unknown> | undefined): Block[] => (view?.['blocks'] ?? []) as Block[];
const revised = (base: string) => (b: Block) => b.block_id === base || new RegExp(`^${base}-\\d+$`).test(b.block_id ?? '');

/** state.values of the advisor with `ids` ticked, shaped as Slack sends checkboxes. */
function advisorState(ids: readonly string[]): StateValues {
  return Object.fromEntries(
    capabilitiesByGroup().map(({ capabilities }, i) => [
      `${ADVISOR_BLOCK.groupPrefix}${i}`,
      { [ADVISOR_ACTION.capabilities]: input.checkboxes(capabilities.filter((c) => ids.includes(c.id)).map((c) => c.id)) },
    ]),
  );
}

/** Scope names shown in the advisor's live section. */
function liveScopes(view: Record<string, unknown> | undefined): string[] {
  const result = blocksOf(view).find((b) => b.block_id === ADVISOR_BLOCK.result);
  const firstLine = (result?.text?.text ?? '').split('\n')[0] ?? '';
  return [...firstLine.matchAll(/`([a-z-]+:[a-z-]+:bitbucket)`/g)].map((m) => m[1]!);
}

/** Presses "Help me choose scopes" in `root` with `typed` in its fields; returns the pushed advisor. */
async function openAdvisor(root: StoredView, userId: string, typed: StateValues): Promise<StoredView> {
  const after = t.slack.calls.length;
  const res = await t.sender.interaction(
    blockActionsPayload({
      userId,
      actionId: REQUEST_ACTION.openAdvisor,
      blockId: REQUEST_BLOCK.advisor,
      value: 'open',
      view: root,
      state: { values: typed },
    }),
  );
  expect(res.status).toBe(200);
  const push = await t.slack.waitForCall('views.push', (c) => c.response['ok'] === true, { after });
  const id = (push.response['view'] as StoredView).id;
  // As Slack does for a pushed view: the root of its stack is the request modal.
  return { ...t.slack.views.get(id)!, root_view_id: root.id, previous_view_id: root.id };
}

/** Ticks `ids` in the advisor (one checkboxes action) and waits for the re-rendered advisor. */
async function tick(advisor: StoredView, userId: string, ids: string[]): Promise<StoredView> {
  const after = t.slack.calls.length;
  const values = advisorState(ids);
  const res = await t.sender.interaction(
    blockActionsPayload({
      userId,
      actionId: ADVISOR_ACTION.capabilities,
      blockId: `${ADVISOR_BLOCK.groupPrefix}0`,
      actionType: 'checkboxes',
      selectedOptions: ids.map((value) => ({ value })),
      view: advisor,
      state: { values },
    }),
  );
  expect(res.status).toBe(200);
  await t.slack.waitForCall('views.update', (c) => c.args['view_id'] === advisor.id && c.response['ok'] === true, { after });
  return { ...t.slack.views.get(advisor.id)!, root_view_id: advisor['root_view_id'], previous_view_id: advisor['previous_view_id'] };
}

describe('scope advisor in the request modal', () => {
  it('has a "Help me choose scopes" button next to the scopes', async () => {
    const root = await openRequestModal(t, 'UADV0');
    const blocks = blocksOf(root);
    const scopesAt = blocks.findIndex(revised(REQUEST_BLOCK.scopes));
    const button = blocks[scopesAt + 1];
    expect(button?.type).toBe('actions');
    expect(button?.block_id).toBe(REQUEST_BLOCK.advisor);
    expect(button?.elements?.[0]?.action_id).toBe(REQUEST_ACTION.openAdvisor);
  });

  it('pushes the advisor, shows the minimal scopes live, and "Use these scopes" puts exactly them in the form, typed input kept', async () => {
    const userId = 'UADV1';
    const root = await openRequestModal(t, userId);
    const typed = requestState({
      presetId: 'custom',
      name: 'Acme CI reader',
      expiresOn: daysFromNow(30),
      scopes: ['read:repository:bitbucket'],
      workspace: 'acme',
      purpose: 'Builds pull requests and reports their status',
    });
    const advisor = await openAdvisor(root, userId, typed);
    expect(advisor['callback_id']).toBe(CALLBACK.advisorModal);
    expect(liveScopes(advisor)).toEqual([]);

    const ids = ['pr-read', 'pr-comment', 'build-status', 'git-clone'];
    const scopes = adviseScopes(ids);
    expect(scopes.length).toBeGreaterThan(1);
    const live = await tick(advisor, userId, ids);
    expect(liveScopes(live)).toEqual(scopes);
    // Each scope is shown with what needs it.
    const perScope = blocksOf(live).filter((b) => b.type === 'section' && b.block_id !== ADVISOR_BLOCK.result);
    expect(perScope.map((b) => /`([a-z-]+:[a-z-]+:bitbucket)`/.exec(b.text!.text)?.[1])).toEqual(scopes);
    expect(perScope.every((b) => /(GET|POST|PUT|DELETE) \//.test(b.text!.text) || /git clone/.test(b.text!.text))).toBe(true);

    const rootUpdatesBefore = t.slack.callsTo('views.update').filter((c) => c.args['view_id'] === root.id).length;
    const res = await t.sender.interaction(viewSubmissionPayload({ userId, view: live, values: advisorState(ids) }));
    expect(res.status).toBe(200);
    // A plain ack closes only the pushed advisor; the request modal below was updated first.
    expect(res.text).toBe('');
    const rootUpdates = t.slack.callsTo('views.update').filter((c) => c.args['view_id'] === root.id && c.response['ok'] === true);
    expect(rootUpdates.length).toBe(rootUpdatesBefore + 1);

    const updated = blocksOf(t.slack.views.get(root.id));
    const scopeBlock = updated.find(revised(REQUEST_BLOCK.scopes))!;
    expect(scopeBlock.block_id).not.toBe(REQUEST_BLOCK.scopes); // revision bumped: Slack shows the new selection
    expect(scopeBlock.element!.initial_options!.map((o) => o.value).sort()).toEqual([...scopes].sort());
    const nameBlock = updated.find(revised(REQUEST_BLOCK.name))!;
    expect(nameBlock.element!.initial_value).toBe('Acme CI reader');
    expect(updated.find(revised(REQUEST_BLOCK.workspace))!.element!.initial_value).toBe('acme');
    expect(updated.find(revised(REQUEST_BLOCK.purpose))!.element!.initial_value).toBe('Builds pull requests and reports their status');
    expect(updated.find(revised(REQUEST_BLOCK.expiry))!.element).toMatchObject({ initial_date: daysFromNow(30) });
    expect(t.slack.violations).toEqual([]);
  });

  it('asks for at least one capability, and refuses a submission from someone else or for another form', async () => {
    const root = await openRequestModal(t, 'UADV2');
    const advisor = await openAdvisor(root, 'UADV2', requestState({ name: 'x' }));
    const rootUpdates = () => t.slack.callsTo('views.update').filter((c) => c.args['view_id'] === root.id).length;
    const before = rootUpdates();

    const empty = await t.sender.interaction(viewSubmissionPayload({ userId: 'UADV2', view: advisor, values: advisorState([]) }));
    expect((empty.json() as { response_action: string }).response_action).toBe('errors');

    const stranger = await t.sender.interaction(
      viewSubmissionPayload({ userId: 'USTRANGER', view: advisor, values: advisorState(['pr-read']) }),
    );
    expect((stranger.json() as { response_action: string }).response_action).toBe('errors');

    const otherStack = { ...advisor, root_view_id: 'V999999999' };
    const tampered = await t.sender.interaction(
      viewSubmissionPayload({ userId: 'UADV2', view: otherStack, values: advisorState(['pr-read']) }),
    );
    expect((tampered.json() as { response_action: string }).response_action).toBe('errors');

    const garbled = await t.sender.interaction(
      viewSubmissionPayload({
        userId: 'UADV2',
        view: advisor,
        privateMetadata: '{"rootViewId":"nope"}',
        values: advisorState(['pr-read']),
      }),
    );
    expect((garbled.json() as { response_action: string }).response_action).toBe('errors');
    expect(rootUpdates()).toBe(before);
  });
});

describe('/bitbucket-token scopes', () => {
  it('answers ephemerally with the minimal scopes and the operations needing each', async () => {
    const text =
      'scopes GET https://api.bitbucket.org/2.0/repositories/acme/web/pullrequests?state=OPEN, POST /repositories/acme/web/pullrequests/7/comments\n' +
      'POST /2.0/repositories/acme/web/commit/0a1b2c3d/statuses/build';
    const expected = adviseOperations(splitOperationCalls(text.slice('scopes'.length)));
    expect(expected.ok).toBe(true);
    if (!expected.ok) return;
    const res = await t.sender.command({ user_id: 'USC1', text });
    expect(res.status).toBe(200);
    const body = res.json() as { response_type: string; text: string; blocks: Block[] };
    expect(body.response_type).toBe('ephemeral');
    const shown = [...(body.blocks[0]?.text?.text ?? '').matchAll(/`([a-z-]+:[a-z-]+:bitbucket)`/g)].map((m) => m[1]);
    expect(shown).toEqual(expected.scopes);
    const why = body.blocks.map((b) => b.text?.text ?? '').join('\n');
    for (const reason of expected.reasons) {
      expect(why).toContain(`\`${reason.scope}\`* is needed by`);
      for (const op of reason.operations) expect(why).toContain(`${op.method} ${op.path}`);
    }
  });

  it('names a call it cannot match and advises no scope at all', async () => {
    const res = await t.sender.command({
      user_id: 'USC1',
      text: 'scopes GET /repositories/acme/web/pullrequests GET /repositories/acme/web/no-such-thing',
    });
    const body = res.json() as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('GET /repositories/acme/web/no-such-thing');
    expect(body.text).not.toMatch(/:bitbucket/);
    expect(res.text).not.toContain('read:pullrequest');
  });

  it('explains itself when given no call, and is in the help', async () => {
    const usage = (await t.sender.command({ user_id: 'USC1', text: 'scopes' })).json() as { response_type: string; text: string };
    expect(usage.response_type).toBe('ephemeral');
    expect(usage.text).toMatch(/scopes GET/);
    const help = (await t.sender.command({ user_id: 'USC1', text: 'help' })).json() as { text: string };
    expect(help.text).toContain('/bitbucket-token scopes');
  });
});

describe('scope notices', () => {
  const notice = 'write:pipeline:bitbucket without read:pipeline:bitbucket';

  it('accepts a write scope without its read scope and says what the token lacks, in the confirmation and the checklist', async () => {
    const after = t.slack.calls.length;
    const res = await submitRequest(
      t,
      'UNOTE1',
      requestState({ presetId: 'custom', name: 'Pipeline stopper', expiresOn: daysFromNow(30), scopes: ['write:pipeline:bitbucket'] }),
    );
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const checklist = await waitForChecklist(t, 'UNOTE1', after);
    expect(JSON.stringify(checklist.args['blocks'])).toContain(notice);
    const confirmation = await t.slack.waitForCall('response_url', (c) => String(c.args['text']).includes('Pipeline stopper'), { after });
    expect(String(confirmation.args['text'])).toContain(notice);
    expect(t.slack.violations).toEqual([]);
  });

  it('says the same when recording an existing token', async () => {
    const after = t.slack.calls.length;
    const values: StateValues = {
      [RECORD_BLOCK.name]: { [RECORD_ACTION.name]: input.text('Recorded pipeline stopper') },
      [RECORD_BLOCK.scopes]: { [RECORD_ACTION.scopes]: input.multi(['write:pipeline:bitbucket']) },
      [RECORD_BLOCK.expiry]: { [RECORD_ACTION.expiry]: input.date(daysFromNow(60)) },
      [RECORD_BLOCK.workspace]: { [RECORD_ACTION.workspace]: input.text(null) },
    };
    const res = await t.sender.interaction(viewSubmissionPayload({ userId: 'UNOTE2', callbackId: CALLBACK.recordModal, values }));
    expect(res.text).toBe('');
    const dm = await t.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'UNOTE2', { after });
    expect(JSON.stringify(dm.args['blocks'])).toContain(notice);
  });
});
