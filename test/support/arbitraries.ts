import fc from 'fast-check';
import {
  ACTION,
  APPROVAL_INPUT,
  BLOCK,
  CALLBACK,
  COMMAND,
  RECORD_ACTION,
  RECORD_BLOCK,
  REQUEST_ACTION,
  REQUEST_BLOCK,
  ROTATED_ACTION,
  ROTATED_BLOCK,
} from '../../src/blocks/ids.js';
import { PRESETS } from '../../src/domain/presets.js';
import { SCOPES } from '../../src/domain/scopes.js';
import { newTriggerId } from './slack-requests.js';

/**
 * fast-check arbitraries for everything Slack (or someone holding a stolen signing secret)
 * can send the bot: slash-command bodies, view_submission state.values, block_actions
 * payloads, and bodies that are not well-formed at all. Shared by the reliability tests;
 * new entry points (approvals, reminders, App Home) reuse the building blocks below.
 *
 * Payload builders take a `ctx` so generated payloads can point response_url at the fake
 * Slack (never at the internet) and reuse real record ids some of the time.
 */

export interface PayloadContext {
  /** Fake Slack origin, e.g. http://127.0.0.1:PORT: response_urls land here. */
  slackOrigin: string;
  /** Record ids that exist in Redis, so some tampered payloads hit real records. */
  requestIds?: readonly string[];
  /** Users the generated payloads act as (a mix of owners and strangers). */
  userIds?: readonly string[];
  /** Token ids that exist in Redis, for reminder buttons and the rotated modal. */
  tokenIds?: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// values

/** A token-shaped secret (src/domain/secrets.ts matches the ATATT3 prefix plus 10+ chars). */
export const atlassianToken = (): fc.Arbitrary<string> =>
  fc
    .string({
      unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-='.split('')),
      minLength: 12,
      maxLength: 190,
    })
    .map((rest) => `ATATT3${rest}`);

/** Strings that tend to break things: control characters, bidi marks, emoji, markup, injections. */
const NASTY = [
  '',
  ' ',
  '\u0000',
  '\n\r\t',
  '\u2028\u2029',
  '\u202eevil\u202c',
  '\ud83d\ude00\ud83d\udc69\u200d\ud83d\udcbb',
  '\ud800', // lone surrogate
  'Ω≈ç√∫˜µ≤≥÷',
  '田中さんにあげて下さい',
  '<!channel> <@U1> <#C1> *bold* _x_ `code`',
  '<script>alert(1)</script>',
  '"; DROP TABLE tokens; --',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell-style probe, meant literally.
  '${jndi:ldap://x}',
  '../../../../etc/passwd',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '{"a":1}',
  '%s%s%n',
  'btb:request:*',
];

/** Any string a user could type or a tamperer could put in a field. */
export const nastyString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.constantFrom(...NASTY) },
    { weight: 1, arbitrary: hugeString() },
    { weight: 1, arbitrary: atlassianToken() },
  );

/** Strings past every Slack and Block Kit length limit (up to 20k characters). */
export const hugeString = (): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(101, 256, 2001, 3001, 4001, 20_000), fc.constantFrom('x', 'é', '\ud83d\ude00', 'ab1'))
    .map(([n, c]) => c.repeat(Math.ceil(n / c.length)));

/** Any JSON value, including wrong types where a string is expected. */
export const wrongType = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constant(null),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  );

/** A string or anything else: for fields that should be strings. */
export const anyField = (): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 4, arbitrary: nastyString() }, { weight: 1, arbitrary: wrongType() });

