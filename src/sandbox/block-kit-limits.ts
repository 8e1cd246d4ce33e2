/**
 * Pure Block Kit validator enforcing the limits in shared/reference/slack/limits.md.
 * checkSurface() returns human-readable violation messages ("path: problem"); [] means valid.
 *
 * Lengths are counted in UTF-16 code units (String#length), which is never less than the
 * character count Slack uses, so the check errs on the strict side.
 */

export type SurfaceKind = 'modal' | 'home' | 'message';

export const LIMITS = {
  modalTitle: 24,
  id: 255,
  blocksPerView: 100,
  blocksPerMessage: 50,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  inputLabel: 2000,
  inputHint: 2000,
  plainTextInputMax: 3000,
  placeholder: 150,
  selectOptions: 100,
  optionGroups: 100,
  optionGroupLabel: 75,
  optionGroupOptions: 100,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  checkboxOptions: 10,
  radioOptions: 10,
  overflowOptions: 5,
  actionsElements: 25,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  messageText: 4000,
  messageTextHard: 40000,
  privateMetadata: 3000,
  viewBytes: 250_000,
  imageUrl: 3000,
  altText: 2000,
} as const;

const BLOCK_TYPES = new Set(['section', 'header', 'divider', 'context', 'actions', 'input', 'image', 'rich_text']);

const ELEMENT_TYPES = new Set([
  'button',
  'static_select',
  'multi_static_select',
  'external_select',
  'multi_external_select',
  'users_select',
  'multi_users_select',
  'conversations_select',
  'multi_conversations_select',
  'channels_select',
  'multi_channels_select',
  'checkboxes',
  'radio_buttons',
  'overflow',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'plain_text_input',
  'email_text_input',
  'url_text_input',
  'number_input',
  'rich_text_input',
  'image',
]);

