// dialtone console. Plain JavaScript, no framework, no build step: the state is a few maps fed
// by one EventSource (/_dialtone/stream), and the page is redrawn from them on the next frame
// after a change. Actions go to the control API (as the callee, the clock) and to Twilio's API
// with the account's own credentials from GET /_dialtone/accounts (as the app would).
'use strict';

(() => {
  const LIVE = new Set(['queued', 'ringing', 'in-progress']);
  const LANES = ['queued', 'ringing', 'in-progress'];
  const ROWS = [
    { key: 'webhook', label: 'webhooks' },
    { key: 'verb', label: 'verbs' },
    { key: 'api', label: 'API' },
    { key: 'callee', label: 'callee' },
    { key: 'notice', label: 'notices' },
  ];
  const MAX_EVENTS_PER_CALL = 5000;

  const state = {
    calls: new Map(), // sid -> the call as Twilio renders it
    seen: new Map(), // sid -> order of arrival (ties of date_created)
    events: new Map(), // call sid -> Map(seq -> journal event)
    loaded: new Set(), // calls whose whole journal was fetched
    accounts: new Map(), // sid -> {sid, auth_token, friendly_name, owner_account_sid}
    clock: { mode: 'real', speed: 1, now_ms: 0, at: performance.now() },
    selected: null,
    picked: null, // seq of the event shown in the inspector
    statusFilter: '',
    accountFilter: '',
    fresh: new Set(),
    ready: false, // the first snapshot arrived: later calls are new ones
  };

  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';

  // ------------------------------------------------------------------ DOM helpers

  function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    setAttrs(el, attrs);
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  function s(tag, attrs = {}, text) {
    const el = document.createElementNS(SVG, tag);
    setAttrs(el, attrs);
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function setAttrs(el, attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.setAttribute('class', v);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }

  function toast(text, bad = false) {
    const t = h(
      'div',
      { class: bad ? 'toast bad' : 'toast', role: bad ? 'alert' : 'status' },
      text,
    );
    $('toasts').append(t);
    setTimeout(() => t.remove(), bad ? 6000 : 2500);
  }

  // ------------------------------------------------------------------ time

  function virtualNow() {
    const c = state.clock;
    if (c.mode !== 'real') return c.now_ms;
    return c.now_ms + (performance.now() - c.at) * c.speed;
  }

  const ms = (rfc) => (rfc ? Date.parse(rfc) : NaN);

  function fmtClock(t) {
    if (!Number.isFinite(t)) return '--:--:--';
    return new Date(t).toISOString().replace('T', ' ').slice(0, 19);
  }

  function fmtTime(t) {
    if (!Number.isFinite(t)) return '';
    return new Date(t).toISOString().slice(11, 19);
  }

  function fmtDuration(sec) {
    if (!Number.isFinite(sec) || sec < 0) return '';
    sec = Math.floor(sec);
    const m = Math.floor(sec / 60);
    const r = sec % 60;
    return m >= 60
      ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(r).padStart(2, '0')}`
      : `${m}:${String(r).padStart(2, '0')}`;
  }

  function fmtOffset(dms) {
    const sec = dms / 1000;
    if (sec === 0) return '0s';
    if (Math.abs(sec) < 60) return `+${sec.toFixed(sec < 10 ? 2 : 1).replace(/\.?0+$/, '')}s`;
    return `+${fmtDuration(sec)}`;
  }

  // Seconds the call has lasted: Twilio's duration once ended, else since it was answered.
  function callDuration(c) {
    if (c.duration !== null && c.duration !== undefined && c.duration !== '')
      return Number(c.duration);
    const start = ms(c.start_time);
    if (c.status === 'in-progress' && Number.isFinite(start)) return (virtualNow() - start) / 1000;
    return NaN;
  }

  // ------------------------------------------------------------------ HTTP

  async function request(method, url, form, account) {
    const headers = {};
    let body;
    if (form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    if (account) headers.Authorization = 'Basic ' + btoa(`${account.sid}:${account.auth_token}`);
    const res = await fetch(url, { method, headers, body });
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const why = json && json.message ? json.message : `${res.status} ${res.statusText}`;
      throw new Error(json && json.code ? `${why} (${json.code})` : why);
    }
    return json;
  }

  let accountsLoading = null;
  function loadAccounts() {
    if (accountsLoading) return accountsLoading;
    accountsLoading = request('GET', '/_dialtone/accounts')
      .then((r) => {
        for (const a of r.accounts) state.accounts.set(a.sid, a);
        renderAccountPicker();
      })
      .catch((e) => toast(`Accounts: ${e.message}`, true))
      .finally(() => {
        accountsLoading = null;
      });
    return accountsLoading;
  }

  async function accountFor(call) {
    if (!state.accounts.has(call.account_sid)) await loadAccounts();
    const a = state.accounts.get(call.account_sid);
    if (!a) throw new Error(`no credentials for account ${call.account_sid}`);
    return a;
  }

  // ------------------------------------------------------------------ the live feed

  function connect() {
    const conn = $('conn');
    const setConn = (st, text) => {
      conn.dataset.state = st;
      conn.querySelector('.conn-text').textContent = text;
    };
    const es = new EventSource('/_dialtone/stream');
    es.addEventListener('hello', () => {
      setConn('live', 'live');
      // The snapshot follows hello in the same read: calls after it are new ones.
      requestAnimationFrame(() => {
        state.ready = true;
      });
    });
    es.addEventListener('clock', (m) => {
      const c = JSON.parse(m.data);
      state.clock = { mode: c.mode, speed: c.speed, now_ms: c.now_ms, at: performance.now() };
      renderClock();
      if (state.clock.mode !== 'real') schedule(); // manual time moves only with events
    });
    es.addEventListener('call', (m) => onCall(JSON.parse(m.data)));
    es.addEventListener('journal', (m) => onJournal(JSON.parse(m.data)));
    es.addEventListener('resync', () => {
      // Too far behind to catch up event by event: drop what we hold and fetch it again.
      state.events.clear();
      state.loaded.clear();
      if (state.selected) loadJournal(state.selected);
    });
    es.onopen = () => setConn('live', 'live');
    es.onerror = () =>
      setConn(
        es.readyState === EventSource.CLOSED ? 'down' : 'connecting',
        es.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting',
      );
  }

  function onCall(call) {
    const known = state.calls.has(call.sid);
    state.calls.set(call.sid, call);
    if (!known) {
      state.seen.set(call.sid, state.seen.size);
      if (state.ready) state.fresh.add(call.sid);
      if (!state.accounts.has(call.account_sid)) loadAccounts();
    }
    if (!state.selected && location.hash === `#${call.sid}`) select(call.sid);
    schedule();
  }

  function onJournal(ev) {
    if (!ev.call_sid) return;
    addEvents(ev.call_sid, [ev]);
    if (ev.call_sid === state.selected) schedule();
  }

  function addEvents(callSid, list) {
    let m = state.events.get(callSid);
    if (!m) state.events.set(callSid, (m = new Map()));
    for (const ev of list) m.set(ev.seq, ev);
    if (m.size > MAX_EVENTS_PER_CALL) {
      const drop = [...m.keys()].sort((a, b) => a - b).slice(0, m.size - MAX_EVENTS_PER_CALL);
      for (const k of drop) m.delete(k);
    }
  }

  function eventsOf(callSid) {
    const m = state.events.get(callSid);
    return m ? [...m.values()].sort((a, b) => a.seq - b.seq) : [];
  }

  async function loadJournal(sid) {
    try {
      const r = await request('GET', `/_dialtone/calls/${encodeURIComponent(sid)}/events`);
      addEvents(sid, r.events);
      state.loaded.add(sid);
      schedule();
    } catch (e) {
      toast(`Journal of ${sid}: ${e.message}`, true);
    }
  }

  // ------------------------------------------------------------------ rendering

  let frame = 0;
  function schedule() {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      renderCalls();
      renderDetail();
    });
  }

  function renderClock() {
    const mode = $('clock-mode');
    const manual = state.clock.mode === 'manual';
    mode.textContent = manual
      ? 'manual'
      : state.clock.speed !== 1
        ? `real ×${state.clock.speed}`
        : 'real';
    mode.classList.toggle('manual', manual);
    $('clock-now').textContent = fmtClock(virtualNow());
    $('advance-button').disabled = !manual;
    $('advance-seconds').disabled = !manual;
    $('manual-button').hidden = manual;
    $('advance-button').title = manual
      ? 'Move the manual clock forward, firing what is due'
      : 'The clock is real: switch it to manual to advance it';
  }

  function renderAccountPicker() {
    const sel = $('account-filter');
    const keep = sel.value;
    sel.replaceChildren(h('option', { value: '' }, 'All accounts'));
    for (const a of state.accounts.values()) {
      const sub = a.owner_account_sid && a.owner_account_sid !== a.sid ? ' (sub)' : '';
      sel.append(
        h(
          'option',
          { value: a.sid },
          `${a.friendly_name || 'account'}${sub} · …${a.sid.slice(-6)}`,
        ),
      );
    }
    sel.value = state.accounts.has(keep) ? keep : '';
  }

  function matches(c) {
    if (state.accountFilter && c.account_sid !== state.accountFilter) return false;
    const f = state.statusFilter;
    if (!f) return true;
    return f === 'live' ? LIVE.has(c.status) : c.status === f;
  }

  function newestFirst(a, b) {
    const d = ms(b.date_created) - ms(a.date_created);
    return d || state.seen.get(b.sid) - state.seen.get(a.sid);
  }

  // Parents newest first, each followed by its legs (oldest first).
  function orderedCalls() {
    const shown = [...state.calls.values()].filter(matches);
    const shownSids = new Set(shown.map((c) => c.sid));
    const children = new Map();
    const roots = [];
    for (const c of shown) {
      if (c.parent_call_sid && shownSids.has(c.parent_call_sid)) {
        if (!children.has(c.parent_call_sid)) children.set(c.parent_call_sid, []);
        children.get(c.parent_call_sid).push(c);
      } else {
        roots.push(c);
      }
    }
    roots.sort(newestFirst);
    const out = [];
    const walk = (c, depth) => {
      out.push({ call: c, depth });
      for (const k of (children.get(c.sid) || []).sort((a, b) => -newestFirst(a, b)))
        walk(k, depth + 1);
    };
    for (const r of roots) walk(r, 0);
    return out;
  }

  // Twilio's *_formatted where it gave one, else NANP numbers the same way.
  function party(c, key) {
    const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(c[key] || '');
    const formatted = c[`${key}_formatted`];
    if (formatted && formatted !== c[key]) return formatted;
    return m ? `(${m[1]}) ${m[2]}-${m[3]}` : c[key];
  }

  function badge(status) {
    return h(
      'span',
      { class: LIVE.has(status) ? 'badge live' : 'badge', 'data-s': status },
      status,
    );
  }

  function direction(d) {
    return (
      { 'outbound-api': 'outbound API', 'outbound-dial': 'dial leg', inbound: 'inbound' }[d] || d
    );
  }

  function renderCalls() {
    const rows = orderedCalls();
    const body = $('calls-body');
    const frag = document.createDocumentFragment();
    for (const { call: c, depth } of rows.slice(0, 500)) {
      const cls = [
        depth ? 'child' : '',
        c.sid === state.selected ? 'selected' : '',
        state.fresh.has(c.sid) ? 'fresh' : '',
      ]
        .filter(Boolean)
        .join(' ');
      frag.append(
        h(
          'tr',
          {
            class: cls || null,
            'data-call-sid': c.sid,
            'data-status': c.status,
            onclick: () => select(c.sid),
          },
          h('td', {}, badge(c.status)),
          h('td', { class: 'dir' }, direction(c.direction)),
          h('td', { class: 'party', title: c.from }, party(c, 'from')),
          h('td', { class: 'party', title: c.to }, party(c, 'to')),
          h('td', { class: 'num duration' }, fmtDuration(callDuration(c))),
          h('td', { class: 'started', title: c.date_created }, fmtTime(ms(c.date_created))),
        ),
      );
    }
    state.fresh.clear();
    body.replaceChildren(frag);
    $('calls-count').textContent = String(rows.length);
    $('calls-empty').hidden = state.calls.size !== 0;
  }

  // Durations of live calls and the clock move with time, without a server round trip.
  function tick() {
    renderClock();
    for (const tr of $('calls-body').children) {
      const c = state.calls.get(tr.dataset.callSid);
      if (c && c.status === 'in-progress')
        tr.querySelector('.duration').textContent = fmtDuration(callDuration(c));
    }
    const sel = state.selected && state.calls.get(state.selected);
    if (sel && LIVE.has(sel.status) && state.clock.mode === 'real') renderDetail();
  }

  function select(sid) {
    if (state.selected !== sid) state.picked = null;
    state.selected = sid;
    if (location.hash !== `#${sid}`) history.replaceState(null, '', `#${sid}`);
    if (!state.loaded.has(sid)) loadJournal(sid);
    schedule();
  }

  function fact(label, value) {
    return h(
      'div',
      {},
      h('dt', {}, label),
      h('dd', { title: typeof value === 'string' ? value : null }, value),
    );
  }

  function callLink(sid) {
    return h('a', { onclick: () => select(sid), title: sid }, `${sid.slice(0, 10)}…`);
  }

  function renderDetail() {
    const c = state.selected && state.calls.get(state.selected);
    $('detail').hidden = !c;
    $('no-detail').hidden = !!c;
    if (!c) return;
    const b = $('d-status');
    b.replaceWith(Object.assign(badge(c.status), { id: 'd-status' }));
    $('d-route').textContent = `${party(c, 'from')}  →  ${party(c, 'to')}`;
    const legs = [...state.calls.values()].filter((k) => k.parent_call_sid === c.sid);
    $('d-facts').replaceChildren(
      ...[
        fact('Call', c.sid),
        fact('Direction', direction(c.direction)),
        fact('Account', accountName(c.account_sid)),
        c.parent_call_sid ? fact('Parent', callLink(c.parent_call_sid)) : null,
        legs.length
          ? fact(
              'Legs',
              h(
                'span',
                {},
                legs.flatMap((k, i) => [i ? ', ' : '', callLink(k.sid)]),
              ),
            )
          : null,
        fact('Started', c.start_time ? fmtClock(ms(c.start_time)) : '—'),
        fact('Ended', c.end_time ? fmtClock(ms(c.end_time)) : '—'),
        fact('Duration', fmtDuration(callDuration(c)) || '—'),
        c.answered_by ? fact('Answered by', c.answered_by) : null,
      ].filter(Boolean),
    );
    const st = c.status;
    const ringing = st === 'queued' || st === 'ringing';
    const enable = {
      answer: ringing,
      busy: ringing,
      'no-answer': ringing,
      hangup: LIVE.has(st),
    };
    for (const btn of document.querySelectorAll('[data-callee]'))
      btn.disabled = !enable[btn.dataset.callee];
    for (const el of $('digits-form').elements) el.disabled = st !== 'in-progress';
    $('redirect-open').disabled = !LIVE.has(st);
    document.querySelector('[data-update="canceled"]').disabled = !ringing;
    document.querySelector('[data-update="completed"]').disabled = !LIVE.has(st);
    if (!LIVE.has(st)) $('redirect-form').hidden = true;

    const events = eventsOf(c.sid);
    renderTimeline(c, events);
    renderEvents(events);
    renderInspector(events);
  }

  function accountName(sid) {
    const a = state.accounts.get(sid);
    return a && a.friendly_name ? `${a.friendly_name} (${sid.slice(0, 8)}…)` : sid;
  }

  // ------------------------------------------------------------------ timeline

  function rowOf(ev) {
    switch (ev.type) {
      case 'status':
        return 'status';
      case 'webhook.request':
      case 'webhook.undelivered':
        return 'webhook';
      case 'webhook.response':
        return null; // drawn with its request
      case 'api.request':
        return 'api';
      case 'callee':
        return 'callee';
      case 'notification':
        return 'notice';
      default:
        return 'verb'; // verb, record, recovery, ...
    }
  }

  function responseOf(events, req) {
    const id = req.fields.id;
    return events.find((e) => e.type === 'webhook.response' && e.fields.id === id);
  }

  function webhookClass(resp, req) {
    if (req.type === 'webhook.undelivered') return 'bad';
    if (!resp) return 'pending';
    const code = Number(resp.fields.status);
    return resp.fields.error_code || code < 200 || code > 299 ? 'bad' : '';
  }

  // x is monotonic in time but not linear: every instant gets a column wide enough for the
  // markers that share it (a manual clock runs many steps in one millisecond), and what is
  // left of the width is shared by the gaps in proportion to the time between instants.
  function layoutTime(events, endMs, width) {
    const SLOT = 14;
    const MIN_GAP = 10;
    const byInstant = new Map();
    for (const ev of events) {
      const row = rowOf(ev);
      if (!row) continue;
      let counts = byInstant.get(ev.at_ms);
      if (!counts) byInstant.set(ev.at_ms, (counts = {}));
      counts[row] = (counts[row] || 0) + 1;
    }
    if (Number.isFinite(endMs) && !byInstant.has(endMs)) byInstant.set(endMs, {});
    const instants = [...byInstant.keys()].sort((a, b) => a - b);
    const colW = instants.map((t) => Math.max(1, ...Object.values(byInstant.get(t))) * SLOT);
    const gaps = instants.slice(1).map((t, i) => t - instants[i]);
    const total = gaps.reduce((a, b) => a + b, 0);
    const fixed = colW.reduce((a, b) => a + b, 0) + gaps.length * MIN_GAP;
    const free = Math.max(0, width - fixed);
    const colX = [];
    let x = 0;
    instants.forEach((t, i) => {
      colX.push(x);
      if (i < gaps.length) {
        const share = total > 0 ? gaps[i] / total : 1 / gaps.length;
        x += colW[i] + MIN_GAP + free * share;
      }
    });
    const index = new Map(instants.map((t, i) => [t, i]));
    const used = new Map(); // "instant/row" -> slots taken
    return {
      instants,
      colX,
      colW,
      width: Math.max(width, x + colW[colW.length - 1]),
      slot(ev) {
        const i = index.get(ev.at_ms);
        const key = `${i}/${rowOf(ev)}`;
        const k = used.get(key) || 0;
        used.set(key, k + 1);
        return colX[i] + SLOT / 2 + k * SLOT;
      },
      at(t) {
        return colX[index.get(t)] + SLOT / 2;
      },
    };
  }

  function renderTimeline(call, events) {
    const box = $('timeline');
    const LABEL = 96;
    const TAIL = 84; // room right of the last instant for the final state's label
    const avail = Math.max(360, box.clientWidth - LABEL - TAIL - 8);
    const live = LIVE.has(call.status);
    const endMs = live ? Math.max(virtualNow(), ...events.map((e) => e.at_ms)) : NaN;
    const L = layoutTime(events, endMs, avail);

    const markerRows = ROWS.filter(
      (r) => r.key === 'webhook' || r.key === 'verb' || events.some((e) => rowOf(e) === r.key),
    );
    const AXIS = 22;
    const LANE = 18;
    const GAP = 5;
    const laneY = (i) => AXIS + i * (LANE + GAP);
    const rowsTop = laneY(LANES.length + 1) + 8;
    const rowY = (i) => rowsTop + i * (LANE + GAP);
    const height = rowY(markerRows.length) + 4;
    const width = LABEL + L.width + TAIL;
    const svg = s('svg', {
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-label': `Timeline of ${call.sid}`,
    });
    const plot = s('g', { transform: `translate(${LABEL},0)` });

    // Grid and time ticks: one per instant, skipping labels that would collide.
    const t0 = L.instants[0];
    let lastLabel = -Infinity;
    L.instants.forEach((t, i) => {
      const x = L.colX[i] + 7;
      plot.append(s('line', { class: 'tl-grid', x1: x, x2: x, y1: AXIS - 4, y2: height - 2 }));
      if (x - lastLabel >= 58 || i === 0) {
        plot.append(
          s(
            'text',
            { class: 'tl-tick', x, y: 12, 'text-anchor': i === 0 ? 'start' : 'middle' },
            fmtOffset(t - t0),
          ),
        );
        lastLabel = x;
      }
    });

    // State lanes: a bar in the lane of each status for as long as the call was in it.
    const lanes = [...LANES, live ? 'ended' : call.status];
    lanes.forEach((name, i) => {
      svg.append(
        s('rect', {
          class: 'tl-row-bg',
          x: LABEL - 4,
          y: laneY(i) - 2,
          width: width - LABEL + 4,
          height: LANE + 4,
          rx: 4,
        }),
      );
      svg.append(
        s(
          'text',
          { class: 'tl-lane-label', x: LABEL - 10, y: laneY(i) + 13, 'text-anchor': 'end' },
          name,
        ),
      );
    });
    const changes = [];
    for (const ev of events) {
      if (ev.type === 'status')
        changes.push({ status: ev.fields.status, x: L.slot(ev), at: ev.at_ms, seq: ev.seq });
      else if (rowOf(ev)) L.slot(ev);
    }
    const endX = live ? L.at(endMs) : NaN;
    changes.forEach((ch, i) => {
      const next = changes[i + 1];
      const terminal = !LIVE.has(ch.status);
      const lane = terminal ? LANES.length : LANES.indexOf(ch.status);
      if (lane < 0) return;
      const x1 = ch.x - 5;
      const x2 = terminal ? x1 + 46 : next ? next.x - 5 : endX + 5;
      const w = Math.max(6, x2 - x1);
      const g = s('g', { 'data-s': ch.status, 'data-status': ch.status, class: 'tl-state' });
      const span = next ? next.at - ch.at : live ? endMs - ch.at : NaN;
      g.append(
        s('rect', { class: 'tl-bar', x: x1, y: laneY(lane), width: w, height: LANE, rx: 4 }),
      );
      const label = terminal
        ? '■ end'
        : Number.isFinite(span)
          ? `${ch.status} ${fmtOffset(span).replace('+', '')}`
          : ch.status;
      if (w > label.length * 6 + 10) {
        g.append(s('text', { class: 'tl-bar-label', x: x1 + 6, y: laneY(lane) + 12.5 }, label));
      }
      g.append(
        s(
          'title',
          {},
          `${ch.status} at ${fmtClock(ch.at)}` +
            (Number.isFinite(span) ? ` for ${fmtOffset(span).replace('+', '')}` : ''),
        ),
      );
      plot.append(g);
    });
    if (live) {
      plot.append(
        s('line', { class: 'tl-now', x1: endX + 5, x2: endX + 5, y1: AXIS - 4, y2: height - 2 }),
      );
      plot.append(s('text', { class: 'tl-tick', x: endX + 8, y: 12 }, 'now'));
    }

    // Marker rows.
    markerRows.forEach((r, i) => {
      svg.append(
        s('rect', {
          class: 'tl-row-bg',
          x: LABEL - 4,
          y: rowY(i) - 2,
          width: width - LABEL + 4,
          height: LANE + 4,
          rx: 4,
        }),
      );
      svg.append(
        s(
          'text',
          { class: 'tl-lane-label', x: LABEL - 10, y: rowY(i) + 13, 'text-anchor': 'end' },
          r.label,
        ),
      );
    });
    const rowIndex = new Map(markerRows.map((r, i) => [r.key, i]));
    const L2 = layoutTime(events, endMs, avail); // fresh slot counters, same geometry
    for (const ev of events) {
      const row = rowOf(ev);
      if (!row) continue;
      const x = L2.slot(ev);
      if (row === 'status') continue;
      const y = rowY(rowIndex.get(row)) + LANE / 2;
      let cls = `tl-marker mk-${row}`;
      let title = summary(ev);
      if (row === 'webhook') {
        const resp = ev.type === 'webhook.request' ? responseOf(events, ev) : null;
        const extra = webhookClass(resp, ev);
        if (extra) cls += ` ${extra}`;
        if (resp) {
          title += ` → ${summary(resp)}`;
          const rx = L.at(resp.at_ms);
          if (rx > x + 2) {
            plot.append(
              s('line', {
                class: `tl-latency${extra === 'bad' ? ' bad' : ''}`,
                x1: x,
                x2: rx,
                y1: y,
                y2: y,
              }),
            );
          }
        }
      }
      if (ev.seq === state.picked) cls += ' picked';
      const shape = marker(row, x, y, cls);
      shape.setAttribute('data-seq', ev.seq);
      shape.setAttribute('data-type', ev.type);
      shape.addEventListener('click', () => pick(ev.seq));
      shape.append(s('title', {}, title));
      plot.append(shape);
    }
    svg.append(plot);
    box.replaceChildren(svg);
  }

  function marker(row, x, y, cls) {
    switch (row) {
      case 'verb':
        return s('rect', {
          class: cls,
          x: x - 4.5,
          y: y - 4.5,
          width: 9,
          height: 9,
          rx: 1.5,
          transform: `rotate(45 ${x} ${y})`,
        });
      case 'api':
        return s('rect', { class: cls, x: x - 5, y: y - 5, width: 10, height: 10, rx: 2 });
      case 'notice':
        return s('path', {
          class: cls,
          d: `M${x} ${y - 6} L${x + 6} ${y + 5} L${x - 6} ${y + 5} Z`,
        });
      default:
        return s('circle', { class: cls, cx: x, cy: y, r: 5.5 });
    }
  }

  // ------------------------------------------------------------------ events and inspector

  function typeClass(type) {
    if (type.startsWith('webhook')) return 't-webhook';
    if (type === 'api.request') return 't-api';
    if (type === 'notification') return 't-notice';
    return `t-${type}`;
  }

  function summary(ev) {
    const f = ev.fields || {};
    switch (ev.type) {
      case 'status':
        return `${f.from ? `${f.from} → ` : ''}${f.status}${f.event ? ` (${f.event})` : ''}`;
      case 'webhook.request':
        return `${f.method} ${f.url} (${f.purpose})`;
      case 'webhook.response':
        return f.error_code
          ? `error ${f.error_code}: ${f.error || ''}`
          : `${f.status} in ${f.latency_ms} ms`;
      case 'webhook.undelivered':
        return `${f.method} ${f.url}: not delivered (${f.reason})`;
      case 'verb': {
        const attrs = Object.entries(f)
          .filter(([k]) => k !== 'verb' && k !== 'text')
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        return `<${f.verb}${attrs ? ' ' + attrs : ''}>${f.text ? ' ' + f.text : ''}`;
      }
      case 'callee':
        return [f.action, f.digits, f.speech && `“${f.speech}”`].filter(Boolean).join(' ');
      case 'notification':
        return `${f.error_code}: ${f.message}`;
      case 'api.request':
        return Object.entries(f)
          .filter(([k]) => k !== 'request_id')
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
      default:
        return Object.entries(f)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
    }
  }

  function renderEvents(events) {
    const t0 = events.length ? events[0].at_ms : 0;
    const frag = document.createDocumentFragment();
    for (const ev of events) {
      frag.append(
        h(
          'tr',
          {
            class: ev.seq === state.picked ? 'picked' : null,
            'data-seq': ev.seq,
            onclick: () => pick(ev.seq),
          },
          h('td', { class: 'num' }, ev.seq),
          h('td', { class: 'num' }, fmtOffset(ev.at_ms - t0)),
          h('td', {}, h('span', { class: `type ${typeClass(ev.type)}` }, ev.type)),
          h('td', { class: 'what', title: summary(ev) }, summary(ev)),
        ),
      );
    }
    $('events-body').replaceChildren(frag);
  }

  function pick(seq) {
    state.picked = seq;
    renderDetail();
    const row = document.querySelector(`#events-body tr[data-seq="${seq}"]`);
    if (row) row.scrollIntoView({ block: 'nearest' });
  }

  function kv(pairs) {
    return h(
      'dl',
      { class: 'kv' },
      pairs
        .filter(([, v]) => v !== undefined && v !== null && v !== '')
        .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    );
  }

  function renderInspector(events) {
    const box = $('inspector');
    let ev = events.find((e) => e.seq === state.picked);
    if (!ev) {
      box.replaceChildren(
        h(
          'p',
          { class: 'hint' },
          'Click a marker on the timeline, or an event below, to see it here.',
        ),
      );
      return;
    }
    const f = ev.fields || {};
    // A response is shown with its request, and the request with its response.
    if (ev.type === 'webhook.response') {
      ev = events.find((e) => e.type === 'webhook.request' && e.fields.id === f.id) || ev;
    }
    if (ev.type === 'webhook.request' || ev.type === 'webhook.response') {
      const req = ev.type === 'webhook.request' ? ev : null;
      const resp = req ? responseOf(events, req) : ev;
      const rf = resp ? resp.fields : {};
      const q = req ? req.fields : rf;
      const statusPill = !resp
        ? h('span', { class: 'pill pending' }, 'waiting')
        : rf.error_code
          ? h('span', { class: 'pill bad' }, `error ${rf.error_code}`)
          : h(
              'span',
              { class: `pill${webhookClass(resp, ev) === 'bad' ? ' bad' : ''}` },
              rf.status,
            );
      const params = req && req.fields.params ? [...new URLSearchParams(req.fields.params)] : [];
      box.replaceChildren(
        h('h3', {}, `Webhook #${q.id}`, statusPill),
        h('div', { class: 'http' }, `${q.method} ${q.url}`),
        kv([
          ['Purpose', req && req.fields.purpose],
          ['Sent', req && `${fmtClock(req.at_ms)} (seq ${req.seq})`],
          ['Latency', resp && rf.latency_ms !== undefined ? `${rf.latency_ms} ms` : undefined],
          ['Signature', rf.signature],
          ['Content-Type', rf.content_type],
          ['Note', rf.note],
          ['Error', rf.error],
        ]),
        params.length ? h('h4', {}, `Request parameters (${params.length})`) : null,
        params.length ? kv(params) : null,
        resp ? h('h4', {}, 'Response body') : null,
        resp ? h('pre', {}, rf.body || '(empty)') : null,
      );
      return;
    }
    box.replaceChildren(
      h('h3', {}, h('span', { class: `type ${typeClass(ev.type)}` }, ev.type), `#${ev.seq}`),
      h('div', { class: 'http' }, summary(ev)),
      kv([['At', `${fmtClock(ev.at_ms)}`], ['Wall', ev.wall], ...Object.entries(f)]),
    );
  }

  // ------------------------------------------------------------------ actions

  async function act(label, fn) {
    try {
      await fn();
      toast(label);
    } catch (e) {
      toast(`${label} failed: ${e.message}`, true);
    }
  }

  function selectedCall() {
    return state.selected && state.calls.get(state.selected);
  }

  function calleeAction(action, form) {
    const c = selectedCall();
    if (!c) return;
    act(`${action} ${c.sid.slice(0, 10)}…`, () =>
      request('POST', `/_dialtone/calls/${encodeURIComponent(c.sid)}/${action}`, form),
    );
  }

  function updateCall(form, label) {
    const c = selectedCall();
    if (!c) return;
    act(`${label} ${c.sid.slice(0, 10)}…`, async () => {
      const account = await accountFor(c);
      await request(
        'POST',
        `/2010-04-01/Accounts/${c.account_sid}/Calls/${c.sid}.json`,
        form,
        account,
      );
    });
  }

  function wire() {
    for (const btn of document.querySelectorAll('[data-callee]')) {
      btn.addEventListener('click', () => calleeAction(btn.dataset.callee));
    }
    $('digits-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const digits = $('digits').value.trim();
      if (digits) calleeAction('digits', { Digits: digits });
      $('digits').value = '';
    });
    for (const btn of document.querySelectorAll('[data-update]')) {
      btn.addEventListener('click', () =>
        updateCall(
          { Status: btn.dataset.update },
          btn.dataset.update === 'canceled' ? 'Cancel' : 'Complete',
        ),
      );
    }
    $('redirect-open').addEventListener('click', () => {
      $('redirect-form').hidden = !$('redirect-form').hidden;
      if (!$('redirect-form').hidden) $('redirect-url').focus();
    });
    $('redirect-cancel').addEventListener('click', () => {
      $('redirect-form').hidden = true;
    });
    $('redirect-form').addEventListener('change', () => {
      const twiml = $('redirect-form').elements.kind.value === 'twiml';
      $('redirect-twiml').hidden = !twiml;
      $('redirect-url').hidden = twiml;
      $('redirect-method').hidden = twiml;
    });
    $('redirect-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const twiml = $('redirect-form').elements.kind.value === 'twiml';
      const form = twiml
        ? { Twiml: $('redirect-twiml').value }
        : { Url: $('redirect-url').value, Method: $('redirect-method').value };
      if (!twiml && !form.Url) return toast('Redirect needs a URL', true);
      updateCall(form, 'Redirect');
    });

    $('advance-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const seconds = $('advance-seconds').value || '0';
      act(`Advanced ${seconds} s`, () =>
        request('POST', '/_dialtone/clock/advance', { Seconds: seconds }),
      );
    });
    $('manual-button').addEventListener('click', () =>
      act('Clock is manual', () => request('POST', '/_dialtone/clock', { Mode: 'manual' })),
    );

    $('status-filter').addEventListener('click', (e) => {
      const chip = e.target.closest('.chip');
      if (!chip) return;
      state.statusFilter = chip.dataset.status;
      for (const c of document.querySelectorAll('#status-filter .chip'))
        c.classList.toggle('active', c === chip);
      schedule();
    });
    $('account-filter').addEventListener('change', (e) => {
      state.accountFilter = e.target.value;
      schedule();
    });
    window.addEventListener('hashchange', () => {
      const sid = location.hash.slice(1);
      if (state.calls.has(sid)) select(sid);
    });
    window.addEventListener('resize', schedule);
  }

  wire();
  renderClock();
  loadAccounts();
  connect();
  setInterval(tick, 1000);
})();