/** Dates in every format people and clients produce, valid and not. */
export const dateString = (): fc.Arbitrary<string> =>
  fc.oneof(
    // valid ISO days, near and far
    fc.date({ min: new Date('1970-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    fc.integer({ min: -30, max: 800 }).map((days) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)),
    // other notations of real days
    fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-12-31'), noInvalidDate: true })
      .chain((d) =>
        fc.constantFrom(
          d.toISOString(),
          d.toUTCString(),
          d.toString(),
          d.toLocaleDateString('en-US'),
          d.toLocaleDateString('de-DE'),
          d.toISOString().slice(0, 10).replaceAll('-', '/'),
          d.toISOString().slice(0, 10).replaceAll('-', ''),
          String(d.getTime()),
          String(Math.floor(d.getTime() / 1000)),
          `${d.getUTCDate()}/${d.getUTCMonth() + 1}/${d.getUTCFullYear()}`,
          ` ${d.toISOString().slice(0, 10)} `,
          `${d.toISOString().slice(0, 10)}\n`,
        ),
      ),
    // impossible or edge days
    fc.constantFrom(
      '2026-02-29',
      '2028-02-30',
      '2026-13-01',
      '2026-00-10',
      '2026-04-31',
      '0000-01-01',
      '9999-12-31',
      '-001-01-01',
      '+02026-01-01',
      '2026-1-1',
      '٢٠٢٦-٠١-٠١',
      '２０２６-０１-０１',
      'tomorrow',
      'next year',
      '',
    ),
    nastyString(),
  );

const KNOWN_SCOPES = SCOPES.map((s) => s.name);

/** One scope value: known, unknown, almost-known, or garbage. */
export const scopeValue = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...KNOWN_SCOPES) },
    { weight: 1, arbitrary: fc.constantFrom(...KNOWN_SCOPES).map((s) => s.toUpperCase()) },
    { weight: 1, arbitrary: fc.constantFrom(...KNOWN_SCOPES).map((s) => ` ${s} `) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'read:everything:bitbucket',
        'admin:*:bitbucket',
        'read:repository:github',
        'write:jira-work',
        'read:repository',
      ),
    },
    { weight: 1, arbitrary: nastyString() },
  );

/** A list of scopes with duplicates, unknowns and holes. */
export const scopeList = (): fc.Arbitrary<unknown[]> =>
  fc.oneof(
    fc.array(scopeValue(), { maxLength: 8 }),
    fc.array(fc.constantFrom(...KNOWN_SCOPES), { minLength: 1, maxLength: 4 }).map((xs) => [...xs, ...xs]),
    fc.array(fc.oneof(scopeValue(), fc.constant(null), wrongType()), { maxLength: 6 }),
    fc.constant(KNOWN_SCOPES),
  );

export const presetValue = (): fc.Arbitrary<string> =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...PRESETS.map((p) => p.id)) }, { weight: 1, arbitrary: nastyString() });

/** Slack user ids: plausible ones, and things that are not user ids at all. */
export const userIdFor = (ctx: PayloadContext): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...(ctx.userIds ?? ['U1', 'U2', 'UFUZZ01'])) },
    { weight: 1, arbitrary: fc.stringMatching(/^[UW][A-Z0-9]{1,20}$/) },
    { weight: 1, arbitrary: anyField() },
  );

/** An option as Slack sends it in selected_option(s), sometimes tampered. */
const selectedOption = (value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 5, arbitrary: value.map((v) => ({ text: { type: 'plain_text', text: String(v).slice(0, 75), emoji: true }, value: v })) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: wrongType() },
  );

// ---------------------------------------------------------------------------------------------
// state.values

/** One state.values entry of the right type with generated contents. */
const entryFor = {
  text: () => fc.record({ type: fc.constant('plain_text_input'), value: fc.oneof(nastyString(), fc.constant(null)) }),
  date: () => fc.record({ type: fc.constant('datepicker'), selected_date: fc.oneof(dateString(), fc.constant(null)) }),
  select: (v: fc.Arbitrary<unknown>) => fc.record({ type: fc.constant('static_select'), selected_option: selectedOption(v) }),
  multi: () =>
    fc.record({
      type: fc.constant('multi_static_select'),
      selected_options: fc.oneof(
        scopeList().map((xs) => xs.map((v) => ({ text: { type: 'plain_text', text: 'x' }, value: v }))),
        fc.constant(null),
        wrongType(),
      ),
    }),
};