const INPUT_ELEMENT_TYPES = new Set([
  'static_select',
  'multi_static_select',
  'external_select',
  'multi_external_select',
  'users_select',
  'multi_users_select',
  'conversations_select',
  'multi_conversations_select',
  'channels_select',
  'multi_channels_select',
  'checkboxes',
  'radio_buttons',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'plain_text_input',
  'email_text_input',
  'url_text_input',
  'number_input',
  'rich_text_input',
]);

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Checker {
  readonly errors: string[] = [];

  err(path: string, msg: string): void {
    this.errors.push(`${path}: ${msg}`);
  }

  maxLen(path: string, v: unknown, max: number): void {
    if (typeof v === 'string' && v.length > max) this.err(path, `${v.length} chars > ${max}`);
  }

  /** A text object {type, text}. Returns the text string when well-formed. */
  text(path: string, v: unknown, opts: { max: number; plainOnly?: boolean; required?: boolean }): string | undefined {
    if (v === undefined || v === null) {
      if (opts.required) this.err(path, 'required text object missing');
      return undefined;
    }
    if (!isObj(v)) {
      this.err(path, 'must be a text object {type, text}');
      return undefined;
    }
    if (v['type'] !== 'plain_text' && v['type'] !== 'mrkdwn') {
      this.err(`${path}.type`, `must be plain_text or mrkdwn, got ${JSON.stringify(v['type'])}`);
    } else if (opts.plainOnly && v['type'] !== 'plain_text') {
      this.err(`${path}.type`, 'must be plain_text');
    }
    const t = v['text'];
    if (typeof t !== 'string') {
      this.err(`${path}.text`, 'must be a string');
      return undefined;
    }
    if (t.length === 0) this.err(`${path}.text`, 'must not be empty');
    this.maxLen(`${path}.text`, t, opts.max);
    return t;
  }

  id(path: string, v: unknown): void {
    if (v === undefined) return;
    if (typeof v !== 'string' || v.length === 0) {
      this.err(path, 'must be a non-empty string');
      return;
    }
    this.maxLen(path, v, LIMITS.id);
  }

  option(path: string, v: unknown, plainOnly: boolean): string | undefined {
    if (!isObj(v)) {
      this.err(path, 'option must be an object');
      return undefined;
    }
    this.text(`${path}.text`, v['text'], { max: LIMITS.optionText, plainOnly, required: true });
    this.text(`${path}.description`, v['description'], { max: LIMITS.optionDescription, plainOnly });
    const value = v['value'];
    if (typeof value !== 'string' || value.length === 0) {
      this.err(`${path}.value`, 'must be a non-empty string');
      return undefined;
    }
    this.maxLen(`${path}.value`, value, LIMITS.optionValue);
    if (v['url'] !== undefined) this.maxLen(`${path}.url`, v['url'], LIMITS.buttonUrl);
    return value;
  }

  /** Validates options[] and returns the set of their values. */
  options(path: string, v: unknown, max: number, plainOnly: boolean, min = 1): Set<string> {
    const values = new Set<string>();
    if (!Array.isArray(v)) {
      this.err(path, 'must be an array');
      return values;
    }
    if (v.length < min) this.err(path, `${v.length} options < ${min}`);
    if (v.length > max) this.err(path, `${v.length} options > ${max}`);
    v.forEach((o, i) => {
      const value = this.option(`${path}[${i}]`, o, plainOnly);
      if (value !== undefined) {
        if (values.has(value)) this.err(`${path}[${i}].value`, `duplicate option value ${JSON.stringify(value)}`);
        values.add(value);
      }
    });
    return values;
  }

  initialOptions(path: string, v: unknown, values: Set<string>, multi: boolean): void {
    if (v === undefined) return;
    const list = multi ? v : [v];
    if (!Array.isArray(list)) {
      this.err(path, 'must be an array');
      return;
    }
    list.forEach((o, i) => {
      const p = multi ? `${path}[${i}]` : path;
      if (!isObj(o) || typeof o['value'] !== 'string') {
        this.err(p, 'must be an option object with a value');
        return;
      }
      if (!values.has(o['value'])) this.err(p, `value ${JSON.stringify(o['value'])} is not one of the options`);
    });
  }

  selectLike(path: string, el: Obj, multi: boolean): void {
    const hasOptions = el['options'] !== undefined;
    const hasGroups = el['option_groups'] !== undefined;
    let values = new Set<string>();
    if (hasOptions && hasGroups) this.err(path, 'options and option_groups are mutually exclusive');
    if (!hasOptions && !hasGroups) this.err(path, 'options or option_groups required');
    if (hasOptions) values = this.options(`${path}.options`, el['options'], LIMITS.selectOptions, true);
    if (hasGroups) {
      const groups = el['option_groups'];
      if (!Array.isArray(groups)) {
        this.err(`${path}.option_groups`, 'must be an array');
      } else {
        if (groups.length > LIMITS.optionGroups) this.err(`${path}.option_groups`, `${groups.length} groups > ${LIMITS.optionGroups}`);
        groups.forEach((g, i) => {
          const gp = `${path}.option_groups[${i}]`;
          if (!isObj(g)) {
            this.err(gp, 'must be an object');
            return;
          }
          this.text(`${gp}.label`, g['label'], { max: LIMITS.optionGroupLabel, plainOnly: true, required: true });
          for (const v of this.options(`${gp}.options`, g['options'], LIMITS.optionGroupOptions, true)) values.add(v);
        });
      }
    }
    if (multi) {
      this.initialOptions(`${path}.initial_options`, el['initial_options'], values, true);
      const max = el['max_selected_items'];
      if (max !== undefined && (typeof max !== 'number' || max < 1)) this.err(`${path}.max_selected_items`, 'must be >= 1');
    } else {
      this.initialOptions(`${path}.initial_option`, el['initial_option'], values, false);
    }
  }

  element(path: string, el: unknown, allowed?: Set<string>): void {
    if (!isObj(el)) {
      this.err(path, 'element must be an object');
      return;
    }
    const type = el['type'];
    if (typeof type !== 'string' || !ELEMENT_TYPES.has(type)) {
      this.err(`${path}.type`, `unknown element type ${JSON.stringify(type)}`);
      return;
    }
    if (allowed && !allowed.has(type)) {
      this.err(`${path}.type`, `element type ${type} not allowed here`);
      return;
    }
    this.id(`${path}.action_id`, el['action_id']);
    if (el['placeholder'] !== undefined) {
      this.text(`${path}.placeholder`, el['placeholder'], { max: LIMITS.placeholder, plainOnly: true });
    }
    switch (type) {
      case 'button': {
        this.text(`${path}.text`, el['text'], { max: LIMITS.buttonText, plainOnly: true, required: true });
        this.maxLen(`${path}.value`, el['value'], LIMITS.buttonValue);
        this.maxLen(`${path}.url`, el['url'], LIMITS.buttonUrl);
        const style = el['style'];
        if (style !== undefined && style !== 'primary' && style !== 'danger') {
          this.err(`${path}.style`, `must be primary or danger, got ${JSON.stringify(style)}`);
        }
        break;
      }
      case 'static_select':
        this.selectLike(path, el, false);
        break;
      case 'multi_static_select':
        this.selectLike(path, el, true);
        break;
      case 'checkboxes': {
        const values = this.options(`${path}.options`, el['options'], LIMITS.checkboxOptions, false);
        this.initialOptions(`${path}.initial_options`, el['initial_options'], values, true);
        break;
      }
      case 'radio_buttons': {
        const values = this.options(`${path}.options`, el['options'], LIMITS.radioOptions, false);
        this.initialOptions(`${path}.initial_option`, el['initial_option'], values, false);
        break;
      }
      case 'overflow':
        this.options(`${path}.options`, el['options'], LIMITS.overflowOptions, true, 1);
        break;
      case 'datepicker': {
        const d = el['initial_date'];
        if (d !== undefined && (typeof d !== 'string' || !isValidDate(d))) {
          this.err(`${path}.initial_date`, `must be a valid YYYY-MM-DD date, got ${JSON.stringify(d)}`);
        }
        break;
      }
      case 'timepicker': {
        const t = el['initial_time'];
        if (t !== undefined && (typeof t !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(t))) {
          this.err(`${path}.initial_time`, `must be HH:mm, got ${JSON.stringify(t)}`);
        }
        break;
      }
      case 'plain_text_input': {
        const max = el['max_length'];
        const min = el['min_length'];
        if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > LIMITS.plainTextInputMax)) {
          this.err(`${path}.max_length`, `must be an integer 1..${LIMITS.plainTextInputMax}, got ${JSON.stringify(max)}`);
        }
        if (min !== undefined && (typeof min !== 'number' || !Number.isInteger(min) || min < 0 || min > LIMITS.plainTextInputMax)) {
          this.err(`${path}.min_length`, `must be an integer 0..${LIMITS.plainTextInputMax}, got ${JSON.stringify(min)}`);
        }
        if (typeof min === 'number' && typeof max === 'number' && min > max) {
          this.err(`${path}.min_length`, `min_length ${min} > max_length ${max}`);
        }
        const iv = el['initial_value'];
        if (iv !== undefined) {
          if (typeof iv !== 'string') this.err(`${path}.initial_value`, 'must be a string');
          else {
            const limit = typeof max === 'number' ? Math.min(max, LIMITS.plainTextInputMax) : LIMITS.plainTextInputMax;
            this.maxLen(`${path}.initial_value`, iv, limit);
          }
        }
        break;
      }
      case 'image':
        this.maxLen(`${path}.image_url`, el['image_url'], LIMITS.imageUrl);
        if (typeof el['alt_text'] !== 'string') this.err(`${path}.alt_text`, 'required');
        else this.maxLen(`${path}.alt_text`, el['alt_text'], LIMITS.altText);
        break;
      default:
        break;
    }
  }

  block(path: string, b: unknown, blockIds: Set<string>): void {
    if (!isObj(b)) {
      this.err(path, 'block must be an object');
      return;
    }
    const type = b['type'];
    if (typeof type !== 'string' || !BLOCK_TYPES.has(type)) {
      this.err(`${path}.type`, `unknown block type ${JSON.stringify(type)}`);
      return;
    }
    const blockId = b['block_id'];
    this.id(`${path}.block_id`, blockId);
    if (typeof blockId === 'string') {
      if (blockIds.has(blockId)) this.err(`${path}.block_id`, `duplicate block_id ${JSON.stringify(blockId)}`);
      blockIds.add(blockId);
    }
    switch (type) {
      case 'section': {
        const hasText = b['text'] !== undefined;
        const fields = b['fields'];
        if (!hasText && fields === undefined) this.err(path, 'section needs text or fields');
        if (hasText) this.text(`${path}.text`, b['text'], { max: LIMITS.sectionText });
        if (fields !== undefined) {
          if (!Array.isArray(fields)) this.err(`${path}.fields`, 'must be an array');
          else {
            if (fields.length > LIMITS.sectionFields) this.err(`${path}.fields`, `${fields.length} fields > ${LIMITS.sectionFields}`);
            for (const [i, f] of fields.entries()) this.text(`${path}.fields[${i}]`, f, { max: LIMITS.sectionFieldText, required: true });
          }
        }
        if (b['accessory'] !== undefined) this.element(`${path}.accessory`, b['accessory']);
        break;
      }
      case 'header':
        this.text(`${path}.text`, b['text'], { max: LIMITS.headerText, plainOnly: true, required: true });
        break;
      case 'divider':
        break;
      case 'context': {
        const els = b['elements'];
        if (!Array.isArray(els) || els.length === 0) {
          this.err(`${path}.elements`, 'must be a non-empty array');
          break;
        }
        if (els.length > LIMITS.contextElements) this.err(`${path}.elements`, `${els.length} elements > ${LIMITS.contextElements}`);
        els.forEach((e, i) => {
          const p = `${path}.elements[${i}]`;
          if (isObj(e) && e['type'] === 'image') this.element(p, e);
          else this.text(p, e, { max: LIMITS.sectionText, required: true });
        });
        break;
      }
      case 'actions': {
        const els = b['elements'];
        if (!Array.isArray(els) || els.length === 0) {
          this.err(`${path}.elements`, 'must be a non-empty array');
          break;
        }
        if (els.length > LIMITS.actionsElements) this.err(`${path}.elements`, `${els.length} elements > ${LIMITS.actionsElements}`);
        const actionIds = new Set<string>();
        els.forEach((e, i) => {
          const p = `${path}.elements[${i}]`;
          this.element(p, e);
          const aid = isObj(e) ? e['action_id'] : undefined;
          if (typeof aid === 'string') {
            if (actionIds.has(aid)) this.err(`${p}.action_id`, `duplicate action_id ${JSON.stringify(aid)} within block`);
            actionIds.add(aid);
          }
        });
        break;
      }
      case 'input': {
        this.text(`${path}.label`, b['label'], { max: LIMITS.inputLabel, plainOnly: true, required: true });
        if (b['hint'] !== undefined) this.text(`${path}.hint`, b['hint'], { max: LIMITS.inputHint, plainOnly: true });
        if (b['element'] === undefined) this.err(`${path}.element`, 'input block requires an element');
        else this.element(`${path}.element`, b['element'], INPUT_ELEMENT_TYPES);
        break;
      }
      case 'image':
        if (typeof b['image_url'] !== 'string' && b['slack_file'] === undefined) this.err(`${path}.image_url`, 'required');
        this.maxLen(`${path}.image_url`, b['image_url'], LIMITS.imageUrl);
        if (typeof b['alt_text'] !== 'string') this.err(`${path}.alt_text`, 'required');
        else this.maxLen(`${path}.alt_text`, b['alt_text'], LIMITS.altText);
        if (b['title'] !== undefined) this.text(`${path}.title`, b['title'], { max: 2000, plainOnly: true });
        break;
      case 'rich_text':
        if (!Array.isArray(b['elements'])) this.err(`${path}.elements`, 'must be an array');
        break;
      default:
        break;
    }
  }

  blocks(path: string, v: unknown, max: number, blockIds: Set<string>): void {
    if (!Array.isArray(v)) {
      this.err(path, 'must be an array');
      return;
    }
    if (v.length > max) this.err(path, `${v.length} blocks > ${max}`);
    for (const [i, b] of v.entries()) this.block(`${path}[${i}]`, b, blockIds);
  }
}

