/**
 * The sandbox's page: a small Slack. State arrives over Server-Sent Events (a snapshot, then
 * patches); what a person does is POSTed to /sandbox/api/<op>, where the sandbox checks it as
 * Slack would and sends it to the bot as a signed Slack request.
 */
import { escapeHtml, mrkdwn, plainText, renderBlocks } from './render.js';

const $ = (id) => document.getElementById(id);
const S = {
  snap: undefined,
  me: undefined,
  /** { kind: 'home' } | { kind: 'channel', channel } */
  at: { kind: 'dm' },
  thread: undefined,
  unread: new Map(),
  threadUnread: new Map(),
  emoji: {},
  openModalId: undefined,
};
const BOT = 'UBOT';

const persona = (id = S.me) => S.snap.users.find((u) => u.id === id);
const userName = (id) => (id === BOT ? 'Token Bot' : (S.snap?.users.find((u) => u.id === id)?.realName ?? id));
const channelName = (id) => {
  const c = S.snap.channels;
  if (id === c.general.id) return c.general.name;
  if (id === c.approvals.id) return c.approvals.name;
  return 'Token Bot';
};
const dm = () => `D${S.me}`;
const currentChannel = () => (S.at.kind === 'channel' ? S.at.channel : dm());
const pickable = () => ({
  users: S.snap.users.map((u) => ({ id: u.id, name: u.realName })),
  channels: Object.values(S.snap.channels).map((c) => ({ id: c.id, name: c.name })),
});
const ctx = (extra = {}) => ({ emoji: S.emoji, userName, channelName, ...pickable(), ...extra });
const visible = (m) => !m.channel.startsWith('D') || m.channel === dm();
const isReply = (m) => m.thread_ts && m.thread_ts !== m.ts;

function when(ts) {
  const d = new Date(Number(String(ts).split('.')[0]) * 1000);
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: persona().tz,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);
}

function announce(text) {
  $('announcer').textContent = '';
  setTimeout(() => ($('announcer').textContent = text), 30);
}
function notice(text) {
  $('notice').textContent = text;
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => ($('notice').textContent = ''), 6000);
}

async function api(op, body) {
  const res = await fetch(`/sandbox/api/${op}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: S.me, ...body }),
  });
  const json = await res.json().catch(() => ({ ok: false, error: `http_${res.status}` }));
  if (!json.ok) notice(`Slack says: ${json.error}`);
  return json;
}

// ---------------------------------------------------------------------------------- rendering

function renderClock() {
  const { now } = S.snap.clock;
  const shown = new Intl.DateTimeFormat('en-GB', { timeZone: persona().tz, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(now));
  $('clock').textContent = `Sandbox time: ${shown} (${persona().tz})${S.snap.clock.offsetMs > 0 ? ', moved forward' : ''}`;
  $('clock').setAttribute('datetime', new Date(now).toISOString());
  document.querySelector('[data-jump="next-morning"]').textContent = `Next day ${String(S.snap.reminderHour).padStart(2, '0')}:00`;
}

/** A message's text as a short plain label: mentions by name, markup and shortcodes dropped. */
function plainLabel(text) {
  return String(text ?? '')
    .replace(/<@([A-Z0-9]+)(?:\|[^>]*)?>/g, (_, id) => `@${userName(id)}`)
    .replace(/<[^|>]*\|([^>]*)>/g, '$1')
    .replace(/:[a-z0-9_+-]+:/g, '')
    .replace(/[*_`~<>]/g, '')
    .trim()
    .slice(0, 40);
}

function threadsForMe() {
  const parents = new Map();
  for (const m of S.snap.messages) if (isReply(m) && visible(m)) parents.set(`${m.channel}/${m.thread_ts}`, m);
  return [...parents.keys()].map((key) => {
    const [channel, ts] = key.split('/');
    const parent = S.snap.messages.find((p) => p.channel === channel && p.ts === ts);
    return {
      key,
      channel,
      ts,
      label: parent ? plainLabel(parent.text) : 'Thread',
    };
  });
}