/** An entry of any element type (or no valid shape at all): wrong element types per field. */
const anyEntry = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    entryFor.text(),
    entryFor.date(),
    entryFor.select(nastyString()),
    entryFor.multi(),
    fc.record(
      {
        type: fc.constantFrom('users_select', 'checkboxes', 'timepicker', 'rich_text_input'),
        selected_user: anyField(),
        selected_time: anyField(),
      },
      { requiredKeys: ['type'] },
    ),
    wrongType(),
  );

/** A block id of the request modal as the bot builds it (`token_name`, `token_name-3`), or a stranger. */
const blockIdFor = (base: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(base) },
    { weight: 1, arbitrary: fc.nat(1000).map((n) => `${base}-${n}`) },
    { weight: 1, arbitrary: fc.constantFrom(`${base}-x`, `${base}-`, `${base}--1`, base.toUpperCase(), `${base}-99999999999999999999`) },
  );

/**
 * state.values of the request modal: each field present with the right element (mostly),
 * a wrong element type, a missing block, a missing action, or extra junk blocks.
 */
/** One field of a modal's state: mostly right, sometimes the wrong element, action or nothing. */
const stateField = (base: string, actionId: string, right: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.tuple(blockIdFor(base), right).map(([b, e]) => [[b, { [actionId]: e }]] as Array<[string, unknown]>) },
    { weight: 1, arbitrary: fc.tuple(blockIdFor(base), anyEntry()).map(([b, e]) => [[b, { [actionId]: e }]] as Array<[string, unknown]>) },
    {
      weight: 1,
      arbitrary: fc.tuple(blockIdFor(base), nastyString(), anyEntry()).map(([b, a, e]) => [[b, { [a]: e }]] as Array<[string, unknown]>),
    },
    { weight: 1, arbitrary: fc.constant([] as Array<[string, unknown]>) },
  );

/** Junk blocks appended to a state. */
const junkBlocks = () =>
  fc.array(fc.tuple(nastyString(), fc.oneof(fc.dictionary(nastyString(), anyEntry(), { maxKeys: 2 }), wrongType())), { maxLength: 2 });

/** state.values from some fields plus junk blocks. */
const stateOf = (...fields: Array<fc.Arbitrary<Array<[string, unknown]>>>): fc.Arbitrary<Record<string, unknown>> =>
  fc.tuple(...fields, junkBlocks()).map((parts) => Object.fromEntries(parts.flat() as Array<[string, unknown]>));

export const requestStateValues = (): fc.Arbitrary<Record<string, unknown>> => {
  const field = stateField;
  return fc
    .tuple(
      field(REQUEST_BLOCK.preset, REQUEST_ACTION.preset, entryFor.select(presetValue())),
      field(REQUEST_BLOCK.name, REQUEST_ACTION.name, entryFor.text()),
      field(REQUEST_BLOCK.expiry, REQUEST_ACTION.expiry, entryFor.date()),
      field(REQUEST_BLOCK.scopes, REQUEST_ACTION.scopes, entryFor.multi()),
      field(REQUEST_BLOCK.workspace, REQUEST_ACTION.workspace, entryFor.text()),
      field(REQUEST_BLOCK.purpose, REQUEST_ACTION.purpose, entryFor.text()),
      fc.array(fc.tuple(nastyString(), fc.oneof(fc.dictionary(nastyString(), anyEntry(), { maxKeys: 2 }), wrongType())), { maxLength: 2 }),
    )
    .map(([...parts]) => Object.fromEntries(parts.flat() as Array<[string, unknown]>));
};

/** private_metadata: what the bot wrote, tampered JSON, or junk. */
export const privateMetadata = (ctx: PayloadContext): fc.Arbitrary<unknown> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .record(
          {
            channelId: fc.oneof(fc.constant('C1'), fc.stringMatching(/^[CDG][A-Z0-9]{2,12}$/), anyField()),
            responseUrl: fc.oneof(responseUrl(ctx), anyField()),
            renewsTokenId: fc.oneof(fc.stringMatching(/^t[a-z2-7]{16}$/), anyField()),
            revision: fc.oneof(fc.nat(1000), wrongType()),
          },
          { requiredKeys: [] },
        )
        .map((m) => JSON.stringify(m)),
    },
    { weight: 1, arbitrary: nastyString() },
    { weight: 1, arbitrary: wrongType() },
  );

