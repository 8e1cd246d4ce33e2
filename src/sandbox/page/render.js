/**
 * Block Kit and mrkdwn to HTML, for the sandbox's page. Pure functions of their input (no DOM),
 * so unit tests run them against every block the bot's builders produce. Every string from a
 * payload is escaped; links keep only http(s) and mailto URLs.
 *
 * Interactive elements carry data attributes the page's event handlers read:
 *   data-act="button|select|multi|date|time|text|checkboxes|radio"   what it is
 *   data-block-index, data-action-id, data-block-id                   where it is
 *   data-dispatch="1"                                                 a change is sent as block_actions at once
 *   data-input="1"                                                    its value belongs in view state
 *   data-confirm='{...}'                                              a confirm dialog comes first
 */

/** Block types the renderer draws; a type outside this list renders as "unsupported". */
export const RENDERED_BLOCKS = ['section', 'header', 'divider', 'context', 'actions', 'input', 'image', 'rich_text'];
/** Element types the renderer draws. */
export const RENDERED_ELEMENTS = [
  'button',
  'static_select',
  'multi_static_select',
  'overflow',
  'datepicker',
  'timepicker',
  'plain_text_input',
  'checkboxes',
  'radio_buttons',
  'multi_users_select',
  'conversations_select',
  'image',
  'plain_text',
  'mrkdwn',
];

const isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Escapes text for HTML. */
export function escapeHtml(s) {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Escapes mrkdwn text, keeping the three entities Slack's mrkdwn is written with. */
function escapeMrkdwn(s) {
  return String(s)
    .replace(/&(?!(?:amp|lt|gt);)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** :shortcode: to emoji with the page's table (node-emoji's, served as /sandbox/emoji.json). */
export function emojify(html, ctx) {
  const table = ctx?.emoji ?? {};
  return html.replace(/:([a-z0-9_+-]+):/g, (whole, name) =>
    Object.hasOwn(table, name) ? `<span class="emoji" role="img" aria-label="${name.replace(/_/g, ' ')}">${table[name]}</span>` : whole,
  );
}

function styles(html) {
  return html
    .replace(/(^|[^\w*])\*(?!\s)([^*\n]+?)\*(?!\w)/g, '$1<strong>$2</strong>')
    .replace(/(^|[^\w_])_(?!\s)([^_\n]+?)_(?!\w)/g, '$1<em>$2</em>')
    .replace(/(^|[^\w~])~(?!\s)([^~\n]+?)~(?!\w)/g, '$1<del>$2</del>');
}

function userName(id, ctx) {
  return ctx?.userName ? ctx.userName(id) : id;
}

/** One <...> construct of mrkdwn: a mention, a channel, a special mention, a date or a link. */
function construct(inner, ctx) {
  const [target, label] = inner.split('|', 2);
  if (target.startsWith('@')) return `<span class="mention">@${escapeHtml(label ?? userName(target.slice(1), ctx))}</span>`;
  if (target.startsWith('#'))
    return `<span class="mention">#${escapeHtml(label ?? (ctx?.channelName ? ctx.channelName(target.slice(1)) : target.slice(1)))}</span>`;
  if (target.startsWith('!subteam^')) return `<span class="mention">${escapeHtml(label ?? '@group')}</span>`;
  if (target.startsWith('!date^')) return escapeMrkdwn(label ?? '');
  if (target.startsWith('!')) return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
  if (/^(https?:\/\/|mailto:)/i.test(target)) {
    const text = label === undefined ? escapeMrkdwn(target) : emojify(styles(escapeMrkdwn(label)), ctx);
    return `<a href="${escapeHtml(target.replace(/&amp;/g, '&'))}" target="_blank" rel="noopener noreferrer">${text}</a>`;
  }
  return escapeMrkdwn(label ?? target);
}

function inline(text, ctx) {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(/<([^<>\s][^<>]*)>/g)) {
    out += emojify(styles(escapeMrkdwn(text.slice(last, m.index))), ctx);
    out += construct(m[1], ctx);
    last = m.index + m[0].length;
  }
  return out + emojify(styles(escapeMrkdwn(text.slice(last))), ctx);
}

/** Slack mrkdwn to HTML: *bold*, _italic_, ~strike~, `code`, ```blocks```, > quotes, links, mentions, emoji. */
export function mrkdwn(text, ctx) {
  const src = String(text ?? '');
  const parts = src.split(/(```[\s\S]*?```|`[^`\n]+`)/);
  const html = parts
    .map((part) => {
      if (part.length >= 6 && part.startsWith('```') && part.endsWith('```')) return `<pre>${escapeMrkdwn(part.slice(3, -3))}</pre>`;
      if (part.length >= 2 && part.startsWith('`') && part.endsWith('`')) return `<code>${escapeMrkdwn(part.slice(1, -1))}</code>`;
      return inline(part, ctx);
    })
    .join('');
  return html
    .split('\n')
    .map((line) => (line.startsWith('&gt; ') || line === '&gt;' ? `<blockquote>${line.replace(/^&gt; ?/, '')}</blockquote>` : line))
    .join('<br>')
    .replace(/<\/blockquote><br><blockquote>/g, '<br>');
}

/** A plain_text object (emoji shortcodes replaced unless emoji: false). */
export function plainText(obj, ctx) {
  if (!isObj(obj)) return escapeHtml(obj ?? '');
  const html = escapeHtml(obj.text ?? '');
  return obj.emoji === false ? html : emojify(html, ctx);
}

/** A text object of either type. */
export function textObject(obj, ctx) {
  if (!isObj(obj)) return '';
  return obj.type === 'mrkdwn' ? mrkdwn(obj.text, ctx) : plainText(obj, ctx);
}

/** The text of a text object with markup removed (for labels and accessible names). */
export function rawText(obj) {
  return isObj(obj) ? String(obj.text ?? '') : String(obj ?? '');
}

const slug = (s) => String(s).replace(/[^A-Za-z0-9_-]/g, '_');

function attrs(map) {
  return Object.entries(map)
    .filter(([, v]) => v !== undefined && v !== null && v !== false)
    .map(([k, v]) => (v === true ? ` ${k}` : ` ${k}="${escapeHtml(v)}"`))
    .join('');
}

function optionsOf(el) {
  const plain = Array.isArray(el.options) ? el.options : [];
  const groups = Array.isArray(el.option_groups) ? el.option_groups : [];
  return [...plain, ...groups.flatMap((g) => (Array.isArray(g.options) ? g.options : []))];
}

function current(el, ctx, blockId) {
  const given = ctx?.values?.[blockId]?.[el.action_id];
  if (given !== undefined) return given;
  if (el.type === 'static_select' || el.type === 'radio_buttons') return el.initial_option?.value ?? null;
  if (el.type === 'multi_static_select' || el.type === 'checkboxes') return (el.initial_options ?? []).map((o) => o.value);
  if (el.type === 'datepicker') return el.initial_date ?? null;
  if (el.type === 'timepicker') return el.initial_time ?? null;
  if (el.type === 'plain_text_input') return el.initial_value ?? null;
  if (el.type === 'multi_users_select') return el.initial_users ?? [];
  if (el.type === 'conversations_select') return el.initial_conversation ?? null;
  return null;
}

function optionHtml(o, selected, ctx) {
  return `<option${attrs({ value: o.value, selected: selected.includes(o.value) })}>${plainText(o.text, ctx)}</option>`;
}

function selectOptions(el, selected, ctx) {
  let html = '';
  if (Array.isArray(el.options)) html += el.options.map((o) => optionHtml(o, selected, ctx)).join('');
  if (Array.isArray(el.option_groups)) {
    html += el.option_groups
      .map(
        (g) =>
          `<optgroup${attrs({ label: rawText(g.label) })}>${(g.options ?? []).map((o) => optionHtml(o, selected, ctx)).join('')}</optgroup>`,
      )
      .join('');
  }
  return html;
}

/**
 * One interactive or display element. `where`: { index, blockId, inInput, dispatch, labelId, describedBy }.
 */
export function renderElement(el, where, ctx) {
  if (!isObj(el)) return '';
  const id = `${ctx?.idPrefix ?? 'b'}-${where.index}-${slug(el.action_id ?? el.type)}`;
  const common = {
    'data-block-index': where.index,
    'data-block-id': where.blockId,
    'data-action-id': el.action_id,
    'data-dispatch': where.dispatch ? '1' : undefined,
    'data-input': where.inInput ? '1' : undefined,
    'data-confirm': el.confirm ? JSON.stringify(el.confirm) : undefined,
    'aria-describedby': where.describedBy,
    'aria-invalid': where.invalid ? 'true' : undefined,
  };
  const value = current(el, ctx, where.blockId);
  switch (el.type) {
    case 'button':
      return `<button type="button"${attrs({ ...common, class: `btn${el.style ? ` btn-${el.style}` : ''}`, 'data-act': 'button', 'data-url': el.url, 'aria-describedby': undefined })}>${plainText(el.text, ctx)}</button>`;
    case 'static_select':
    case 'overflow':
      return `<select${attrs({ ...common, id, class: 'select', 'data-act': 'select', 'aria-label': where.labelId ? undefined : rawText(el.placeholder) || where.label || 'Options' })}><option value="">${plainText(el.placeholder ?? { text: el.type === 'overflow' ? 'More…' : 'Select an item' }, ctx)}</option>${selectOptions(el, value ? [value] : [], ctx)}</select>`;
    case 'multi_static_select': {
      const size = Math.min(10, Math.max(4, optionsOf(el).length + (el.option_groups?.length ?? 0)));
      return `<select multiple${attrs({ ...common, id, size, class: 'select multi', 'data-act': 'multi', 'aria-label': where.labelId ? undefined : rawText(el.placeholder) || where.label || 'Options' })}>${selectOptions(el, value ?? [], ctx)}</select>`;
    }
    case 'multi_users_select': {
      // The workspace's people (ctx.users), as Slack's own picker lists them.
      const people = (ctx?.users ?? []).map((u) => ({ value: u.id, text: { type: 'plain_text', text: u.name } }));
      const size = Math.min(6, Math.max(3, people.length));
      return `<select multiple${attrs({ ...common, id, size, class: 'select multi', 'data-act': 'multi', 'aria-label': where.labelId ? undefined : rawText(el.placeholder) || where.label || 'People' })}>${selectOptions({ options: people }, value ?? [], ctx)}</select>`;
    }
    case 'conversations_select': {
      const channels = (ctx?.channels ?? []).map((c) => ({ value: c.id, text: { type: 'plain_text', text: `#${c.name}` } }));
      return `<select${attrs({ ...common, id, class: 'select', 'data-act': 'select', 'aria-label': where.labelId ? undefined : rawText(el.placeholder) || where.label || 'Channel' })}><option value="">${plainText(el.placeholder ?? { text: 'Choose a channel' }, ctx)}</option>${selectOptions({ options: channels }, value ? [value] : [], ctx)}</select>`;
    }
    case 'datepicker':
      return `<input type="date"${attrs({ ...common, id, value: value ?? '', 'data-act': 'date', 'aria-label': where.labelId ? undefined : rawText(el.placeholder) || 'Date' })}>`;
    case 'timepicker':
      return `<input type="time"${attrs({ ...common, id, value: value ?? '', 'data-act': 'time', 'aria-label': where.labelId ? undefined : 'Time' })}>`;
    case 'plain_text_input': {
      const a = attrs({
        ...common,
        id,
        'data-act': 'text',
        placeholder: rawText(el.placeholder) || undefined,
        maxlength: el.max_length,
        minlength: el.min_length,
      });
      return el.multiline
        ? `<textarea rows="3"${a}>${escapeHtml(value ?? '')}</textarea>`
        : `<input type="text"${a}${attrs({ value: value ?? '' })}>`;
    }
    case 'checkboxes':
    case 'radio_buttons': {
      const kind = el.type === 'checkboxes' ? 'checkbox' : 'radio';
      const chosen = Array.isArray(value) ? value : value ? [value] : [];
      const items = (el.options ?? [])
        .map((o, i) => {
          const optionId = `${id}-${i}`;
          return `<div class="choice"><input type="${kind}"${attrs({ id: optionId, name: id, value: o.value, checked: chosen.includes(o.value) })}><label for="${optionId}">${textObject(o.text, ctx)}${o.description ? `<span class="hint">${textObject(o.description, ctx)}</span>` : ''}</label></div>`;
        })
        .join('');
      return `<div role="${kind === 'radio' ? 'radiogroup' : 'group'}"${attrs({ ...common, id, 'data-act': el.type === 'checkboxes' ? 'checkboxes' : 'radio', 'aria-labelledby': where.labelId, 'aria-label': where.labelId ? undefined : where.label })}>${items}</div>`;
    }
    case 'image':
      return `<span class="image" role="img"${attrs({ 'aria-label': el.alt_text })}>🖼 ${escapeHtml(el.alt_text ?? '')}</span>`;
    case 'plain_text':
    case 'mrkdwn':
      return `<span class="ctx-text">${textObject(el, ctx)}</span>`;
    default:
      return `<span class="unsupported"${attrs({ 'data-unsupported': el.type })}>[unsupported element: ${escapeHtml(el.type)}]</span>`;
  }
}

