/**
 * The dashboard's browser code, inlined into the page (no build step, no framework). It is plain
 * JavaScript in a string because it runs in the browser, not in Node; the page's CSP allows
 * exactly this text by its hash.
 *
 * Data flow: GET /agents checks the token (401 shows the token form); /agents/stream (snapshot,
 * then status and breaker events) feeds the agents table; /metrics/stream ticks feed the in-flight
 * column, the counters, the throughput and latency charts and the queue depth; after every tick
 * the failures and the dead-letter queue are re-read over REST. Streams resume with after/epoch.
 * Everything is rendered with textContent, never innerHTML, so no task or agent field is markup.
 */
export const DASHBOARD_SCRIPT = String.raw`
'use strict';
(() => {
  const TOKEN_KEY = 'contextforge.dashboard.token';
  const POINTS = 90;
  const STATUSES = ['queued', 'dispatched', 'running', 'failed', 'succeeded', 'cancelled', 'dead_lettered'];
  const SVG = 'http://www.w3.org/2000/svg';
  const state = {
    token: null,
    agents: new Map(),
    inFlight: {},
    history: [],
    redriven: new Map(),
    refreshing: false,
    started: false,
  };
  const $ = (id) => document.getElementById(id);

  function el(tag, attributes, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    for (const child of children || []) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function svg(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    return node;
  }

  function notice(message, isError) {
    const box = $('notice');
    box.textContent = message;
    box.className = isError ? 'notice error' : 'notice';
  }

  // --- token ------------------------------------------------------------------------------------
  function takeToken() {
    const given =
      new URLSearchParams(location.hash.slice(1)).get('access_token') ||
      new URLSearchParams(location.search).get('access_token');
    if (given) {
      sessionStorage.setItem(TOKEN_KEY, given);
      // Keep the token out of the address bar, the history and bookmarks.
      history.replaceState(null, '', location.pathname);
      return given;
    }
    return sessionStorage.getItem(TOKEN_KEY);
  }

  function showLogin(message) {
    $('login').hidden = false;
    $('login-message').textContent = message || '';
  }

  // --- REST -------------------------------------------------------------------------------------
  async function api(method, path) {
    const response = await fetch(path, {
      method,
      headers: { authorization: 'Bearer ' + state.token },
      cache: 'no-store',
    });
    const body = response.status === 204 ? null : await response.json().catch(() => null);
    if (response.ok) return body;
    const error = (body && body.error) || { code: 'HTTP_' + response.status, message: response.statusText };
    const failure = new Error(error.code + ': ' + error.message);
    failure.status = response.status;
    if (response.status === 401) showLogin(failure.message);
    throw failure;
  }

  // --- streams ----------------------------------------------------------------------------------
  function openStream(name, path, onFrame) {
    let after = null;
    let epoch = null;
    let delay = 1000;
    const connect = () => {
      const params = new URLSearchParams();
      if (after !== null) {
        params.set('after', String(after));
        if (epoch) params.set('epoch', epoch);
      }
      const query = params.toString();
      const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path + (query ? '?' + query : '');
      // The token travels as a sub-protocol: browsers cannot set headers on a WebSocket.
      const socket = new WebSocket(url, ['contextforge.v1', 'bearer.' + state.token]);
      setLive(name, 'connecting');
      socket.onopen = () => {
        delay = 1000;
        setLive(name, 'live');
      };
      socket.onmessage = (message) => {
        const frame = JSON.parse(message.data);
        if (frame.type === 'error') {
          notice(name + ' stream: ' + frame.data.code + ': ' + frame.data.message, true);
          return;
        }
        if (typeof frame.seq === 'number') after = frame.seq;
        if (frame.epoch) epoch = frame.epoch;
        onFrame(frame);
      };
      socket.onclose = () => {
        setLive(name, 'reconnecting');
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 15000);
      };
    };
    connect();
  }

  function setLive(name, status) {
    const badge = $('live-' + name);
    badge.textContent = name + ': ' + status;
    badge.className = 'badge ' + status;
  }

  // --- agents -----------------------------------------------------------------------------------
  function onAgents(frame) {
    if (frame.type === 'snapshot') {
      state.agents = new Map(frame.data.map((agent) => [agent.id, agent]));
    } else if (frame.type === 'event' && frame.data.kind === 'status') {
      const event = frame.data.event;
      if (event.status === 'deregistered') state.agents.delete(event.agentId);
      else {
        const known = state.agents.get(event.agentId) || { id: event.agentId };
        state.agents.set(event.agentId, Object.assign({}, known, event.agent || {}, { status: event.status }));
      }
    } else if (frame.type === 'event' && frame.data.kind === 'circuit') {
      const known = state.agents.get(frame.data.event.agentId);
      if (known) known.circuit = frame.data.event.circuit;
    }
    renderAgents();
  }

  function renderAgents() {
    const rows = [...state.agents.values()]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((agent) => {
        const inFlight = state.inFlight[agent.id] || 0;
        const capacity = agent.concurrency || 0;
        const meter = svg('svg', { viewBox: '0 0 100 8', class: 'meter', 'aria-hidden': 'true' });
        meter.append(svg('rect', { x: 0, y: 0, width: 100, height: 8, class: 'meter-bg' }));
        meter.append(svg('rect', { x: 0, y: 0, width: capacity ? Math.min(100, (100 * inFlight) / capacity) : 0, height: 8, class: 'meter-fg' }));
        return el('tr', { 'data-agent-id': agent.id }, [
          el('td', {}, [el('code', {}, [agent.id]), el('div', { class: 'muted' }, [agent.name || ''])]),
          el('td', {}, [agent.type || '']),
          el('td', {}, [el('span', { class: 'pill ' + agent.status }, [agent.status])]),
          el('td', {}, [el('span', { class: 'pill circuit-' + (agent.circuit || 'closed') }, [agent.circuit || 'closed'])]),
          el('td', { class: 'load' }, [inFlight + ' / ' + capacity, meter]),
          el('td', {}, [(agent.capabilities || []).join(', ')]),
          el('td', {}, [(agent.taskTypes || []).join(', ')]),
        ]);
      });
    $('agents-body').replaceChildren(...rows);
    $('agents-empty').hidden = rows.length > 0;
  }

  // --- metrics ----------------------------------------------------------------------------------
  function onMetrics(frame) {
    if (frame.type !== 'snapshot' && frame.type !== 'event') return;
    const tick = frame.data;
    state.inFlight = {};
    for (const agent of tick.agents.agents) state.inFlight[agent.id] = agent.inFlight;
    const tasks = tick.tasks;
    state.history.push({
      throughput: tasks.window.throughputPerSecond,
      p50: tasks.latencyMs.p50,
      p99: tasks.latencyMs.p99,
    });
    if (state.history.length > POINTS) state.history.shift();
    for (const status of STATUSES) $('count-' + status).textContent = String(tasks.byStatus[status]);
    $('fleet').textContent =
      tick.agents.total + ' agents (' + tick.agents.byStatus.healthy + ' healthy), ' +
      tick.agents.inFlight + ' in flight of ' + tick.agents.capacity + ' slots';
    $('throughput-now').textContent = tasks.window.throughputPerSecond.toFixed(2) + ' tasks/s over ' + tasks.window.seconds + ' s';
    $('latency-now').textContent =
      'p50 ' + ms(tasks.latencyMs.p50) + ', p99 ' + ms(tasks.latencyMs.p99) + ' (' + tasks.latencyMs.count + ' tasks)';
    drawChart($('throughput-chart'), [{ key: 'throughput', cls: 'line-a' }]);
    drawChart($('latency-chart'), [
      { key: 'p50', cls: 'line-a' },
      { key: 'p99', cls: 'line-b' },
    ]);
    drawQueue(tasks.queuedByPriority);
    renderAgents();
    void refreshFailures();
  }

  function ms(value) {
    return value == null ? '-' : value < 1000 ? Math.round(value) + ' ms' : (value / 1000).toFixed(2) + ' s';
  }

  function drawChart(target, series) {
    const width = 320;
    const height = 90;
    const values = state.history.flatMap((point) => series.map((line) => point[line.key])).filter((v) => v != null);
    const max = Math.max(...values, 0) * 1.1 || 1;
    const step = width / (POINTS - 1);
    const nodes = [svg('line', { x1: 0, y1: height, x2: width, y2: height, class: 'axis' })];
    for (const line of series) {
      let segment = [];
      const flush = () => {
        if (segment.length > 0) nodes.push(svg('polyline', { points: segment.join(' '), class: line.cls }));
        segment = [];
      };
      state.history.forEach((point, index) => {
        const value = point[line.key];
        if (value == null) return flush();
        segment.push((index * step).toFixed(1) + ',' + (height - (value / max) * height).toFixed(1));
      });
      flush();
    }
    const label = svg('text', { x: 2, y: 10, class: 'chart-label' });
    label.textContent = 'max ' + (series[0].key === 'throughput' ? max.toFixed(2) + '/s' : ms(max));
    nodes.push(label);
    target.replaceChildren(...nodes);
  }

  function drawQueue(byPriority) {
    const target = $('queue-chart');
    const max = Math.max(...byPriority, 1);
    const nodes = [];
    for (let priority = byPriority.length - 1; priority >= 0; priority -= 1) {
      const y = (byPriority.length - 1 - priority) * 14;
      const depth = byPriority[priority];
      const name = svg('text', { x: 0, y: y + 10, class: 'chart-label' });
      name.textContent = 'P' + priority;
      const count = svg('text', { x: 290, y: y + 10, class: 'chart-label', 'data-priority': priority });
      count.textContent = String(depth);
      nodes.push(name, svg('rect', { x: 24, y: y + 2, width: (260 * depth) / max, height: 10, class: 'bar' }), count);
    }
    target.replaceChildren(...nodes);
    $('queue-total').textContent = byPriority.reduce((sum, depth) => sum + depth, 0) + ' queued';
  }

  // --- failures and the dead-letter queue ------------------------------------------------------
  const stillDead = (task) => !(state.redriven.get(task.id) > task.attempt);

  async function refreshFailures() {
    if (state.refreshing) return;
    state.refreshing = true;
    try {
      const [dead, failed] = await Promise.all([
        api('GET', '/dead-letters?limit=50'),
        api('GET', '/tasks?status=failed&limit=20'),
      ]);
      const deadTasks = dead.tasks.filter(stillDead);
      renderDeadLetters(deadTasks);
      renderFailures(
        [...failed.tasks, ...deadTasks]
          .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))
          .slice(0, 15),
      );
    } catch (error) {
      notice('failures: ' + error.message, true);
    } finally {
      state.refreshing = false;
    }
  }

  function errorOf(task) {
    return task.lastError ? task.lastError.code + ': ' + task.lastError.message : task.statusReason || '';
  }

  function renderFailures(tasks) {
    $('failures-body').replaceChildren(
      ...tasks.map((task) =>
        el('tr', { 'data-task-id': task.id }, [
          el('td', {}, [el('code', {}, [task.id])]),
          el('td', {}, [task.type]),
          el('td', {}, [el('span', { class: 'pill ' + task.status }, [task.status])]),
          el('td', {}, [String(task.attempt)]),
          el('td', { class: 'error-text' }, [errorOf(task)]),
          el('td', {}, [new Date(task.updatedAt).toLocaleTimeString()]),
        ]),
      ),
    );
    $('failures-empty').hidden = tasks.length > 0;
  }

  function renderDeadLetters(tasks) {
    $('dlq-count').textContent = String(tasks.length);
    $('dlq-body').replaceChildren(
      ...tasks.map((task) => {
        const outcome = el('span', { class: 'error-text' }, []);
        const button = el('button', { type: 'button', class: 'redrive' }, ['Re-drive']);
        const row = el('tr', { 'data-task-id': task.id }, [
          el('td', {}, [el('code', {}, [task.id])]),
          el('td', {}, [task.type]),
          el('td', {}, [String(task.attempt)]),
          el('td', { class: 'error-text' }, [errorOf(task)]),
          el('td', {}, [button, outcome]),
        ]);
        button.addEventListener('click', () => void redrive(task, row, button, outcome));
        return row;
      }),
    );
    $('dlq-empty').hidden = tasks.length > 0;
  }

  async function redrive(task, row, button, outcome) {
    button.disabled = true;
    try {
      const view = await api('POST', '/tasks/' + encodeURIComponent(task.id) + '/redrive');
      state.redriven.set(task.id, view.attempt);
      row.remove();
      $('dlq-count').textContent = String($('dlq-body').children.length);
      $('dlq-empty').hidden = $('dlq-body').children.length > 0;
      notice('Re-drove ' + task.id + ': ' + view.status + ', attempt ' + view.attempt);
      void refreshFailures();
    } catch (error) {
      button.disabled = false;
      outcome.textContent = ' ' + error.message;
      notice('Re-drive of ' + task.id + ' failed: ' + error.message, true);
    }
  }

  // --- start ------------------------------------------------------------------------------------
  async function start() {
    try {
      await api('GET', '/agents');
    } catch (error) {
      if (error.status !== 401) notice(error.message, true);
      return;
    }
    $('login').hidden = true;
    if (state.started) return;
    state.started = true;
    openStream('agents', '/agents/stream', onAgents);
    openStream('metrics', '/metrics/stream', onMetrics);
    void refreshFailures();
  }

  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('token').value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    state.token = value;
    $('token').value = '';
    void start();
  });
  $('forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    location.reload();
  });

  state.token = takeToken();
  if (state.token) void start();
  else showLogin('Paste an access token (JWT or API key) to load the dashboard.');
})();
`;