/**
 * response_urls the bot may call: always the fake Slack or a closed local port, so a fuzz
 * run never reaches the internet.
 */
export const responseUrl = (ctx: PayloadContext): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.stringMatching(/^[a-z0-9]{1,12}$/).map((p) => `${ctx.slackOrigin}/response/${p}`) },
    { weight: 1, arbitrary: fc.constantFrom('http://127.0.0.1:1/response/x', 'not a url', 'javascript:alert(1)', '') },
  );

// ---------------------------------------------------------------------------------------------
// whole payloads

/** A view_submission of one modal: generated state and metadata, sometimes another callback id or a broken view. */
export const viewSubmissionFor = (
  ctx: PayloadContext,
  o: { callbackId: string; values: fc.Arbitrary<Record<string, unknown>>; metadata: fc.Arbitrary<unknown> },
): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record({
      userId: userIdFor(ctx),
      values: o.values,
      metadata: o.metadata,
      viewId: fc.oneof({ weight: 5, arbitrary: fc.stringMatching(/^V[A-Z0-9]{8,10}$/) }, { weight: 1, arbitrary: anyField() }),
      hash: fc.oneof(fc.constant('1700000000.abcdef'), anyField()),
      callbackId: fc.oneof({ weight: 9, arbitrary: fc.constant(o.callbackId) }, { weight: 1, arbitrary: nastyString() }),
      breakView: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: wrongType() }),
      breakState: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: wrongType() }),
    })
    .map((p) => ({
      type: 'view_submission',
      team: { id: 'T1', domain: 'acme' },
      user: { id: p.userId, username: 'fuzz', name: 'fuzz', team_id: 'T1' },
      api_app_id: 'A1',
      token: 'verification-token',
      trigger_id: newTriggerId(),
      view:
        p.breakView !== undefined
          ? { callback_id: p.callbackId, ...(typeof p.breakView === 'object' ? p.breakView : { junk: p.breakView }) }
          : {
              id: p.viewId,
              team_id: 'T1',
              type: 'modal',
              callback_id: p.callbackId,
              hash: p.hash,
              private_metadata: p.metadata,
              state: p.breakState !== undefined ? p.breakState : { values: p.values },
            },
    }));

/** A view_submission of the request modal. */
export const viewSubmissionBody = (ctx: PayloadContext): fc.Arbitrary<Record<string, unknown>> =>
  viewSubmissionFor(ctx, { callbackId: CALLBACK.requestModal, values: requestStateValues(), metadata: privateMetadata(ctx) });

/** Form fields of `/bitbucket-token` with generated text and tampered ids. */
export const slashCommandFields = (ctx: PayloadContext): fc.Arbitrary<Record<string, string>> =>
  fc
    .record(
      {
        text: fc.oneof(
          { weight: 2, arbitrary: nastyString() },
          { weight: 1, arbitrary: fc.constantFrom('help', 'HELP', '?', 'deeptraq', 'DeepTraQ', 'renovate', 'ci', 'Snyk', ' help ') },
        ),
        user_id: userIdFor(ctx).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))),
        channel_id: fc.oneof({ weight: 4, arbitrary: fc.constant('C1') }, { weight: 1, arbitrary: nastyString() }),
        response_url: responseUrl(ctx),
        trigger_id: fc.oneof({ weight: 8, arbitrary: fc.constant('fresh') }, { weight: 1, arbitrary: nastyString() }),
        user_name: nastyString(),
        channel_name: nastyString(),
        team_domain: nastyString(),
        command: fc.oneof({ weight: 9, arbitrary: fc.constant(COMMAND) }, { weight: 1, arbitrary: nastyString() }),
      },
      { requiredKeys: ['command'] },
    )
    .map((f) => ({
      team_id: 'T1',
      api_app_id: 'A1',
      ...f,
      // Fresh per payload so the fake's 3 s trigger rule is not what the test measures.
      ...(f.trigger_id === 'fresh' ? { trigger_id: newTriggerId() } : {}),
    }));

