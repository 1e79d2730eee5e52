// dealwright console: plain JavaScript over the server's JSON API (/v1). Every value from the
// API is set as text (textContent, createTextNode), never parsed as HTML: what a customer
// wrote is data, whatever it says.
'use strict';

const STAGES = ['new', 'qualifying', 'needs_info', 'scoping', 'pricing', 'awaiting_approval',
                'proposal_ready', 'ordered', 'disqualified', 'lost'];
const TOKEN_KEY = 'dealwright.token';

// ---- small DOM helpers --------------------------------------------------------------

// el('tag.class', {attr: value}, child...): children are nodes or strings (made text).
function el(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split('.');
  const e = document.createElement(tag);
  if (classes.length) e.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
const SVG_NS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  for (const c of children.flat()) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
const $ = (id) => document.getElementById(id);
const text = (v) => (v === null || v === undefined || v === '' ? '—' : String(v));
function table(head, rows, numeric) {
  const num = new Set(numeric || []);
  return el('table', {},
    el('thead', {}, el('tr', {}, head.map((h, i) => el(num.has(i) ? 'th.num' : 'th', {}, h)))),
    el('tbody', {}, rows.map((r) => el(r.cls ? 'tr.' + r.cls : 'tr', {},
      (r.cells || r).map((c, i) => el(num.has(i) ? 'td.num' : 'td', {}, c))))));
}

// ---- the API --------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    const e = body && body.error;
    super(e ? e.message + (e.field ? ' (' + e.field + ')' : '') : 'HTTP ' + status);
    this.status = status;
  }
}
async function api(path, options) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const init = Object.assign({headers: {}}, options || {});
  init.headers.Authorization = 'Bearer ' + token;
  if (init.body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(init.body);
  }
  const res = await fetch('/v1/' + path, init);
  let body = null;
  try { body = await res.json(); } catch (_) { body = null; }
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    showSignin('The token was refused; sign in again.');
    throw new ApiError(401, body);
  }
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}
const seg = (id) => encodeURIComponent(id);

// ---- sign-in and routing --------------------------------------------------------------

function showSignin(message) {
  unfollow();
  $('nav').hidden = true;
  $('signout').hidden = true;
  $('view').hidden = true;
  $('who').textContent = '';
  $('signin').hidden = false;
  $('signin-error').textContent = message || '';
  $('token').focus();
}

async function signin(ev) {
  ev.preventDefault();
  const token = $('token').value.trim();
  if (!/^dwt_[0-9a-f]{64}$/.test(token)) {
    $('signin-error').textContent = 'A token is dwt_ followed by 64 hex digits.';
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $('token').value = '';
  try {
    await api('approvals');
  } catch (e) {
    if (e.status !== 401) $('signin-error').textContent = e.message;
    return;
  }
  if (!location.hash || location.hash === '#/') location.hash = '#/board';
  else route();
}

function signout() {
  sessionStorage.removeItem(TOKEN_KEY);
  showSignin('Signed out.');
}

let routeSeq = 0;
async function route() {
  if (!sessionStorage.getItem(TOKEN_KEY)) return showSignin('');
  $('signin').hidden = true;
  $('nav').hidden = false;
  $('signout').hidden = false;
  const view = $('view');
  view.hidden = false;
  const hash = location.hash || '#/board';
  for (const a of document.querySelectorAll('#nav a'))
    a.classList.toggle('active', hash.startsWith(a.getAttribute('href')));
  const seq = ++routeSeq;
  let page;
  try {
    if (!$('who').textContent) {
      const me = await api('me');
      $('who').textContent = me.user + ' · ' + me.role;
    }
    const m = /^#\/deals\/([A-Za-z0-9-]{1,20})$/.exec(hash);
    if (m) page = await dealPage(m[1]);
    else if (hash === '#/approvals') page = await approvalsPage();
    else if (hash === '#/dashboard') page = await dashboardPage();
    else page = await boardPage();
    refreshPending();
  } catch (e) {
    if (e.status === 401) return;
    page = el('p.error', {role: 'alert'}, 'Could not load this page: ' + e.message);
  }
  if (seq !== routeSeq) return; // a later navigation won
  view.replaceChildren(page);
  follow();
}

async function refreshPending() {
  try {
    const pending = await api('approvals');
    $('pending-count').textContent = pending.length ? String(pending.length) : '';
  } catch (_) { /* shown by the page itself */ }
}

// ---- the pipeline board ---------------------------------------------------------------

async function boardPage() {
  const deals = await api('deals');
  const by = new Map(STAGES.map((s) => [s, []]));
  for (const d of deals) {
    if (!by.has(d.stage)) by.set(d.stage, []);
    by.get(d.stage).push(d);
  }
  return el('div', {},
    el('h1', {}, 'Pipeline'),
    el('div.board', {id: 'board'}, [...by].map(([stage, list]) =>
      el('section.column', {'data-stage': stage},
        el('h2', {}, stage.replace('_', ' '), ' ', el('span.muted', {}, '(' + list.length + ')')),
        list.map((d) => el('a.card', {href: '#/deals/' + d.id, 'data-deal': d.id},
          el('div.id', {}, d.id),
          el('div', {}, text(d.account || d.contact_email)),
          d.total ? el('div.muted', {}, d.currency + ' ' + d.total) : null,
          d.parked ? el('div.parked', {}, 'parked: ' + text(d.last_error)) : null))))));
}

// ---- a deal ---------------------------------------------------------------------------

// Every extracted fact that carries a source span [start, end) in a lead's message (byte
// offsets in UTF-8), with a label for it.
function spansOf(req) {
  const out = [];
  const visit = (label, v) => {
    if (Array.isArray(v)) return v.forEach((x) => visit(label, x));
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v.span) && v.span.length === 2) out.push({label, fact: v});
    for (const [k, x] of Object.entries(v)) if (k !== 'span' && typeof x === 'object') visit(label, x);
  };
  for (const [k, v] of Object.entries(req || {})) visit(k, v);
  return out;
}

