// sagabus dashboard: renders the frames the node streams over a read-only WebSocket.
// The socket is never written to (the server closes it if it is). Admin actions use the HTTP admin API with the
// operator's JWT, kept in sessionStorage for this tab only and never logged.
'use strict';

(() => {
  const TOKEN_KEY = 'sagabus.adminToken';
  const STALE_AFTER_MS = 3000;
  const SERIES_COLORS = { started: '#5aa9ff', completed: '#3ecf8e', failed: '#ff6b6b', compensated: '#f5a524' };
  const PARKED = 'COMPENSATION_FAILED';

  const $ = (id) => document.getElementById(id);
  let frame = null;
  let frameReceivedAt = 0;
  let renderPending = false;
  let triageFilter = 'ALL';
  let socket = null;
  let reconnectDelay = 500;

  // ---------- small DOM helper: text is always set with textContent, never parsed as HTML ----------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    if (attrs) {
      for (const [key, value] of Object.entries(attrs)) {
        if (value === undefined || value === null || value === false) continue;
        if (key === 'class') el.className = value;
        else if (key === 'text') el.textContent = value;
        else if (key === 'style') Object.assign(el.style, value);
        else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
        else el.setAttribute(key, value === true ? '' : String(value));
      }
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  const shortId = (id) => (id || '').slice(0, 8);
  const fmt = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: 1 }));
  function duration(ms) {
    if (ms === null || ms === undefined || ms < 0) return '–';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
    const s = Math.round(ms / 1000);
    if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
    if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
    return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
  }
  const ago = (at) => (at ? duration(Date.now() - at) : '–');
  const state = (name, label) => h('span', { class: `state state-${name}`, text: label || name.replace('_', ' ') });

  // ---------- the socket ----------
  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${scheme}://${location.host}/dashboard/ws`);
    setConn('connecting', 'connecting…');
    socket.onopen = () => {
      reconnectDelay = 500;
      setConn('connecting', 'connected, waiting for data');
      const opened = socket;
      setTimeout(() => {
        if (opened === socket && opened.readyState === WebSocket.OPEN && frameReceivedAt === 0) {
          setConn('stale', 'no data: does this node run the dashboard role?');
        }
      }, 3000);
    };
    socket.onmessage = (event) => {
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      frameReceivedAt = Date.now();
      setConn('live', 'live');
      scheduleRender();
    };
    socket.onclose = () => {
      setConn('down', 'disconnected, retrying');
      setTimeout(connect, reconnectDelay);
      reconnectDelay = Math.min(reconnectDelay * 2, 5000);
    };
  }

  function setConn(stateName, text) {
    const pill = $('conn');
    pill.dataset.state = stateName;
    pill.textContent = text;
  }

  function scheduleRender() {
    if (renderPending) return;
    renderPending = true;
    requestAnimationFrame(() => {
      renderPending = false;
      if (frame) render(frame);
    });
  }

  setInterval(() => {
    if (!frameReceivedAt) return;
    const age = Date.now() - frameReceivedAt;
    $('freshness').textContent = `updated ${duration(age)} ago`;
    if (age > STALE_AFTER_MS && socket && socket.readyState === WebSocket.OPEN) setConn('stale', 'stale');
  }, 1000);

  // ---------- rendering ----------
  function render(f) {
    $('served-by').textContent = `via ${f.node.name}`;
    renderKpis(f);
    renderOrderStream(f.orderStream);
    drawChart(f.series);
    renderNodes(f);
    renderCircuits(f.circuits || {});
    renderRateLimits(f.rateLimits || {});
    renderFaults(f.chaos || []);
    renderTriage(f.triage || []);
    renderSagas(f.sample || []);
  }

  function renderKpis(f) {
    const set = (key, value, sub) => {
      const tile = document.querySelector(`.kpi[data-kpi="${key}"]`);
      tile.querySelector('.kpi-value').textContent = fmt(value);
      if (sub !== undefined) tile.querySelector('.kpi-sub').textContent = sub;
    };
    for (const key of ['started', 'completed', 'failed', 'compensated']) {
      set(key, f.rates[key], `${fmt(f.totals[key])} total`);
    }
    set('inFlight', f.totals.inFlight);
    set('attention', (f.triage || []).length, `${fmt(f.totals.parked)} parked since start`);
  }

  function renderOrderStream(stats) {
    $('order-stream').hidden = !stats;
    if (!stats) return;
    const set = (key, value, sub) => {
      const tile = document.querySelector(`#order-stream .kpi[data-kpi="${key}"]`);
      tile.querySelector('.kpi-value').textContent = value;
      tile.querySelector('.kpi-sub').textContent = sub;
    };
    const span = `last ${stats.windowSeconds} s of the event log`;
    set('ordersPerMin', fmt(stats.ordersPerMin), span);
    set('revenuePerMin', fmt(stats.revenuePerMin), `${fmt(stats.completed)} completed orders`);
    set('cancelRate', `${(100 * stats.cancelRate).toFixed(1)}%`, `${fmt(stats.cancelled)} of ${fmt(stats.completed + stats.cancelled)} finished`);
  }

  function drawChart(series) {
    const canvas = $('chart');
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (canvas.width !== width * ratio || canvas.height !== height * ratio) {
      canvas.width = width * ratio;
      canvas.height = height * ratio;
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const pad = { left: 44, right: 8, top: 8, bottom: 20 };
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    const points = 300;
    let max = 1;
    for (const key of Object.keys(SERIES_COLORS)) for (const v of series[key] || []) if (v > max) max = v;
    const step = niceStep(max / 4);
    max = Math.ceil(max / step) * step;

    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#8594a3';
    ctx.strokeStyle = '#26303a';
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let v = 0; v <= max; v += step) {
      const y = pad.top + plotH - (v / max) * plotH;
      ctx.beginPath();
      ctx.moveTo(pad.left, Math.round(y) + 0.5);
      ctx.lineTo(width - pad.right, Math.round(y) + 0.5);
      ctx.stroke();
      ctx.fillText(fmt(v), pad.left - 6, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let m = 5; m >= 0; m--) {
      const x = pad.left + plotW - (m * 60 / (points - 1)) * plotW;
      ctx.fillText(m === 0 ? 'now' : `-${m}m`, Math.min(Math.max(x, pad.left + 10), width - 16), height - pad.bottom + 5);
    }
    for (const [key, color] of Object.entries(SERIES_COLORS)) {
      const values = series[key] || [];
      if (!values.length) continue;
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.6;
      ctx.beginPath();
      const offset = points - values.length;
      values.forEach((v, i) => {
        const x = pad.left + ((offset + i) / (points - 1)) * plotW;
        const y = pad.top + plotH - (v / max) * plotH;
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      });
      ctx.stroke();
    }
  }

  function niceStep(raw) {
    if (raw <= 1) return 1;
    const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * magnitude) return m * magnitude;
    return 10 * magnitude;
  }

  function renderNodes(f) {
    const reporting = new Set(f.reporting || []);
    const nodes = [...(f.nodes || [])].sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id));
    const up = nodes.filter((n) => n.up).length;
    $('node-count').textContent = `${up} up of ${nodes.length}`;
    const rows = nodes.map((n) => {
      const roles = n.roles || [];
      const notReporting = n.up && roles.includes('saga') && !reporting.has(n.id);
      return h('tr', { 'data-node-id': n.id, 'data-up': String(!!n.up) },
        h('td', null,
          h('div', { class: 'node-name', text: n.name || shortId(n.id) }),
          h('div', { class: 'mono muted', title: n.id }, shortId(n.id), n.id === f.node.id ? h('span', { class: 'this-node', text: 'serves this page' }) : null)),
        h('td', null, roles.map((r) => h('span', { class: 'role', text: r })),
          notReporting ? h('div', { class: 'warn', text: 'runs saga without the dashboard role: its sagas are not counted' }) : null),
        h('td', null, state(n.up ? 'up' : 'down', n.up ? 'UP' : 'DOWN')),
        h('td', { class: 'num', text: n.up ? duration((n.uptimeSeconds || 0) * 1000) : '–' }));
    });
    $('nodes').tBodies[0].replaceChildren(...rows);
  }

  function renderCircuits(circuits) {
    const rows = [];
    for (const [service, view] of Object.entries(circuits)) {
      const cells = Object.entries(view.nodes || {}).sort((a, b) => (a[1].nodeName || '').localeCompare(b[1].nodeName || ''));
      cells.forEach(([nodeId, c], i) => {
        rows.push(h('tr', { 'data-service': service, 'data-node-id': nodeId, 'data-state': c.state },
          i === 0 ? h('td', { rowspan: cells.length },
            h('div', { class: 'service', text: service }), state(view.state)) : null,
          h('td', { text: c.nodeName || shortId(nodeId) }),
          h('td', null, state(c.state)),
          h('td', { class: 'num', text: fmt(c.callsPerSec) }),
          h('td', { class: 'num', text: c.failureRate === null || c.failureRate === undefined || c.failureRate < 0 ? '–' : `${fmt(c.failureRate)}%` }),
          h('td', { class: 'num', text: c.p99Ms === null || c.p99Ms === undefined ? '–' : `${fmt(c.p99Ms)} ms` }),
          h('td', { class: 'num', text: fmt(c.rejections) })));
      });
    }
    $('circuits').tBodies[0].replaceChildren(...rows);
    $('circuits-empty').hidden = rows.length > 0;
  }

  function renderRateLimits(limits) {
    const tiers = Object.entries(limits);
    const blocks = tiers.map(([tier, t]) => {
      // The bar shows the last second's split, or the split since start when the tier was idle.
      const perSec = (t.allowedPerSec || 0) + (t.rejectedPerSec || 0);
      const total = (t.allowed || 0) + (t.rejected || 0);
      const allowedPct = perSec > 0 ? (100 * t.allowedPerSec) / perSec : total > 0 ? (100 * t.allowed) / total : 100;
      return h('div', { class: 'bars', 'data-tier': tier },
        h('div', { class: 'bar-label' },
          h('b', { text: tier }),
          h('span', { class: 'muted', text: `${fmt(t.allowedPerSec)}/s allowed · ${fmt(t.rejectedPerSec)}/s rejected` })),
        h('div', { class: 'bar', title: `since start: ${fmt(t.allowed)} allowed, ${fmt(t.rejected)} rejected` },
          h('div', { class: 'allowed', style: { width: `${allowedPct}%` } }),
          h('div', { class: 'rejected', style: { width: `${100 - allowedPct}%` } })),
        h('div', { class: 'muted tier-total', text: `total ${fmt(t.allowed)} allowed · ${fmt(t.rejected)} rejected` }));
    });
    $('ratelimits').replaceChildren(...blocks);
    $('ratelimits-empty').hidden = blocks.length > 0;
  }

  function describeFault(fault) {
    const parts = [];
    if (fault.failureRate) parts.push(`fail ${Math.round(fault.failureRate * 100)}% (${fault.failureCode || 500})`);
    if (fault.latencyMs !== undefined && fault.latencyMs !== null) {
      const l = fault.latencyMs;
      parts.push(typeof l === 'object' ? `latency ${l.min}–${l.max} ms` : `latency ${l} ms`);
    }
    if (fault.noReplyRate) parts.push(`no reply ${Math.round(fault.noReplyRate * 100)}%`);
    if (fault.partitionNode) parts.push(`partition ${fault.partitionNode}`);
    return parts.join(' · ');
  }

  function renderFaults(faults) {
    const items = faults.map((fault) => h('li', { 'data-fault-service': fault.service },
      h('div', null, h('b', { text: fault.service }), h('div', { class: 'what', text: describeFault(fault) })),
      h('button', { type: 'button', class: 'small ghost', disabled: !token(), onclick: () => clearFault(fault.service), text: 'Clear' })));
    $('faults').replaceChildren(...items);
    $('faults-empty').hidden = items.length > 0;
  }

  function triageMatches(entry, filter) {
    if (filter === 'ALL') return true;
    if (filter === 'PARKED') return entry.status === PARKED;
    return entry.status === filter;
  }

  function renderTriage(entries) {
    for (const chip of document.querySelectorAll('#triage-filters .chip')) {
      chip.querySelector('b').textContent = entries.filter((e) => triageMatches(e, chip.dataset.filter)).length;
      chip.setAttribute('aria-pressed', String(chip.dataset.filter === triageFilter));
    }
    const admin = !!token();
    const rows = entries.filter((e) => triageMatches(e, triageFilter)).map((e) => {
      const parked = e.status === PARKED;
      return h('tr', { 'data-saga-id': e.sagaId, 'data-status': e.status },
        h('td', { class: 'mono', title: e.sagaId, text: shortId(e.sagaId) }),
        h('td', null, state(e.status), parked ? h('span', { class: 'muted', text: ' parked' }) : null),
        h('td', { text: e.step || '–' }),
        h('td', { class: 'num', text: e.attempts || '–' }),
        h('td', { class: 'error', title: e.error || '', text: e.error || '–' }),
        h('td', { class: 'num', text: ago(e.updatedAt) }),
        h('td', null, parked
          ? h('span', { class: 'row' },
            h('button', { type: 'button', class: 'small', 'data-action': 'retry', disabled: !admin, title: admin ? 'Run the compensation again' : 'Paste an admin JWT first', onclick: () => retrySaga(e.sagaId), text: 'Retry' }),
            h('button', { type: 'button', class: 'small ghost', 'data-action': 'resolve', disabled: !admin, title: admin ? 'Mark resolved with a reason' : 'Paste an admin JWT first', onclick: () => openResolve(e.sagaId), text: 'Resolve…' }))
          : h('span', { class: 'muted', text: 'in progress' })));
    });
    $('triage').tBodies[0].replaceChildren(...rows);
    $('triage-empty').hidden = rows.length > 0;
  }

  // A finished saga's timeline never changes, so its DOM is built once and reused while it stays in the sample.
  let finishedTimelines = new Map();

  function timelineOf(saga, live, nextTimelines) {
    const key = live ? null : JSON.stringify(saga.steps) + (saga.partial ? '+partial' : '');
    const cached = finishedTimelines.get(saga.sagaId);
    const el = key !== null && cached && cached.key === key
      ? cached.el
      : h('div', { class: 'timeline' },
        saga.partial ? h('span', { class: 'partial', text: 'joined while compensating …' }) : null,
        (saga.steps || []).map(renderStep));
    if (key !== null) nextTimelines.set(saga.sagaId, { key, el });
    return el;
  }

  function renderSagas(sample) {
    const nextTimelines = new Map();
    const rows = sample.map((saga) => {
      const live = saga.status === 'RUNNING' || saga.status === 'COMPENSATING';
      const end = live ? Date.now() : saga.updatedAt;
      return h('div', { class: 'saga', 'data-saga-id': saga.sagaId, 'data-saga-status': saga.status },
        h('div', { class: 'saga-head' },
          h('div', null, h('span', { class: 'id', title: saga.sagaId, text: shortId(saga.sagaId) }), ' ', state(saga.status)),
          h('div', { class: 'meta', text: `${saga.type} · ${saga.node || ''} · ${duration(end - saga.startedAt)} · ${ago(saga.updatedAt)} ago` }),
          saga.error ? h('div', { class: 'err', title: saga.error, text: saga.error }) : null),
        timelineOf(saga, live, nextTimelines));
    });
    finishedTimelines = nextTimelines;
    $('sagas').replaceChildren(...rows);
    $('sagas-empty').hidden = rows.length > 0;
  }

  // Step chips are narrow: a succeeded step says OK (its green edge says the rest).
  function stepBadge(status) {
    if (status === 'UNSEEN') return state('UNSEEN', 'ran earlier');
    return state(status, status === 'SUCCEEDED' ? 'OK' : undefined);
  }

  function renderStep(step) {
    const latency = step.endedAt && step.startedAt ? step.endedAt - step.startedAt : null;
    const meta = [];
    if (step.attempts) meta.push(`×${step.attempts}`);
    if (latency !== null) meta.push(duration(latency));
    else if (step.status === 'RUNNING' && step.startedAt) meta.push(`${duration(Date.now() - step.startedAt)}…`);
    const comp = step.compensation;
    let compEl = null;
    if (comp) {
      const compLatency = comp.endedAt && comp.startedAt ? comp.endedAt - comp.startedAt : null;
      const label = { COMPENSATED: 'compensated', NOT_NEEDED: 'nothing to undo', COMPENSATION_FAILED: 'compensation failed', RUNNING: 'compensating…' }[comp.status] || comp.status.toLowerCase();
      compEl = h('div', { class: 'comp', 'data-comp-status': comp.status, title: comp.error || '' },
        `↩ ${label}`, comp.attempts ? ` ×${comp.attempts}` : '', compLatency !== null ? ` · ${duration(compLatency)}` : '');
    }
    return h('div', { class: 'step', 'data-step': step.name, 'data-step-status': step.status, title: step.error || '' },
      h('div', { class: 'name', text: step.name }),
      h('div', { class: 'meta' }, stepBadge(step.status), ' ', meta.join(' · ')),
      step.error ? h('div', { class: 'err', text: step.error }) : null,
      compEl);
  }

  // ---------- admin: HTTP API with the operator's JWT ----------
  function token() {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  }

  function refreshAdminState() {
    const pill = $('admin-state');
    pill.dataset.state = token() ? 'set' : 'none';
    pill.textContent = token() ? 'admin' : 'read-only';
    $('chaos-inject').disabled = !token();
    $('chaos-clear-all').disabled = !token();
    if (frame) render(frame);
  }

  async function admin(method, path, body) {
    const headers = { Authorization: `Bearer ${token()}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit' });
    } catch (e) {
      toast(`${method} ${path}: network error`, true);
      return null;
    }
    if (response.ok) return response.json().catch(() => ({}));
    let detail = `${response.status}`;
    try {
      const problem = await response.json();
      detail = `${response.status} ${problem.title || ''}: ${problem.detail || ''}`;
    } catch (e) { /* not a problem document */ }
    if (response.status === 401 || response.status === 403) detail += ' (check the admin JWT)';
    toast(detail, true);
    return null;
  }

  let toastTimer = 0;
  function toast(text, bad) {
    const el = $('toast');
    el.textContent = text;
    el.classList.toggle('bad', !!bad);
    el.classList.add('show');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => el.classList.remove('show'), 4000);
  }

  async function retrySaga(sagaId) {
    const saga = await admin('POST', `/api/admin/sagas/${encodeURIComponent(sagaId)}/retry`);
    if (saga) toast(`Compensation of ${shortId(sagaId)} restarted: ${saga.status}`);
  }

  let resolving = null;
  function openResolve(sagaId) {
    resolving = sagaId;
    $('resolve-saga').textContent = shortId(sagaId);
    $('resolve-reason').value = '';
    $('resolve-dialog').showModal();
  }

  async function clearFault(service) {
    const result = await admin('DELETE', `/api/admin/chaos/${encodeURIComponent(service)}`);
    if (result) {
      toast(`Fault on ${service} cleared`);
      if (frame) { frame.chaos = result.faults || []; renderFaults(frame.chaos); }
    }
  }

  function wire() {
    $('token').value = '';
    $('admin').addEventListener('submit', (event) => {
      event.preventDefault();
      const value = $('token').value.trim();
      if (value) sessionStorage.setItem(TOKEN_KEY, value);
      $('token').value = '';
      refreshAdminState();
      toast(value ? 'Admin token set for this tab' : 'No token given', !value);
    });
    $('token-forget').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      refreshAdminState();
      toast('Admin token forgotten');
    });
    for (const chip of document.querySelectorAll('#triage-filters .chip')) {
      chip.addEventListener('click', () => {
        triageFilter = chip.dataset.filter;
        if (frame) renderTriage(frame.triage || []);
      });
    }
    $('chaos-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const service = $('chaos-service').value;
      const fault = { service };
      const failure = Number($('chaos-failure').value) || 0;
      const latency = Number($('chaos-latency').value) || 0;
      const noReply = Number($('chaos-noreply').value) || 0;
      if (failure > 0) fault.failureRate = Math.min(100, failure) / 100;
      if (latency > 0) fault.latencyMs = latency;
      if (noReply > 0) fault.noReplyRate = Math.min(100, noReply) / 100;
      if (Object.keys(fault).length === 1) {
        toast('Set a failure rate, a latency or a no-reply rate', true);
        return;
      }
      const result = await admin('POST', '/api/admin/chaos', fault);
      if (result) {
        toast(`Fault injected on ${service}: ${describeFault(fault)}`);
        if (frame) { frame.chaos = result.faults || []; renderFaults(frame.chaos); }
      }
    });
    $('chaos-clear-all').addEventListener('click', async () => {
      const result = await admin('DELETE', '/api/admin/chaos');
      if (result) {
        toast('Every fault cleared');
        if (frame) { frame.chaos = result.faults || []; renderFaults(frame.chaos); }
      }
    });
    $('resolve-cancel').addEventListener('click', () => $('resolve-dialog').close());
    $('resolve-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const reason = $('resolve-reason').value.trim();
      if (!reason || !resolving) return;
      const sagaId = resolving;
      $('resolve-dialog').close();
      const saga = await admin('POST', `/api/admin/sagas/${encodeURIComponent(sagaId)}/resolve`, { reason });
      if (saga) toast(`Saga ${shortId(sagaId)} resolved`);
    });
    window.addEventListener('resize', () => frame && drawChart(frame.series));
  }

  wire();
  refreshAdminState();
  connect();
})();