export interface BlockActionsArbOptions {
  actionId: string;
  blockId: string;
  /** The button value / selected option the action normally carries. */
  value: fc.Arbitrary<unknown>;
  /** Whether the action happens in a view (modal) rather than a message. */
  inView?: boolean;
}

/** block_actions payloads for one action id, with tampered values, users, messages and ids. */
export const blockActionsBody = (ctx: PayloadContext, o: BlockActionsArbOptions): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record({
      userId: userIdFor(ctx),
      value: o.value,
      actionId: fc.oneof({ weight: 12, arbitrary: fc.constant(o.actionId) }, { weight: 1, arbitrary: nastyString() }),
      actionType: fc.constantFrom('button', 'static_select', 'overflow', 'datepicker'),
      channelId: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('C1', 'DU1') }, { weight: 1, arbitrary: anyField() }),
      ts: fc.oneof({ weight: 4, arbitrary: fc.constant('1700000000.000100') }, { weight: 1, arbitrary: anyField() }),
      blocks: fc.oneof(
        fc.constant([
          { type: 'section', block_id: 'checklist_intro', text: { type: 'mrkdwn', text: 'Here is how' } },
          { type: 'actions', block_id: BLOCK.checklistActions, elements: [] },
        ]),
        fc.array(fc.dictionary(nastyString(), anyField(), { maxKeys: 3 }), { maxLength: 3 }),
        wrongType(),
      ),
      responseUrl: responseUrl(ctx),
      state: fc.oneof(
        requestStateValues().map((values) => ({ values })),
        wrongType(),
      ),
      metadata: privateMetadata(ctx),
      viewId: fc.oneof({ weight: 5, arbitrary: fc.stringMatching(/^V[A-Z0-9]{8,10}$/) }, { weight: 1, arbitrary: anyField() }),
      extraActions: fc.array(fc.dictionary(nastyString(), anyField(), { maxKeys: 3 }), { maxLength: 2 }),
      dropActions: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    })
    .map((p) => {
      const action: Record<string, unknown> = {
        action_id: p.actionId,
        block_id: o.blockId,
        type: p.actionType,
        action_ts: '1700000000.000200',
      };
      if (p.actionType === 'static_select') action['selected_option'] = { text: { type: 'plain_text', text: 'x' }, value: p.value };
      else action['value'] = p.value;
      const base: Record<string, unknown> = {
        type: 'block_actions',
        user: { id: p.userId, username: 'fuzz', name: 'fuzz', team_id: 'T1' },
        api_app_id: 'A1',
        token: 'verification-token',
        trigger_id: newTriggerId(),
        team: { id: 'T1', domain: 'acme' },
        actions: p.dropActions ? [] : [action, ...p.extraActions],
      };
      if (o.inView) {
        return {
          ...base,
          container: { type: 'view', view_id: p.viewId },
          view: {
            id: p.viewId,
            type: 'modal',
            callback_id: CALLBACK.requestModal,
            hash: '1700000000.abcdef',
            private_metadata: p.metadata,
            state: p.state,
          },
          state: p.state,
        };
      }
      return {
        ...base,
        container: { type: 'message', message_ts: p.ts, channel_id: p.channelId, is_ephemeral: false },
        channel: { id: p.channelId, name: 'general' },
        message: { type: 'message', user: 'UBOT', text: '', ts: p.ts, blocks: p.blocks },
        state: p.state,
        response_url: p.responseUrl,
      };
    });

/** A record-token button value: a real request id, a well-formed unknown one, or junk. */
export const recordButtonValue = (ctx: PayloadContext): fc.Arbitrary<unknown> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: ctx.requestIds && ctx.requestIds.length > 0 ? fc.constantFrom(...ctx.requestIds) : fc.constant('raaaaaaaaaaaaaaaa'),
    },
    { weight: 2, arbitrary: fc.stringMatching(/^r[a-z2-7]{16}$/) },
    { weight: 2, arbitrary: anyField() },
  );

