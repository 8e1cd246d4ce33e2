import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { openTestRedis, startTestBot, type TestBot } from '../support/test-bot.js';
import { blockActionsPayload } from '../support/slack-requests.js';
import { daysFromNow, REMINDERS_ANY_TIME } from '../support/flows.js';
import { ACTION } from '../../src/blocks/ids.js';
import { digestActionsBlockId } from '../../src/blocks/reminders.js';
import { createKeys } from '../../src/store/keys.js';
import { RequestStore } from '../../src/store/requests.js';
import { TokenStore } from '../../src/store/tokens.js';
import { createTokenId } from '../../src/domain/record-ids.js';
import type { TokenRecord } from '../../src/domain/types.js';

/*
 * REMINDER_DIGEST (on by default): several reminders due for one person in the same local hour
 * arrive as one DM with a line (and buttons) per token, each (token, threshold) exactly once.
 */

const ALWAYS = REMINDERS_ANY_TIME;

let t: TestBot;
let redis: Redis;
let store: TokenStore;
let seq = 0;

beforeAll(async () => {
  t = await startTestBot({ name: 'digest', env: ALWAYS });
  redis = openTestRedis();
  const keys = createKeys(t.prefix);
  store = new TokenStore(redis, keys, new RequestStore(redis, keys));
});
afterAll(async () => {
  redis.disconnect();
  await t.stop();
});

/** Three tokens of one new owner, due now (7, 14 and 30 days left), recorded at once. */
async function threeDue(tag: string): Promise<{ owner: string; tokens: TokenRecord[] }> {
  const owner = `UDIG${tag}${++seq}`;
  const tokens = [7, 14, 30].map((days, i) => ({
    id: createTokenId(),
    ownerId: owner,
    name: `Digest token ${i + 1}`,
    scopes: ['read:repository:bitbucket'],
    expiresOn: daysFromNow(days),
    createdAt: Date.now(),
    status: 'active' as const,
  }));
  await Promise.all(tokens.map((tk) => store.create(tk, { at: tk.createdAt, type: 'recorded', by: owner })));
  return { owner, tokens };
}

const dmPosts = (owner: string) =>
  t.slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === owner && c.response['ok'] === true);

async function allReminded(tokens: readonly TokenRecord[]) {
  for (const tk of tokens) {
    await expect.poll(async () => (await store.get(tk.id))?.reminder?.last, { timeout: 20_000 }).toBeDefined();
  }
}

/** The DM as Slack holds it now (post plus every update). */
function storedDm(owner: string) {
  const post = dmPosts(owner)[0]!;
  return t.slack.message(owner, String(post.response['ts']))!;
}
const actionBlocks = (blocks: unknown) =>
  (blocks as Array<{ type: string; block_id?: string }>).filter((b) => b.type === 'actions').map((b) => b.block_id);

describe('reminder digest', () => {
  it('three tokens due in the same hour: one DM listing each with its buttons; a press updates only its own line', async () => {
    const { owner, tokens } = await threeDue('A');
    await allReminded(tokens);
    expect(dmPosts(owner)).toHaveLength(1);
    await expect.poll(() => actionBlocks(storedDm(owner).blocks).length, { timeout: 10_000 }).toBe(3);
    const dm = storedDm(owner);
    expect(String(dm.text)).toMatch(/3 of your Bitbucket API tokens need attention/);
    const body = JSON.stringify(dm.blocks);
    for (const tk of tokens) expect(body).toContain(tk.name);
    expect(body).toMatch(/in \*7 days\*/);
    expect(body).toMatch(/in \*30 days\*/);
    for (const tk of tokens) {
      expect((await store.history(tk.id)).filter((e) => e.type === 'reminded')).toHaveLength(1);
      expect((await store.get(tk.id))!.reminder!.copies).toEqual([
        expect.objectContaining({ to: owner, ts: dm.ts, d: expect.any(String) }),
      ]);
    }

    // Snooze the second token from its line.
    const second = tokens[1]!;
    const after = t.slack.calls.length;
    const res = await t.sender.interaction(
      blockActionsPayload({
        userId: owner,
        actionId: ACTION.reminderSnooze,
        blockId: digestActionsBlockId(second.id),
        value: second.id,
        message: { ts: dm.ts, blocks: dm.blocks },
        channelId: dm.channel,
        responseUrl: `${t.slack.origin}/response/digest`,
      }),
    );
    expect(res.status).toBe(200);
    const update = await t.slack.waitForCall('chat.update', (c) => JSON.stringify(c.args['blocks']).includes('snoozed this reminder'), {
      after,
      timeoutMs: 10_000,
    });
    expect(update.args['ts']).toBe(dm.ts);
    // Lines are in the order their deliveries got to them; only the pressed one lost its buttons.
    expect(actionBlocks(update.args['blocks']).sort()).toEqual(
      [digestActionsBlockId(tokens[0]!.id), digestActionsBlockId(tokens[2]!.id)].sort(),
    );
    expect((await store.history(second.id)).at(-1)).toMatchObject({ type: 'snoozed', by: owner });
    expect(dmPosts(owner)).toHaveLength(1);
    expect(t.slack.violations).toEqual([]);
  });

  it('a failure between two digest lines (chat.update answered 500): nothing duplicated, nothing lost', async () => {
    t.slack.failNext('chat.update', { status: 500 });
    const { owner, tokens } = await threeDue('B');
    await allReminded(tokens);
    expect(t.slack.callsTo('chat.update').some((c) => c.status === 500)).toBe(true);
    expect(dmPosts(owner)).toHaveLength(1);
    await expect.poll(() => actionBlocks(storedDm(owner).blocks).length, { timeout: 10_000 }).toBe(3);
    const body = JSON.stringify(storedDm(owner).blocks);
    for (const tk of tokens) {
      expect(body.split(tk.name).length - 1).toBe(1);
      expect((await store.history(tk.id)).filter((e) => e.type === 'reminded')).toHaveLength(1);
    }
    const digestKeys = await redis.keys(`${t.prefix}:digest:${owner}:*`);
    expect(digestKeys).toHaveLength(1);
    const digest = JSON.parse((await redis.get(digestKeys[0]!))!) as { lines: Array<{ t: string }> };
    expect(digest.lines.map((l) => l.t).sort()).toEqual(tokens.map((tk) => tk.id).sort());
  });

  it('a failure of the first post (503: maybe posted, maybe not): the retry finds or posts it once, with every line', async () => {
    t.slack.failNext('chat.postMessage', { status: 503 });
    const { owner, tokens } = await threeDue('C');
    await allReminded(tokens);
    expect(dmPosts(owner)).toHaveLength(1);
    await expect.poll(() => actionBlocks(storedDm(owner).blocks).length, { timeout: 10_000 }).toBe(3);
    for (const tk of tokens) expect((await store.history(tk.id)).filter((e) => e.type === 'reminded')).toHaveLength(1);
  });
});