function richText(el) {
  if (!isObj(el)) return '';
  if (el.type === 'text') return escapeHtml(el.text ?? '');
  if (el.type === 'link') return escapeHtml(el.text ?? el.url ?? '');
  if (el.type === 'emoji') return `:${escapeHtml(el.name ?? '')}:`;
  if (el.type === 'user') return `@${escapeHtml(el.user_id ?? '')}`;
  return (el.elements ?? []).map(richText).join('');
}

/** One block. `index` is its position (the page reports it with each action). */
export function renderBlock(block, index, ctx) {
  if (!isObj(block)) return '';
  const blockId = typeof block.block_id === 'string' ? block.block_id : `sb-${index}`;
  const at = (extra) => ({ index, blockId, ...extra });
  switch (block.type) {
    case 'header':
      return `<h3 class="blk blk-header">${plainText(block.text, ctx)}</h3>`;
    case 'divider':
      return '<hr class="blk blk-divider">';
    case 'section': {
      const fields = Array.isArray(block.fields)
        ? `<div class="fields">${block.fields.map((f) => `<div class="field">${textObject(f, ctx)}</div>`).join('')}</div>`
        : '';
      const accessory = block.accessory
        ? `<div class="accessory">${renderElement(block.accessory, at({ dispatch: true, label: rawText(block.text).slice(0, 80) }), ctx)}</div>`
        : '';
      return `<div class="blk blk-section"><div class="section-body">${block.text ? `<div class="section-text">${textObject(block.text, ctx)}</div>` : ''}${fields}</div>${accessory}</div>`;
    }
    case 'context':
      return `<div class="blk blk-context">${(block.elements ?? []).map((e) => renderElement(e, at({}), ctx)).join('')}</div>`;
    case 'actions':
      return `<div class="blk blk-actions">${(block.elements ?? []).map((e) => renderElement(e, at({ dispatch: true }), ctx)).join('')}</div>`;
    case 'image':
      return `<figure class="blk blk-image">${block.title ? `<figcaption>${plainText(block.title, ctx)}</figcaption>` : ''}${renderElement({ type: 'image', alt_text: block.alt_text }, at({}), ctx)}</figure>`;
    case 'rich_text':
      return `<div class="blk blk-rich">${(block.elements ?? []).map(richText).join('<br>')}</div>`;
    case 'input': {
      const el = isObj(block.element) ? block.element : {};
      const labelId = `${ctx?.idPrefix ?? 'b'}-${index}-label`;
      const hintId = block.hint ? `${ctx?.idPrefix ?? 'b'}-${index}-hint` : undefined;
      const error = ctx?.errors?.[blockId];
      const errorId = error ? `${ctx?.idPrefix ?? 'b'}-${index}-error` : undefined;
      const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
      const controlId = `${ctx?.idPrefix ?? 'b'}-${index}-${slug(el.action_id ?? el.type)}`;
      const grouped = el.type === 'checkboxes' || el.type === 'radio_buttons';
      const label = grouped
        ? `<span class="label" id="${labelId}">${plainText(block.label, ctx)}</span>`
        : `<label class="label" id="${labelId}" for="${controlId}">${plainText(block.label, ctx)}</label>`;
      return `<div class="blk blk-input${error ? ' has-error' : ''}">${label}${block.optional ? ' <span class="optional">(optional)</span>' : ''}${renderElement(el, at({ inInput: true, dispatch: block.dispatch_action === true, labelId, describedBy, invalid: Boolean(error) }), ctx)}${hintId ? `<div class="hint" id="${hintId}">${plainText(block.hint, ctx)}</div>` : ''}${error ? `<div class="field-error" id="${errorId}" role="alert">${escapeHtml(error)}</div>` : ''}</div>`;
    }
    default:
      return `<div class="blk unsupported"${attrs({ 'data-unsupported': block.type })}>[unsupported block: ${escapeHtml(block.type)}]</div>`;
  }
}

/** A surface's blocks. ctx: { emoji, userName(id), channelName(id), idPrefix, values, errors }. */
export function renderBlocks(blocks, ctx) {
  return (Array.isArray(blocks) ? blocks : []).map((b, i) => renderBlock(b, i, ctx)).join('');
}