// The message with the spans of its lead's facts marked; overlapping spans keep the first.
function highlighted(message, spans, warnLabels) {
  const bytes = new TextEncoder().encode(message || '');
  const dec = new TextDecoder();
  const sorted = spans.filter((s) => s.fact.span[0] >= 0 && s.fact.span[1] <= bytes.length &&
                                     s.fact.span[0] < s.fact.span[1])
                      .sort((a, b) => a.fact.span[0] - b.fact.span[0]);
  const out = el('div.message', {});
  let at = 0;
  for (const s of sorted) {
    const [a, b] = s.fact.span;
    if (a < at) continue;
    out.append(dec.decode(bytes.slice(at, a)));
    out.append(el(warnLabels.has(s.label) ? 'mark.warn' : 'mark', {title: s.label, 'data-label': s.label},
                  dec.decode(bytes.slice(a, b))));
    at = b;
  }
  out.append(dec.decode(bytes.slice(at)));
  return out;
}

// A lead as the customer wrote it: the message, then a chat transcript turn by turn. Spans
// count bytes in the customer's words as the extraction read them: the message, then each
// customer turn, joined by a blank line (two bytes).
function leadView(lead, spans, warn) {
  const enc = new TextEncoder();
  const shifted = (start, len) => spans
    .filter((s) => s.fact.span[0] >= start && s.fact.span[1] <= start + len)
    .map((s) => ({label: s.label, fact: Object.assign({}, s.fact, {span: [s.fact.span[0] - start, s.fact.span[1] - start]})}));
  const box = el('div', {});
  let at = 0;
  if (lead.message) {
    const len = enc.encode(lead.message).length;
    box.append(highlighted(lead.message, shifted(0, len), warn));
    at = len;
  }
  const turns = Array.isArray(lead.transcript) ? lead.transcript : [];
  if (turns.length) {
    const list = el('ol.transcript', {});
    for (const t of turns) {
      const words = typeof t.text === 'string' ? t.text : '';
      let body;
      if (t.from === 'customer') {
        if (at) at += 2;
        const len = enc.encode(words).length;
        body = highlighted(words, shifted(at, len), warn);
        at += len;
      } else {
        body = el('div.message', {}, words);
      }
      list.append(el('li.turn.from-' + (t.from === 'customer' ? 'customer' : 'agent'), {'data-from': text(t.from)},
        el('span.who', {}, text(t.from)), body));
    }
    box.append(list);
  }
  if (!lead.message && !turns.length) box.append(el('p.muted', {}, 'No text (redacted or empty).'));
  return box;
}