/** Options for the request modal's preset select, tampered. */
export const presetSelectBody = (ctx: PayloadContext): fc.Arbitrary<Record<string, unknown>> =>
  blockActionsBody(ctx, { actionId: REQUEST_ACTION.preset, blockId: REQUEST_BLOCK.preset, value: presetValue(), inView: true });

export const recordTokenBody = (ctx: PayloadContext): fc.Arbitrary<Record<string, unknown>> =>
  blockActionsBody(ctx, { actionId: ACTION.recordToken, blockId: BLOCK.checklistActions, value: recordButtonValue(ctx) });

/** A token id as buttons carry it: a real one, a well-formed unknown one, or junk. */
export const tokenIdValue = (ctx: PayloadContext): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 3, arbitrary: ctx.tokenIds && ctx.tokenIds.length > 0 ? fc.constantFrom(...ctx.tokenIds) : fc.constant('taaaaaaaaaaaaaaaa') },
    { weight: 2, arbitrary: fc.stringMatching(/^t[a-z2-7]{16}$/) },
    { weight: 2, arbitrary: anyField() },
  );

/** The reminder DM's buttons (renew, rotated, no longer needed, snooze, adopt), tampered. */
export const reminderButtonBody = (ctx: PayloadContext): fc.Arbitrary<Record<string, unknown>> =>
  // One arbitrary per button, built once (fc.chain would rebuild them per sample: slow).
  fc.oneof(
    ...[ACTION.reminderRenew, ACTION.reminderRotated, ACTION.reminderRevoke, ACTION.reminderSnooze, ACTION.reminderAdopt].map((actionId) =>
      blockActionsBody(ctx, { actionId, blockId: BLOCK.reminderActions, value: tokenIdValue(ctx) }),
    ),
  );

/** Approval buttons (approve, approve fewer, reject on the parent; cancel, request again in the DM), tampered. */
export const approvalButtonBody = (ctx: PayloadContext): fc.Arbitrary<Record<string, unknown>> =>
  fc.oneof(
    ...(
      [
        [ACTION.approve, BLOCK.approvalActions],
        [ACTION.approveNarrowed, BLOCK.approvalActions],
        [ACTION.reject, BLOCK.approvalActions],
        [ACTION.cancelRequest, BLOCK.requesterActions],
        [ACTION.requestAgain, BLOCK.requesterActions],
      ] as const
    ).map(([actionId, blockId]) => blockActionsBody(ctx, { actionId, blockId, value: recordButtonValue(ctx) })),
  );

/** The App Home buttons, pressed in a (tampered) view. */
export const homeButtonBody = (ctx: PayloadContext): fc.Arbitrary<Record<string, unknown>> =>
  fc.oneof(
    ...[ACTION.homeNewRequest, ACTION.homeRecordExisting].map((actionId) =>
      blockActionsBody(ctx, { actionId, blockId: BLOCK.homeActions, value: nastyString(), inView: true }),
    ),
  );

/** The "record an existing token" modal submitted with generated fields. */
export const recordSubmissionBody = (ctx: PayloadContext): fc.Arbitrary<Record<string, unknown>> =>
  viewSubmissionFor(ctx, {
    callbackId: CALLBACK.recordModal,
    values: stateOf(
      stateField(RECORD_BLOCK.name, RECORD_ACTION.name, entryFor.text()),
      stateField(RECORD_BLOCK.scopes, RECORD_ACTION.scopes, entryFor.multi()),
      stateField(RECORD_BLOCK.expiry, RECORD_ACTION.expiry, entryFor.date()),
      stateField(RECORD_BLOCK.workspace, RECORD_ACTION.workspace, entryFor.text()),
    ),
    metadata: fc.oneof(fc.constant(''), nastyString(), wrongType()),
  });