export function isValidDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function parseMaybeJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

/**
 * Validate a surface against Slack's documented limits.
 * - kind 'modal' | 'home': payload is the view object ({type, title, blocks, ...}).
 * - kind 'message': payload is the chat.* arguments ({text?, blocks?, attachments?}).
 *   `blocks` / `attachments` may be JSON strings (as sent form-encoded).
 * Returns violation messages; [] when valid.
 */
export function checkSurface(kind: SurfaceKind, payload: unknown): string[] {
  const c = new Checker();
  const p = parseMaybeJson(payload);
  if (!isObj(p)) {
    c.err(kind, 'payload must be an object');
    return c.errors;
  }
  const blockIds = new Set<string>();
  if (kind === 'message') {
    const text = p['text'];
    if (typeof text === 'string') {
      if (text.length > LIMITS.messageTextHard) c.err('text', `${text.length} chars > ${LIMITS.messageTextHard} (msg_too_long)`);
      else c.maxLen('text', text, LIMITS.messageText);
    }
    const blocks = parseMaybeJson(p['blocks']);
    if (blocks !== undefined) c.blocks('blocks', blocks, LIMITS.blocksPerMessage, blockIds);
    const attachments = parseMaybeJson(p['attachments']);
    if (Array.isArray(attachments)) {
      attachments.forEach((a, i) => {
        if (isObj(a) && a['blocks'] !== undefined) {
          c.blocks(`attachments[${i}].blocks`, a['blocks'], LIMITS.blocksPerMessage, blockIds);
        }
      });
    }
    return c.errors;
  }

  // views
  const expectedType = kind === 'home' ? 'home' : 'modal';
  if (p['type'] !== expectedType) c.err('view.type', `must be ${expectedType}, got ${JSON.stringify(p['type'])}`);
  if (kind === 'modal') {
    c.text('view.title', p['title'], { max: LIMITS.modalTitle, plainOnly: true, required: true });
    if (p['submit'] !== undefined) c.text('view.submit', p['submit'], { max: LIMITS.modalTitle, plainOnly: true });
    if (p['close'] !== undefined) c.text('view.close', p['close'], { max: LIMITS.modalTitle, plainOnly: true });
    const blocks = p['blocks'];
    if (Array.isArray(blocks) && p['submit'] === undefined && blocks.some((b) => isObj(b) && b['type'] === 'input')) {
      c.err('view.submit', 'required when the view contains input blocks');
    }
  }
  c.id('view.callback_id', p['callback_id']);
  c.id('view.external_id', p['external_id']);
  const pm = p['private_metadata'];
  if (pm !== undefined && typeof pm !== 'string') c.err('view.private_metadata', 'must be a string');
  c.maxLen('view.private_metadata', pm, LIMITS.privateMetadata);
  c.blocks('view.blocks', p['blocks'], LIMITS.blocksPerView, blockIds);
  const bytes = Buffer.byteLength(JSON.stringify(p), 'utf8');
  if (bytes > LIMITS.viewBytes) c.err('view', `${bytes} bytes of JSON > ${LIMITS.viewBytes}`);
  return c.errors;
}