function factValue(label, f) {
  if (f.name) return f.name;
  if (f.value !== undefined) return f.value + (f.unit ? ' ' + f.unit : '');
  if (f.amount) return (f.currency || '') + ' ' + f.amount;
  if (f.date) return f.date;
  if (f.code) return f.code;
  return f.text;
}

// Two quote revisions compared by the server (GET /v1/deals/{id}/quotes/{r1}/diff/{r2}):
// lines added, removed and changed field by field, and how the totals moved.
function money(minor, digits) {
  if (minor === null || minor === undefined) return '—';
  const neg = minor < 0, v = Math.abs(minor), p = 10 ** digits;
  return (neg ? '−' : '') + Math.floor(v / p) + (digits ? '.' + String(v % p).padStart(digits, '0') : '');
}
function quoteDiffView(diff) {
  const digits = diff.digits || 0;
  const show = (field, v) => (typeof v === 'number' && /^(unit_price|amount|discount|net|cost|list_price)$/.test(field)
    ? money(v, digits) : typeof v === 'object' && v !== null ? JSON.stringify(v) : text(v));
  const rows = [];
  for (const l of diff.added || []) rows.push({cls: 'diff-add', cells: ['+', l.sku, 'line', '', text(l.quantity) + ' × ' + text(l.name)]});
  for (const l of diff.removed || []) rows.push({cls: 'diff-del', cells: ['−', l.sku, 'line', text(l.quantity) + ' × ' + text(l.name), '']});
  for (const c of diff.changed || [])
    for (const f of c.changes || []) rows.push({cls: 'diff-chg', cells: ['~', c.key, f.field, show(f.field, f.from), show(f.field, f.to)]});
  for (const f of diff.quote || []) rows.push({cls: 'diff-chg', cells: ['~', 'quote', f.field, text(f.from), text(f.to)]});
  const totals = Object.entries(diff.totals || {}).map(([k, t]) =>
    [k, money(t.from, digits), money(t.to, digits), t.delta === null ? '—' : (t.delta > 0 ? '+' : '') + money(t.delta, digits)]);
  return el('div', {},
    rows.length ? table(['', 'line', 'field', 'r' + diff.from.revision, 'r' + diff.to.revision], rows)
                : el('p.muted', {}, 'No line changed.'),
    el('p.muted', {}, String(diff.unchanged || 0), ' lines unchanged · ', diff.currency),
    table(['total', 'r' + diff.from.revision, 'r' + diff.to.revision, 'change'], totals, [1, 2, 3]));
}

// The proposal as the customer reads it: the server's HTML of it (md4c, raw HTML refused),
// parsed into an inert document and copied over element by element — only the elements a
// Markdown document has, no attribute but a cell's alignment — so nothing in it can run or
// load, whatever the text says. Tables show as tables.
const PROPOSAL_TAGS = new Set(['H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'P', 'UL', 'OL', 'LI', 'TABLE',
  'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'STRONG', 'EM', 'CODE', 'PRE', 'BLOCKQUOTE', 'HR', 'BR',
  'SUP', 'DEL', 'A']);
function copySafe(node) {
  if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.nodeValue);
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  if (!PROPOSAL_TAGS.has(node.tagName)) {
    // an element a proposal does not have: its text only
    return document.createTextNode(node.textContent);
  }
  const e = document.createElement(node.tagName === 'A' ? 'span' : node.tagName.toLowerCase());
  const align = node.getAttribute('align');
  if ((node.tagName === 'TH' || node.tagName === 'TD') && /^(left|right|center)$/.test(align || ''))
    e.className = 'align-' + align;
  for (const c of node.childNodes) {
    const k = copySafe(c);
    if (k) e.append(k);
  }
  return e;
}
function proposalView(html) {
  const box = el('div.proposal', {id: 'proposal'});
  // only the article: the page's own style sheet is for readers of the page itself (and
  // the console's policy allows no inline style)
  const body = /<article class="proposal">([\s\S]*)<\/article>/.exec(html || '');
  const doc = new DOMParser().parseFromString(body ? body[1] : '', 'text/html');
  const article = doc.body;
  for (const c of article.childNodes) {
    const k = copySafe(c);
    if (k) box.append(k);
  }
  return box;
}