/** The "Already rotated" modal: a new date, and private_metadata naming the token and message. */
export const rotatedSubmissionBody = (ctx: PayloadContext): fc.Arbitrary<Record<string, unknown>> =>
  viewSubmissionFor(ctx, {
    callbackId: CALLBACK.rotatedModal,
    values: stateOf(stateField(ROTATED_BLOCK.expiry, ROTATED_ACTION.expiry, entryFor.date())),
    metadata: fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .record(
            {
              tokenId: tokenIdValue(ctx),
              channel: fc.oneof(fc.constantFrom('DU1', 'C1'), anyField()),
              ts: fc.oneof(fc.constant('1700000000.000100'), anyField()),
            },
            { requiredKeys: [] },
          )
          .map((m) => JSON.stringify(m)),
      },
      { weight: 1, arbitrary: nastyString() },
      { weight: 1, arbitrary: wrongType() },
    ),
  });

/** The approvers' reject (reason) and approve-fewer (scopes) modals. */
export const approvalSubmissionBody = (ctx: PayloadContext): fc.Arbitrary<Record<string, unknown>> => {
  const metadata = fc.oneof(
    { weight: 4, arbitrary: fc.record({ requestId: recordButtonValue(ctx) }, { requiredKeys: [] }).map((m) => JSON.stringify(m)) },
    { weight: 2, arbitrary: recordButtonValue(ctx).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) },
    { weight: 1, arbitrary: wrongType() },
  );
  return fc.oneof(
    viewSubmissionFor(ctx, {
      callbackId: CALLBACK.rejectModal,
      values: stateOf(stateField(APPROVAL_INPUT.reasonBlock, APPROVAL_INPUT.reasonAction, entryFor.text())),
      metadata,
    }),
    viewSubmissionFor(ctx, {
      callbackId: CALLBACK.narrowModal,
      values: stateOf(stateField(APPROVAL_INPUT.scopesBlock, APPROVAL_INPUT.scopesAction, entryFor.multi())),
      metadata,
    }),
  );
};

