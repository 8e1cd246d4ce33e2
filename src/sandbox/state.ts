import type { StateValue, StateValues } from './slack-requests.js';

/**
 * What Slack itself does with a person's input before the bot sees it: the page sends raw
 * values by block_id and action_id; only elements that exist in the view are accepted, typed by
 * the element (never by the page), and options must be the element's own. A forged or malformed
 * value is refused here, as Slack would, and never reaches the bot.
 */

export type RawValues = Record<string, Record<string, string | string[] | null>>;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The element with `actionId` in a block: its accessory, its element (input) or one of its elements (actions, context). */
export function findElement(block: Obj, actionId: string): Obj | undefined {
  const candidates = [block['accessory'], block['element'], ...(Array.isArray(block['elements']) ? block['elements'] : [])];
  return candidates.find((e): e is Obj => isObj(e) && e['action_id'] === actionId);
}

/** The element's option with this value (options or option groups), as { value, text }. */
export function optionByValue(element: Obj, value: string): { value: string; text: string } | undefined {
  const groups = Array.isArray(element['option_groups']) ? element['option_groups'] : [];
  const options = [
    ...(Array.isArray(element['options']) ? element['options'] : []),
    ...groups.flatMap((g) => (isObj(g) && Array.isArray(g['options']) ? g['options'] : [])),
  ];
  const found = options.find((o) => isObj(o) && o['value'] === value) as Obj | undefined;
  if (!found) return undefined;
  const text = isObj(found['text']) && typeof found['text']['text'] === 'string' ? found['text']['text'] : value;
  return { value, text };
}

const option = (o: { value: string; text: string }) => ({
  text: { type: 'plain_text' as const, text: o.text, emoji: true },
  value: o.value,
});
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The initial value Slack reports for an untouched element. */
function initialRaw(element: Obj): string | string[] | null {
  const opt = (o: unknown) => (isObj(o) && typeof o['value'] === 'string' ? o['value'] : undefined);
  switch (element['type']) {
    case 'plain_text_input':
      return typeof element['initial_value'] === 'string' ? element['initial_value'] : null;
    case 'datepicker':
      return typeof element['initial_date'] === 'string' ? element['initial_date'] : null;
    case 'static_select':
    case 'radio_buttons':
      return opt(element['initial_option']) ?? null;
    case 'multi_users_select':
      return Array.isArray(element['initial_users']) ? element['initial_users'].filter((v): v is string => typeof v === 'string') : [];
    case 'conversations_select':
      return typeof element['initial_conversation'] === 'string' ? element['initial_conversation'] : null;
    case 'multi_static_select':
    case 'checkboxes':
      return Array.isArray(element['initial_options'])
        ? element['initial_options'].map(opt).filter((v): v is string => v !== undefined)
        : [];
    default:
      return null;
  }
}

function toStateValue(element: Obj, raw: string | string[] | null): StateValue | string {
  const type = String(element['type']);
  const one = (v: string | string[] | null) => (Array.isArray(v) ? 'invalid_value' : v);
  switch (type) {
    case 'plain_text_input': {
      const v = one(raw);
      if (v === 'invalid_value') return v;
      return { type, value: v === null || v === '' ? null : v };
    }
    case 'datepicker': {
      const v = one(raw);
      if (v === 'invalid_value' || (v !== null && v !== '' && !ISO_DATE.test(v))) return 'invalid_date';
      return { type, selected_date: v === null || v === '' ? null : v };
    }
    case 'static_select':
    case 'radio_buttons': {
      const v = one(raw);
      if (v === 'invalid_value') return v;
      if (v === null || v === '') return { type, selected_option: null };
      const found = optionByValue(element, v);
      return found ? { type, selected_option: option(found) } : 'invalid_option';
    }
    case 'multi_static_select':
    case 'checkboxes': {
      const list = raw === null ? [] : Array.isArray(raw) ? raw : [raw];
      const found = list.map((v) => optionByValue(element, v));
      if (found.some((f) => !f)) return 'invalid_option';
      return { type, selected_options: found.map((f) => option(f!)) };
    }
    case 'multi_users_select': {
      const list = raw === null ? [] : Array.isArray(raw) ? raw : [raw];
      if (list.some((v) => !/^[UW][A-Z0-9]+$/.test(v))) return 'invalid_value';
      return { type, selected_users: list };
    }
    case 'conversations_select': {
      const v = one(raw);
      if (v === 'invalid_value' || (v !== null && v !== '' && !/^[CGD][A-Z0-9]+$/.test(v))) return 'invalid_value';
      return { type, selected_conversation: v === null || v === '' ? null : v };
    }
    default:
      return 'unsupported_element';
  }
}

/**
 * state.values for a view's input blocks from the page's raw values. Returns an error code
 * (what Slack would answer) when a value names an element the view lacks or does not fit it.
 */
export function buildState(blocks: unknown[], raw: RawValues): StateValues | string {
  const values: StateValues = {};
  const known = new Set<string>();
  blocks.forEach((block, index) => {
    if (!isObj(block) || block['type'] !== 'input' || !isObj(block['element'])) return;
    const element = block['element'];
    const blockId = typeof block['block_id'] === 'string' ? block['block_id'] : `sb-${index}`;
    const actionId = typeof element['action_id'] === 'string' ? element['action_id'] : `sb-${index}-0`;
    known.add(`${blockId}\u0000${actionId}`);
    const given = raw[blockId]?.[actionId];
    const value = toStateValue(element, given === undefined ? initialRaw(element) : given);
    values[blockId] = { ...(values[blockId] ?? {}), [actionId]: value as StateValue };
  });
  for (const [blockId, byAction] of Object.entries(raw)) {
    for (const actionId of Object.keys(byAction)) if (!known.has(`${blockId}\u0000${actionId}`)) return 'invalid_state';
  }
  for (const byAction of Object.values(values)) {
    for (const v of Object.values(byAction)) if (typeof v === 'string') return v;
  }
  return values;
}