// The proposal's PDF, fetched with the token and handed to the browser as a download.
async function downloadPdf(id, status) {
  status.textContent = '';
  const res = await fetch('/v1/deals/' + seg(id) + '/proposal?format=pdf',
    {headers: {Authorization: 'Bearer ' + sessionStorage.getItem(TOKEN_KEY)}});
  if (!res.ok) { status.textContent = 'The PDF could not be made (' + res.status + ').'; return; }
  const url = URL.createObjectURL(await res.blob());
  const a = el('a', {href: url, download: 'proposal-' + id + '.pdf'});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function approvalCard(a, dealStage, onDone) {
  const note = el('textarea', {'aria-label': 'note', maxlength: 2000, placeholder: 'Note (a rejection needs one)'});
  const status = el('p.error', {role: 'alert'});
  const decide = async (decision) => {
    status.textContent = '';
    try {
      await api('approvals/' + seg(a.id) + '/decision', {method: 'POST', body: {decision, note: note.value}});
      onDone();
    } catch (e) {
      status.textContent = e.message;
    }
  };
  return el('div.panel.approval', {'data-approval': a.id},
    el('h2', {}, a.id, ' · ', a.kind, ' · needs ', a.required_role,
       a.deal ? [' · ', el('a', {href: '#/deals/' + a.deal}, a.deal)] : null),
    el('p', {}, el('strong', {}, 'Why: '), a.reason),
    el('p.muted', {}, 'Rule: ', a.rule),
    el('p', {}, 'Approves quote revision ', el('strong.revision', {}, String(a.quote_revision)),
       ' (', el('code', {}, String(a.quote_hash || '').slice(0, 12)), ') · asked ', a.created_at,
       dealStage ? ' · deal is ' + dealStage : ''),
    a.status === 'pending' && a.can_decide
      ? el('div', {}, note, el('p', {},
          el('button.approve', {type: 'button', onclick: () => decide('approve')}, 'Approve'), ' ',
          el('button.reject', {type: 'button', onclick: () => decide('reject')}, 'Reject')), status)
      : a.status === 'pending'
      ? el('p.deciders', {}, 'Waiting for a decision by ',
           (a.deciders || []).length ? (a.deciders || []).join(', ') : 'no one in the team',
           ' (', a.required_role, '); you may not decide it.')
      : el('p', {}, el('span.tag.' + a.status, {}, a.status), ' by ', text(a.decided_by), ' at ',
           text(a.decided_at), a.note ? ' — ' : '', a.note ? el('q', {}, a.note) : null));
}

async function dealPage(id) {
  const [d, tl] = await Promise.all([api('deals/' + seg(id)), api('deals/' + seg(id) + '/timeline')]);
  let proposal = null;
  const res = await fetch('/v1/deals/' + seg(id) + '/proposal?format=html',
    {headers: {Authorization: 'Bearer ' + sessionStorage.getItem(TOKEN_KEY)}});
  if (res.ok) proposal = await res.text();
  else if (res.status !== 404) throw new ApiError(res.status, null);
  const req = d.requirements || {};
  const spans = spansOf(req);
  const warn = new Set(['instructions_detected', 'ignored']);
  const leads = d.leads && d.leads.length ? d.leads : (d.lead ? [d.lead] : []);
  const leadNo = (l) => Number(String(l.id).replace(/\D/g, ''));

  const page = el('div', {id: 'deal', 'data-stage': d.stage},
    el('h1', {}, d.id, ' · ', text(d.account && d.account.name), ' ',
       el('span.tag', {id: 'deal-stage'}, d.stage)),
    d.parked ? el('p.error', {}, 'Parked: ', text(d.last_error)) : null);

  const pending = (d.approvals || []).filter((a) => a.status === 'pending');
  if (pending.length) {
    page.append(el('h2', {}, 'Waiting for approval'));
    for (const a of pending) page.append(approvalCard(a, null, () => route()));
  }

  // Requirements and where they were read.
  const reqRows = spans.map((s) => [s.label, text(factValue(s.label, s.fact)), text(s.fact.text),
                                    s.fact.confidence === undefined ? '' : s.fact.confidence + '%']);
  page.append(el('div.grid2', {},
    el('div.panel', {}, el('h2', {}, 'Requirements'),
       reqRows.length ? table(['fact', 'value', 'as written', 'confidence'], reqRows, [3])
                      : el('p.muted', {}, 'None extracted yet.')),
    el('div.panel', {}, el('h2', {}, 'Messages'),
       leads.map((l) => el('div', {'data-lead': l.id},
         el('p.muted', {}, l.id, ' · ', l.source, ' · ', l.received_at, ' · ', text(l.subject)),
         leadView(l, spans.filter((s) => !s.fact.lead || s.fact.lead === leadNo(l)), warn))))));

  // Solution.
  if (d.solution) {
    page.append(el('div.panel', {}, el('h2', {}, 'Solution'),
      table(['sku', 'name', 'qty', 'covers', 'why'],
            (d.solution.lines || []).map((l) => [l.sku, l.name, l.quantity, (l.covers || []).join(', '), l.reason]), [2])));
  }

  // Quote and its revisions.
  const quotes = (d.quotes || []).slice().sort((a, b) => a.revision - b.revision);
  if (d.quote) {
    const q = d.quote;
    const panel = el('div.panel', {id: 'quote'}, el('h2', {}, 'Quote revision ', String(q.revision), ' · ', q.currency, ' ', q.total),
      table(['sku', 'name', 'qty', 'unit', 'discount', 'net', 'billing'],
            (q.lines || []).map((l) => [l.sku, l.name, l.quantity, l.unit_price, l.discount, l.net, l.billing]), [2, 3, 4, 5]),
      el('p', {}, 'Subtotal ', q.subtotal, ' · discount ', q.discount, ' (', (q.discount_bp / 100).toFixed(2), ' %) · total ',
         el('strong', {}, q.total), ' · margin ', text(q.margin), q.margin_bp !== undefined ? ' (' + (q.margin_bp / 100).toFixed(1) + ' %)' : ''));
    if (quotes.length > 1) {
      panel.append(el('h2', {}, 'Revisions'),
        table(['revision', 'total', 'discount', 'created'], quotes.map((r) => [r.revision, r.total, r.discount, r.created_at]), [0, 1, 2]));
      const from = el('select', {'aria-label': 'from revision'}, quotes.map((r) => el('option', {value: r.revision}, 'r' + r.revision)));
      const to = el('select', {'aria-label': 'to revision'}, quotes.map((r) => el('option', {value: r.revision}, 'r' + r.revision)));
      from.value = String(quotes[quotes.length - 2].revision);
      to.value = String(quotes[quotes.length - 1].revision);
      const out = el('div', {id: 'quote-diff'});
      const show = async () => {
        try {
          const diff = await api('deals/' + seg(d.id) + '/quotes/' + seg(from.value) + '/diff/' + seg(to.value));
          out.replaceChildren(quoteDiffView(diff));
        } catch (e) {
          out.replaceChildren(el('p.error', {}, e.message));
        }
      };
      from.addEventListener('change', show);
      to.addEventListener('change', show);
      show();
      panel.append(el('p', {}, 'Compare ', from, ' with ', to), out);
    }
    page.append(panel);
  }

  // Proposal.
  const pdfStatus = el('span.error', {role: 'alert'});
  page.append(el('div.panel', {}, el('h2', {}, 'Proposal'),
    proposal ? [el('p', {}, el('button', {type: 'button', id: 'proposal-pdf',
                                          onclick: () => downloadPdf(id, pdfStatus)}, 'Download PDF'),
                      ' ', pdfStatus),
                proposalView(proposal)]
             : el('p.muted', {}, 'No proposal yet.')));

  // Decided approvals.
  const decided = (d.approvals || []).filter((a) => a.status !== 'pending');
  if (decided.length) {
    page.append(el('h2', {}, 'Approvals'));
    for (const a of decided) page.append(approvalCard(a, null, () => route()));
  }

  // Timeline: events and the audit trail, merged by time.
  const items = [];
  for (const e of tl.events || []) items.push({at: e.at, kind: 'event', what: e.type, who: (e.data && e.data.by) || '', data: e.data});
  for (const a of tl.audit || []) items.push({at: a.at, kind: 'audit', what: a.action || a.type || '', who: a.actor || a.user || '', data: a.data || a.detail || a});
  items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  page.append(el('div.panel', {id: 'timeline'}, el('h2', {}, 'Timeline and audit trail'),
    table(['time', 'kind', 'what', 'by', 'detail'],
          items.map((i) => [i.at, i.kind, i.what, i.who, JSON.stringify(i.data).slice(0, 300)]))));
  return page;
}

// ---- the approval inbox ---------------------------------------------------------------

async function approvalsPage() {
  const pending = await api('approvals');
  return el('div', {id: 'inbox'},
    el('h1', {}, 'Approval inbox'),
    pending.length ? pending.map((a) => approvalCard(a, null, () => route()))
                   : el('p.muted', {id: 'inbox-empty'}, 'Nothing is waiting for a decision.'));
}

// ---- the funnel dashboard -------------------------------------------------------------

// A horizontal bar chart; each bar carries its value (data-value) and shows it as text.
function barChart(id, title, bars, fmt) {
  const w = 420, rowH = 26, left = 150, room = w - left - 90, h = bars.length * rowH + 10;
  const max = Math.max(1, ...bars.map((b) => b.value));
  return el('div.panel', {id},
    el('h2', {}, title),
    bars.length
      ? svg('svg', {viewBox: `0 0 ${w} ${h}`, width: '100%', height: h, role: 'img', 'aria-label': title},
          bars.map((b, i) => svg('g', {class: 'row', 'data-label': b.label, 'data-value': b.value},
            svg('text', {class: 'label', x: 0, y: i * rowH + 18}, b.label),
            svg('rect', {class: 'bar' + (b.cls ? ' ' + b.cls : ''), x: left, y: i * rowH + 5,
                         width: (room * b.value / max).toFixed(2), height: rowH - 8}),
            svg('text', {class: 'value', x: left + room * b.value / max + 6, y: i * rowH + 18},
                fmt ? fmt(b.value, b) : String(b.value)))))
      : el('p.muted', {}, 'Nothing to show yet.'));
}

// A duration in seconds in the unit that reads best.
function duration(s) {
  if (s === null || s === undefined) return '—';
  if (s < 120) return s + ' s';
  if (s < 7200) return (s / 60).toFixed(1) + ' min';
  if (s < 172800) return (s / 3600).toFixed(1) + ' h';
  return (s / 86400).toFixed(1) + ' d';
}
const pct = (bp) => (bp === null || bp === undefined ? '—' : (bp / 100).toFixed(1) + ' %');

// The funnel, time in stage and the approvals from one report of the server
// (GET /v1/reports/funnel), aggregated in the store: no deal is read one by one.
async function dashboardPage() {
  const rep = await api('reports/funnel');
  const a = rep.approvals || {};
  const funnel = (rep.funnel || []).map((f, i) => ({label: f.step, value: f.n, conv: i ? f.conversion_bp : null}));
  const times = (rep.stage_times || []).map((t) => ({label: t.stage, value: t.mean_s, n: t.n}));
  const stages = STAGES.map((s) => ({label: s, value: (rep.stages || {})[s] || 0}));
  const decided = a.decided || 0;
  const to = rep.time_to || {};
  return el('div', {id: 'dashboard', 'data-as-of': rep.as_of},
    el('h1', {}, 'Funnel'),
    el('p.muted', {}, 'As of ', rep.as_of, '.'),
    el('div.charts', {},
      barChart('chart-funnel', 'Deals → qualified → proposal → order', funnel,
               (v, b) => String(v) + (b.conv === null ? '' : ' (' + pct(b.conv) + ')')),
      el('div.panel', {id: 'approvals-panel'}, el('h2', {}, 'Approvals'),
        el('p', {}, el('span.kpi', {id: 'approval-rate'},
                       a.approval_rate_bp === null || a.approval_rate_bp === undefined ? '—' : Math.round(a.approval_rate_bp / 100) + ' %'),
           ' approved of ', el('strong', {id: 'approvals-decided'}, String(decided)), ' decided'),
        el('p', {}, 'Time waiting on people: ', el('strong', {}, duration(a.mean_wait_s)),
           ' on average for decided approvals; ', el('strong', {id: 'approvals-pending'}, String(a.pending || 0)),
           ' waiting now', a.oldest_pending_at ? ', the oldest since ' + a.oldest_pending_at : '', '.'),
        svg('svg', {viewBox: '0 0 420 40', width: '100%', height: 40, role: 'img', 'aria-label': 'approved and rejected'},
          svg('rect', {class: 'bar ok', x: 0, y: 5, height: 24, width: decided ? 420 * a.approved / decided : 0}),
          svg('rect', {class: 'bar bad', x: decided ? 420 * a.approved / decided : 0, y: 5, height: 24,
                       width: decided ? 420 * a.rejected / decided : 0}))),
      barChart('chart-cycle', 'Mean time in stage', times, (v, b) => duration(v) + ' · ' + b.n + ' stays'),
      barChart('chart-stages', 'Deals by stage now', stages),
      el('div.panel', {id: 'time-to'}, el('h2', {}, 'Cycle time'),
        table(['from creation to', 'deals', 'mean', 'longest'],
              ['proposal_ready', 'ordered'].map((k) => [k, String((to[k] || {}).n || 0), duration((to[k] || {}).mean_s),
                                                        duration((to[k] || {}).max_s)]), [1, 2, 3]))));
}

// ---- live: the event stream --------------------------------------------------------------

// The page follows GET /v1/events. EventSource cannot send an Authorization header (and a
// token does not belong in a URL, where logs keep it), so the stream is read with fetch.
// It starts at `after=latest`, resumes after the last event seen when the connection drops,
// and re-renders the current page (at most every 1.5 s) when an event concerns it — unless
// someone is writing a note on it, which a re-render would wipe; then a notice offers it.
let live = null; // {abort, last}
let refreshTimer = null;

function concerns(ev) {
  const hash = location.hash || '#/board';
  const m = /^#\/deals\/D-0*([0-9]{1,12})$/.exec(hash);
  if (m) return ev.deal_id === Number(m[1]);
  if (hash === '#/approvals') return ev.type.startsWith('approval.');
  return true; // the board and the funnel count every deal
}

function typing() {
  return [...document.querySelectorAll('#view textarea')].some((t) => t.value.trim() !== '');
}

function scheduleRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    if (typing()) {
      if (!$('live-notice')) {
        $('view').prepend(el('p.notice', {id: 'live-notice', role: 'status'}, 'This page changed. ',
          el('button', {type: 'button', onclick: () => route()}, 'Show the changes')));
      }
      return;
    }
    route();
  }, 1500);
}