function badge(n) {
  return n > 0 ? `<span class="badge">${n}<span class="sr-only"> new</span></span>` : '';
}

function renderSidebar() {
  const c = S.snap.channels;
  const cur = (kind, channel) => (S.at.kind === kind && (kind !== 'channel' || S.at.channel === channel) ? ' aria-current="page"' : '');
  const threads = threadsForMe();
  $('sidebar').innerHTML = `
    <h2>Token Bot</h2>
    <button type="button" data-nav="home"${cur('home')}><span>Home</span></button>
    <button type="button" data-nav="dm"${cur('dm')}><span>Token Bot</span>${badge(S.unread.get(dm()) ?? 0)}</button>
    <h2>Channels</h2>
    ${[c.general, c.approvals].map((ch) => `<button type="button" data-nav="channel" data-channel="${ch.id}"${cur('channel', ch.id)}><span># ${escapeHtml(ch.name)}</span>${badge(S.unread.get(ch.id) ?? 0)}</button>`).join('')}
    ${threads.length ? '<h2>Threads</h2>' : ''}
    ${threads.map((t) => `<button type="button" data-nav="thread" data-channel="${t.channel}" data-ts="${t.ts}"><span>Thread: ${escapeHtml(t.label)}</span>${badge(S.threadUnread.get(t.key) ?? 0)}</button>`).join('')}`;
}

function messageHtml(m, prefix) {
  const replies = S.snap.messages.filter((r) => r.channel === m.channel && r.thread_ts === m.ts && r.ts !== m.ts).length;
  const where = JSON.stringify({ kind: 'message', channel: m.channel, ts: m.ts });
  const body = m.blocks?.length ? renderBlocks(m.blocks, ctx({ idPrefix: prefix })) : `<div class="text">${mrkdwn(m.text, ctx())}</div>`;
  return `<article class="msg" data-where='${escapeHtml(where)}' aria-label="${escapeHtml(userName(m.user))}, ${escapeHtml(when(m.ts))}">
    <div class="meta"><span class="author">${escapeHtml(userName(m.user))}</span><time>${escapeHtml(when(m.ts))}</time>${m.edits ? ' (edited)' : ''}</div>
    ${body}
    ${replies && prefix.startsWith('m') ? `<button type="button" class="thread-link" data-nav="thread" data-channel="${m.channel}" data-ts="${m.ts}">${replies} ${replies === 1 ? 'reply' : 'replies'}</button>` : ''}
  </article>`;
}

function ephemeralHtml(e, prefix) {
  const where = JSON.stringify({ kind: 'ephemeral', id: e.id });
  const body = e.blocks?.length ? renderBlocks(e.blocks, ctx({ idPrefix: prefix })) : `<div class="text">${mrkdwn(e.text, ctx())}</div>`;
  return `<article class="msg ephemeral" data-where='${escapeHtml(where)}' aria-label="Token Bot, only visible to you">
    <div class="meta"><span class="author">Token Bot</span><span class="only-you">Only visible to you</span> <button type="button" class="thread-link" data-dismiss="${e.id}">Dismiss</button></div>
    ${body}
  </article>`;
}

function timeline(channel, threadTs) {
  const msgs = S.snap.messages
    .filter((m) => m.channel === channel && (threadTs ? m.ts === threadTs || m.thread_ts === threadTs : !isReply(m)))
    .map((m) => ({ ts: m.ts, m }));
  const eph = S.snap.ephemerals
    .filter((e) => e.user === S.me && e.channel === channel && (threadTs ? e.thread_ts === threadTs : !e.thread_ts))
    .map((e) => ({ ts: e.ts, e }));
  return [...msgs, ...eph].sort((a, b) => Number(a.ts) - Number(b.ts));
}

function renderPane() {
  const pane = $('pane');
  if (S.at.kind === 'home') {
    $('pane-title').textContent = 'Token Bot · Home';
    const home = S.snap.homes[S.me];
    pane.setAttribute('aria-label', 'Home');
    pane.innerHTML = home
      ? `<section class="home" data-where='{"kind":"home"}'>${renderBlocks(home.blocks, ctx({ idPrefix: 'h' }))}</section>`
      : '<p>Opening the Home tab…</p>';
    $('composer').hidden = true;
    return;
  }
  $('composer').hidden = false;
  const channel = currentChannel();
  $('pane-title').textContent = S.at.kind === 'dm' ? 'Token Bot' : `# ${channelName(channel)}`;
  pane.setAttribute('aria-label', `Messages in ${S.at.kind === 'dm' ? 'Token Bot' : `#${channelName(channel)}`}`);
  $('composer-input').setAttribute('aria-label', `Message ${S.at.kind === 'dm' ? 'Token Bot' : `#${channelName(channel)}`}`);
  const items = timeline(channel);
  pane.innerHTML = items.length
    ? items.map((it, i) => (it.m ? messageHtml(it.m, `m${i}`) : ephemeralHtml(it.e, `e${i}`))).join('')
    : '<p class="empty">No messages yet. Type <code>/bitbucket-token</code> below to start.</p>';
  pane.scrollTop = pane.scrollHeight;
  S.unread.delete(channel);
}

function renderThread() {
  const aside = $('thread');
  if (!S.thread) {
    aside.hidden = true;
    aside.innerHTML = '';
    return;
  }
  const { channel, ts } = S.thread;
  S.threadUnread.delete(`${channel}/${ts}`);
  const items = timeline(channel, ts);
  aside.hidden = false;
  aside.innerHTML = `<h2 class="pane-title">Thread <span class="meta">in #${escapeHtml(channelName(channel))}</span> <button type="button" class="x" data-close-thread aria-label="Close thread">×</button></h2>
    <div class="pane" role="log" aria-label="Thread replies">${items.map((it, i) => (it.m ? messageHtml(it.m, `t${i}`) : ephemeralHtml(it.e, `te${i}`))).join('')}</div>
    <form class="composer" id="thread-composer"><textarea rows="2" aria-label="Reply in thread" placeholder="Reply…"></textarea><button type="submit">Reply</button></form>`;
}

/** The current values of the inputs inside `root`, by block_id and action_id (view state). */
function collectValues(root) {
  const values = {};
  for (const el of root.querySelectorAll('[data-input]')) {
    const blockId = el.dataset.blockId;
    const actionId = el.dataset.actionId;
    if (!blockId || !actionId) continue;
    values[blockId] ??= {};
    values[blockId][actionId] = elementValue(el);
  }
  return values;
}

function elementValue(el) {
  const act = el.dataset.act;
  if (act === 'multi') return [...el.selectedOptions].map((o) => o.value);
  if (act === 'checkboxes') return [...el.querySelectorAll('input:checked')].map((i) => i.value);
  if (act === 'radio') return el.querySelector('input:checked')?.value ?? null;
  return el.value === '' ? null : el.value;
}

/** Where the focus is inside a modal: the field (block_id, action_id), the option and the caret. */
function focusedField(root) {
  const active = document.activeElement;
  const field = active && root.contains(active) ? active.closest('[data-block-id][data-action-id]') : null;
  if (!field) return undefined;
  const caret = typeof active.selectionStart === 'number' ? [active.selectionStart, active.selectionEnd] : undefined;
  return { blockId: field.dataset.blockId, actionId: field.dataset.actionId, option: active === field ? undefined : active.value, caret };
}

function restoreFocus(root, f) {
  const field = [...root.querySelectorAll('[data-block-id][data-action-id]')].find(
    (el) => el.dataset.blockId === f.blockId && el.dataset.actionId === f.actionId,
  );
  if (!field) return;
  const target = f.option === undefined ? field : [...field.querySelectorAll('input')].find((i) => i.value === f.option);
  if (!target) return;
  target.focus();
  if (f.caret && typeof target.setSelectionRange === 'function') target.setSelectionRange(f.caret[0], f.caret[1]);
}

function renderModal() {
  const root = $('modal-root');
  const stack = S.snap.modals[S.me] ?? [];
  const top = stack.at(-1);
  if (!top) {
    root.innerHTML = '';
    S.openModalId = undefined;
    return;
  }
  const old = root.querySelector('[role="dialog"]');
  const same = Boolean(old && old.dataset.viewId === top.view.id);
  // Slack keeps what a person typed across views.update when block_id and action_id stay,
  // and the field they are typing in keeps the focus (a keystroke during an update is not lost).
  const kept = same ? collectValues(old) : {};
  const focus = same ? focusedField(old) : undefined;
  const scrolled = same ? old.querySelector('.modal-body')?.scrollTop : undefined;
  const v = top.view;
  root.innerHTML = `<div class="overlay"><div role="dialog" aria-modal="true" aria-labelledby="modal-title" class="modal" data-view-id="${escapeHtml(v.id)}" data-where='${escapeHtml(JSON.stringify({ kind: 'view', viewId: v.id }))}'>
    <header><h2 id="modal-title">${plainText(v.title, ctx())}</h2><button type="button" class="x" data-close-modal="all" aria-label="Close">×</button></header>
    <form novalidate>
      <div class="modal-body">${renderBlocks(v.blocks, ctx({ idPrefix: 'v', values: kept, errors: top.errors }))}</div>
      <footer><button type="button" class="btn" data-close-modal="one">${v.close ? plainText(v.close, ctx()) : 'Close'}</button>${v.submit ? `<button type="submit" class="btn btn-primary">${plainText(v.submit, ctx())}</button>` : ''}</footer>
    </form></div></div>`;
  const dialog = root.querySelector('[role="dialog"]');
  if (scrolled) dialog.querySelector('.modal-body').scrollTop = scrolled;
  if (focus) restoreFocus(dialog, focus);
  else if (S.openModalId !== v.id) {
    S.openModalId = v.id;
    (dialog.querySelector('input, select, textarea') ?? dialog.querySelector('button')).focus();
  } else if (top.errors) {
    dialog.querySelector('[aria-invalid="true"]')?.focus();
  }
}

function renderAll() {
  $('workspace').textContent = S.snap.workspace;
  renderClock();
  renderSidebar();
  renderPane();
  renderThread();
  renderModal();
}

// ---------------------------------------------------------------------------------- live updates

function apply(patch) {
  const snap = S.snap;
  switch (patch.type) {
    case 'message': {
      const m = patch.message;
      const at = snap.messages.findIndex((x) => x.channel === m.channel && x.ts === m.ts);
      const isNew = at < 0;
      if (isNew) snap.messages.push(m);
      else snap.messages[at] = m;
      if (!visible(m)) return;
      const showing = S.at.kind !== 'home' && currentChannel() === m.channel;
      if (isNew && m.user !== S.me) {
        if (isReply(m)) {
          const key = `${m.channel}/${m.thread_ts}`;
          if (!(S.thread && `${S.thread.channel}/${S.thread.ts}` === key)) S.threadUnread.set(key, (S.threadUnread.get(key) ?? 0) + 1);
          announce(`New reply in a thread in #${channelName(m.channel)} from ${userName(m.user)}`);
        } else {
          if (!showing) S.unread.set(m.channel, (S.unread.get(m.channel) ?? 0) + 1);
          announce(
            m.channel === dm()
              ? `New direct message from ${userName(m.user)}`
              : `New message in #${channelName(m.channel)} from ${userName(m.user)}`,
          );
        }
      }
      if (showing) renderPane();
      if (S.thread && S.thread.channel === m.channel) renderThread();
      renderSidebar();
      return;
    }
    case 'ephemeral':
      snap.ephemerals.push(patch.ephemeral);
      if (patch.ephemeral.user !== S.me) return;
      announce('Token Bot, only visible to you: new message');
      renderPane();
      renderThread();
      return;
    case 'ephemeral-removed':
      snap.ephemerals = snap.ephemerals.filter((e) => e.id !== patch.id);
      renderPane();
      renderThread();
      return;
    case 'modals':
      if (patch.stack.length) snap.modals[patch.user] = patch.stack;
      else delete snap.modals[patch.user];
      if (patch.user === S.me) renderModal();
      return;
    case 'home':
      snap.homes[patch.user] = patch.view;
      if (patch.user === S.me && S.at.kind === 'home') renderPane();
      return;
    case 'clock':
      snap.clock = { now: patch.now, offsetMs: patch.offsetMs };
      renderClock();
      return;
    default:
  }
}

function connect() {
  const source = new EventSource('/sandbox/api/events');
  source.addEventListener('snapshot', (ev) => {
    S.snap = JSON.parse(ev.data);
    if (!S.me || !S.snap.users.some((u) => u.id === S.me))
      S.me = (S.snap.users.find((u) => u.roles.includes('requester')) ?? S.snap.users[0]).id;
    $('persona').innerHTML = S.snap.users
      .map(
        (u) =>
          `<option value="${u.id}"${u.id === S.me ? ' selected' : ''}>${escapeHtml(u.realName)}${u.roles.length ? ` (${u.roles.join(', ')})` : ''} · ${escapeHtml(u.tz)}</option>`,
      )
      .join('');
    renderAll();
    if (!document.body.dataset.ready) {
      document.body.dataset.ready = 'true';
      performance.mark('sandbox-ready');
    }
  });
  source.addEventListener('patch', (ev) => apply(JSON.parse(ev.data)));
  // The clock ticks on the page between jumps (the offset only changes with a jump).
  setInterval(() => {
    if (!S.snap) return;
    S.snap.clock.now += 30_000;
    renderClock();
  }, 30_000);
}

// ---------------------------------------------------------------------------------- actions

function navigate(kind, channel, ts) {
  if (kind === 'thread') {
    S.thread = { channel, ts };
    renderThread();
    renderSidebar();
    $('thread').querySelector('textarea')?.focus();
    return;
  }
  S.at = kind === 'channel' ? { kind, channel } : { kind };
  renderSidebar();
  renderPane();
  if (kind === 'home') void api('home', {});
  else $('composer-input').focus();
}

function whereOf(el) {
  const holder = el.closest('[data-where]');
  return holder ? JSON.parse(holder.dataset.where) : undefined;
}

function confirmFirst(confirm) {
  if (!confirm) return Promise.resolve(true);
  return new Promise((resolve) => {
    const box = document.createElement('div');
    box.className = 'overlay';
    box.innerHTML = `<div role="alertdialog" aria-modal="true" aria-labelledby="confirm-title" class="modal alert">
      <header><h2 id="confirm-title">${plainText(confirm.title ?? { text: 'Are you sure?' }, ctx())}</h2></header>
      <div class="modal-body">${confirm.text?.type === 'mrkdwn' ? mrkdwn(confirm.text.text, ctx()) : plainText(confirm.text, ctx())}</div>
      <footer><button type="button" class="btn" data-answer="no">${plainText(confirm.deny ?? { text: 'Cancel' }, ctx())}</button>
      <button type="button" class="btn ${confirm.style === 'danger' ? 'btn-danger' : 'btn-primary'}" data-answer="yes">${plainText(confirm.confirm ?? { text: 'Yes' }, ctx())}</button></footer></div>`;
    document.body.append(box);
    box.querySelector('[data-answer="yes"]').focus();
    box.addEventListener('click', (ev) => {
      const answer = ev.target.closest('[data-answer]')?.dataset.answer;
      if (!answer) return;
      box.remove();
      resolve(answer === 'yes');
    });
  });
}

async function sendAction(el, value) {
  const where = whereOf(el);
  if (!where) return;
  const confirm = el.dataset.confirm ? JSON.parse(el.dataset.confirm) : undefined;
  if (!(await confirmFirst(confirm))) return;
  const root = el.closest('[data-where]');
  const values = where.kind === 'view' || where.kind === 'home' ? collectValues(root) : undefined;
  await api('action', {
    where,
    blockIndex: Number(el.dataset.blockIndex),
    actionId: el.dataset.actionId,
    ...(value !== undefined ? { value } : {}),
    ...(values ? { values } : {}),
  });
}

async function postText(text, threadTs) {
  const channel = threadTs ? S.thread.channel : currentChannel();
  if (text.startsWith('/')) return api('command', { channel, text });
  return api('message', { channel, text, ...(threadTs ? { threadTs } : {}) });
}

function wire() {
  document.addEventListener('click', (ev) => {
    const t = ev.target.closest('button');
    if (!t) return;
    if (t.dataset.nav) return navigate(t.dataset.nav, t.dataset.channel, t.dataset.ts);
    if (t.dataset.jump) return jump(t.dataset.jump);
    if (t.hasAttribute('data-close-thread')) {
      S.thread = undefined;
      return renderThread();
    }
    if (t.dataset.dismiss) return void api('dismiss', { id: t.dataset.dismiss });
    if (t.dataset.closeModal) {
      const dialog = t.closest('[role="dialog"]');
      return void api('close', { viewId: dialog.dataset.viewId, all: t.dataset.closeModal === 'all' });
    }
    if (t.dataset.act === 'button') {
      if (t.dataset.url) window.open(t.dataset.url, '_blank', 'noopener');
      return void sendAction(t);
    }
  });
  document.addEventListener('change', (ev) => {
    const el = ev.target.closest('[data-act]');
    if (!el || el.dataset.act === 'button' || el.dataset.dispatch !== '1') return;
    void sendAction(el, elementValue(el));
  });
  document.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const form = ev.target;
    if (form.id === 'composer' || form.id === 'thread-composer') {
      const box = form.querySelector('textarea');
      const text = box.value.trim();
      if (!text) return;
      box.value = '';
      await postText(text, form.id === 'thread-composer' ? S.thread.ts : undefined);
      return;
    }
    const dialog = form.closest('[role="dialog"]');
    if (!dialog) return;
    const submit = form.querySelector('[type="submit"]');
    submit.disabled = true;
    await api('submit', { viewId: dialog.dataset.viewId, values: collectValues(dialog) }).finally(() => (submit.disabled = false));
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && ev.target.matches('.composer textarea')) {
      ev.preventDefault();
      ev.target.form.requestSubmit();
    }
    if (ev.key === 'Escape' && S.openModalId && !document.querySelector('[role="alertdialog"]'))
      void api('close', { viewId: S.openModalId, all: false });
  });
  $('persona').addEventListener('change', (ev) => {
    S.me = ev.target.value;
    S.unread.clear();
    S.threadUnread.clear();
    S.thread = undefined;
    S.openModalId = undefined;
    renderAll();
    if (S.at.kind === 'home') void api('home', {});
    notice(`Acting as ${userName(S.me)}`);
  });
}

async function jump(kind) {
  const jumpBody =
    kind === 'hour'
      ? { kind: 'hours', hours: 1 }
      : kind === 'day'
        ? { kind: 'hours', hours: 24 }
        : kind === 'week'
          ? { kind: 'hours', hours: 24 * 7 }
          : { kind };
  const res = await api('travel', { jump: jumpBody });
  if (res.ok)
    notice(
      `Sandbox clock moved to ${new Intl.DateTimeFormat('en-GB', { timeZone: persona().tz, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(res.now))}`,
    );
}

wire();
fetch('/sandbox/emoji.json')
  .then((r) => r.json())
  .then((table) => {
    S.emoji = table;
    if (S.snap) renderAll();
  })
  .catch(() => undefined);
connect();