/** Events API envelopes: app_home_opened and message events (the leak guard), tampered; some redelivered. */
export const eventBody = (ctx: PayloadContext): fc.Arbitrary<{ envelope: Record<string, unknown>; retryNum?: number }> => {
  const user = userIdFor(ctx);
  const homeOpened = fc.record(
    {
      type: fc.constant('app_home_opened'),
      user,
      channel: fc.oneof(fc.constant('DU1'), anyField()),
      tab: fc.oneof(fc.constantFrom('home', 'messages'), anyField()),
      event_ts: fc.oneof(fc.constant('1700000000.000100'), anyField()),
    },
    { requiredKeys: ['type'] },
  );
  const message = fc.record(
    {
      type: fc.constant('message'),
      subtype: fc.oneof(
        { weight: 6, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.constantFrom('thread_broadcast', 'file_share', 'message_changed', 'bot_message', 'channel_join') },
        { weight: 1, arbitrary: anyField() },
      ),
      user,
      bot_id: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant('B123') }),
      text: fc.oneof(
        nastyString(),
        atlassianToken().map((tk) => `here is my token ${tk} ok`),
        fc.array(atlassianToken(), { maxLength: 4 }).map((xs) => xs.join(' \n')),
      ),
      channel: fc.oneof(fc.constantFrom('C1', 'DU1', 'G1'), anyField()),
      channel_type: fc.constantFrom('channel', 'im', 'group'),
      ts: fc.oneof(
        fc.nat(999_999).map((n) => `1700000000.${String(n).padStart(6, '0')}`),
        anyField(),
      ),
      thread_ts: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: anyField() }),
    },
    { requiredKeys: ['type'] },
  );
  return fc
    .record({
      event: fc.oneof(homeOpened, message, wrongType()),
      retryNum: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }),
      eventId: fc.oneof({ weight: 6, arbitrary: fc.stringMatching(/^Ev[A-Z0-9]{8}$/) }, { weight: 1, arbitrary: anyField() }),
    })
    .map(({ event, retryNum, eventId }) => ({
      envelope: {
        token: 'verification-token',
        team_id: 'T1',
        api_app_id: 'A1',
        type: 'event_callback',
        event_id: eventId,
        event_time: 1_700_000_000,
        authorizations: [{ enterprise_id: null, team_id: 'T1', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
        event,
      },
      ...(retryNum !== undefined ? { retryNum } : {}),
    }));
};

// ---------------------------------------------------------------------------------------------
// bodies that are not well-formed

export interface RawBody {
  body: string;
  contentType: string;
}

/** Signed bodies that are malformed: broken JSON, non-object JSON, odd forms, binary. */
export const malformedBody = (): fc.Arbitrary<RawBody> => {
  const form = 'application/x-www-form-urlencoded';
  const json = 'application/json';
  const jsonText = fc.oneof(
    fc.constantFrom(
      'null',
      'true',
      '1',
      '"x"',
      '[]',
      '[1,2]',
      '{}',
      '{',
      '{"type":',
      '{"type":"block_actions"}',
      '{"type":"view_submission","view":null}',
      '{"type":"event_callback"}',
      '{"type":"event_callback","event":null}',
      '{"command":"/bitbucket-token"}',
      '\u0000',
      '',
    ),
    // Envelopes with the right type and a broken inside: Bolt's router reads these fields.
    fc.constantFrom(
      '{"type":"view_submission","view":{"callback_id":"token_request","state":null}}',
      '{"type":"view_submission","view":{"callback_id":null},"user":null}',
      '{"type":"view_submission","view":"token_request"}',
      '{"type":"view_closed","view":null}',
      '{"type":"block_actions","actions":null}',
      '{"type":"block_actions","actions":[null]}',
      '{"type":"block_actions","actions":["record_token"]}',
      '{"type":"block_actions","actions":[{"action_id":"record_token"}],"channel":null,"user":null}',
      '{"type":"block_actions","actions":[{"action_id":"preset_select"}],"view":null}',
      '{"type":"block_suggestion","name":null}',
      '{"type":"shortcut","callback_id":null}',
      '{"type":"message_action","channel":null}',
      '{"type":"event_callback","event":"x"}',
      '{"type":"event_callback","event":{"type":null,"item":null,"channel":null}}',
      '{"type":"event_callback","event":{"type":"app_home_opened","user":null}}',
      '{"command":null,"text":null,"user_id":null}',
      '{"command":"/bitbucket-token","trigger_id":null,"user_id":["U1"]}',
      '{"type":"url_verification","challenge":null}',
      '{"ssl_check":"1"}',
    ),
    fc.json(),
    fc.string({ maxLength: 50 }),
  );
  return fc.oneof(
    jsonText.map((j) => ({ body: `payload=${encodeURIComponent(j)}`, contentType: form })),
    jsonText.map((j) => ({ body: j, contentType: json })),
    fc.string({ maxLength: 200 }).map((s) => ({ body: s, contentType: form })),
    fc
      .dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 5 })
      .map((d) => ({ body: new URLSearchParams(d).toString(), contentType: form })),
    fc
      .constantFrom(
        'payload=',
        'payload=%',
        'payload=%E0%A4%A',
        'payload=1&payload=2',
        'command=%2Fbitbucket-token&command=%2Fbitbucket-token',
        'ssl_check=1&payload=%7B%7D',
      )
      .map((body) => ({ body, contentType: form })),
    fc
      .tuple(
        fc.string({ maxLength: 100 }),
        fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data', 'application/x-www-form-urlencoded; charset=utf-8', ''),
      )
      .map(([body, contentType]) => ({ body, contentType })),
  );
};

/** The number of payloads per entry point (override with FUZZ_RUNS, e.g. for a long soak). */
export const FUZZ_RUNS = Number(process.env['FUZZ_RUNS'] ?? 1000);
/** Seed for reproducible runs; printed with the summary so a failure can be replayed. */
export const FUZZ_SEED = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2_147_483_647);