async function follow() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token || live) return;
  const ctl = new AbortController();
  live = {abort: () => ctl.abort(), last: 'latest'};
  const me = live;
  while (live === me) {
    try {
      const res = await fetch('/v1/events?after=' + encodeURIComponent(me.last),
                              {headers: {Authorization: 'Bearer ' + token}, signal: ctl.signal});
      if (res.status === 401) break;
      if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
      $('live').textContent = 'live';
      const reader = res.body.getReader();
      const dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        buf += dec.decode(value, {stream: true});
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let id = null, data = null;
          for (const line of frame.split('\n')) {
            if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('data: ')) data = line.slice(6);
          }
          if (id !== null) me.last = id;
          if (data === null) continue; // a keep-alive comment
          let ev;
          try { ev = JSON.parse(data); } catch (_) { continue; }
          if (typeof ev.type === 'string' && concerns(ev)) scheduleRefresh();
          if (typeof ev.type === 'string' && ev.type.startsWith('approval.')) refreshPending();
        }
      }
    } catch (e) {
      if (ctl.signal.aborted) break;
    }
    if (live !== me) break;
    $('live').textContent = 'reconnecting';
    await new Promise((r) => setTimeout(r, 2000));
  }
  if (live === me) live = null;
  $('live').textContent = '';
}

function unfollow() {
  if (live) live.abort();
  live = null;
  $('live').textContent = '';
}

// ---- start ----------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  $('signin-form').addEventListener('submit', signin);
  $('signout').addEventListener('click', signout);
  window.addEventListener('hashchange', route);
  route();
});
