import { createHash } from 'node:crypto';
import { DASHBOARD_SCRIPT } from './dashboard-script';

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d2430; background: #f4f6f8; }
header { display: flex; gap: 1rem; align-items: center; padding: .6rem 1rem; background: #1d2430; color: #fff; flex-wrap: wrap; }
header h1 { font-size: 16px; margin: 0; }
main { display: grid; gap: 1rem; padding: 1rem; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); }
section { background: #fff; border: 1px solid #d6dbe1; border-radius: 4px; padding: .6rem .8rem; overflow-x: auto; }
section.wide { grid-column: 1 / -1; }
h2 { font-size: 14px; margin: 0 0 .4rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #e5e8ec; padding: .25rem .4rem; text-align: left; vertical-align: top; }
code { font: 12px/1.3 ui-monospace, monospace; }
.muted { color: #5a6472; font-size: 12px; }
.badge { font-size: 12px; padding: .1rem .45rem; border-radius: 3px; background: #5a6472; }
.badge.live { background: #2f6f3e; } .badge.reconnecting { background: #a83232; }
.pill { font-size: 12px; padding: 0 .4rem; border-radius: 3px; background: #e5e8ec; }
.healthy, .succeeded, .circuit-closed { background: #d8efdd; } .draining, .queued, .circuit-half_open { background: #fbefcf; }
.unhealthy, .failed, .dead_lettered, .circuit-open { background: #f6d5d5; }
.counts { display: grid; grid-template-columns: repeat(4, 1fr); gap: .3rem; }
.counts div { background: #f4f6f8; padding: .3rem; border-radius: 3px; }
.counts strong { display: block; font-size: 18px; }
svg.chart { width: 100%; height: 100px; background: #fafbfc; }
svg.queue { height: 150px; }
svg.meter { width: 5rem; height: 8px; display: block; }
.meter-bg { fill: #e5e8ec; } .meter-fg { fill: #1f5fa8; } .bar { fill: #1f5fa8; }
.axis { stroke: #d6dbe1; } .line-a, .line-b { fill: none; stroke-width: 1.5; }
.line-a { stroke: #1f5fa8; } .line-b { stroke: #a83232; }
.chart-label { font-size: 10px; fill: #5a6472; }
.error-text { color: #a83232; font-size: 12px; }
.notice { padding: .4rem 1rem; background: #d8efdd; } .notice.error { background: #f6d5d5; } .notice:empty { display: none; }
#login { padding: 1rem; background: #fff; border-bottom: 1px solid #d6dbe1; }
#login input { width: 28rem; max-width: 90%; }
button { cursor: pointer; }
`;

const BODY = `
<header>
  <h1>ContextForge operations</h1>
  <span id="live-agents" class="badge">agents: offline</span>
  <span id="live-metrics" class="badge">metrics: offline</span>
  <span id="fleet" class="muted"></span>
  <button type="button" id="forget">Forget token</button>
</header>
<form id="login" hidden>
  <p id="login-message"></p>
  <label>Access token <input id="token" type="password" autocomplete="off"></label>
  <button type="submit">Open</button>
</form>
<div id="notice" class="notice" role="status"></div>
<main>
  <section class="wide">
    <h2>Agents</h2>
    <table>
      <thead><tr><th>Agent</th><th>Type</th><th>Status</th><th>Breaker</th><th>In flight / capacity</th><th>Capabilities</th><th>Task types</th></tr></thead>
      <tbody id="agents-body"></tbody>
    </table>
    <p id="agents-empty" class="muted">No agents registered.</p>
  </section>
  <section>
    <h2>Tasks by status</h2>
    <div class="counts">
      ${['queued', 'dispatched', 'running', 'failed', 'succeeded', 'cancelled', 'dead_lettered']
        .map((status) => `<div>${status}<strong id="count-${status}">-</strong></div>`)
        .join('')}
    </div>
  </section>
  <section>
    <h2>Throughput, last 3 min <span id="throughput-now" class="muted"></span></h2>
    <svg id="throughput-chart" class="chart" viewBox="0 0 320 90" role="img" aria-label="Tasks finished per second"></svg>
  </section>
  <section>
    <h2>Latency, last 3 min <span id="latency-now" class="muted"></span></h2>
    <svg id="latency-chart" class="chart" viewBox="0 0 320 90" role="img" aria-label="Submission to success latency, p50 blue and p99 red"></svg>
  </section>
  <section>
    <h2>Queue depth by priority <span id="queue-total" class="muted"></span></h2>
    <svg id="queue-chart" class="chart queue" viewBox="0 0 320 140" role="img" aria-label="Queued tasks per priority, highest first"></svg>
  </section>
  <section class="wide">
    <h2>Recent failures</h2>
    <table>
      <thead><tr><th>Task</th><th>Type</th><th>Status</th><th>Attempt</th><th>Last error</th><th>Updated</th></tr></thead>
      <tbody id="failures-body"></tbody>
    </table>
    <p id="failures-empty" class="muted">No failed or dead-lettered tasks.</p>
  </section>
  <section class="wide" id="dlq">
    <h2>Dead-letter queue (<span id="dlq-count">0</span>)</h2>
    <table>
      <thead><tr><th>Task</th><th>Type</th><th>Attempts</th><th>Last error</th><th></th></tr></thead>
      <tbody id="dlq-body"></tbody>
    </table>
    <p id="dlq-empty" class="muted">The dead-letter queue is empty.</p>
  </section>
</main>
`;

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

export interface DashboardPage {
  html: string;
  /** The security headers the page must be served with (its CSP allows exactly its inline code). */
  headers: Record<string, string>;
}

/**
 * GET /dashboard: the live operations page, one self-contained HTML document (inline CSS, JS and
 * SVG; nothing from another origin). The page itself holds no data, so it is served without
 * authentication; everything it shows it reads with the caller's token, as the API's own clients
 * do (REST with Authorization: Bearer, WebSockets with the bearer sub-protocol), so the API's
 * authentication and authorization apply unchanged. The token comes from `#access_token=` (never
 * sent to the server) or `?access_token=` in the page address, or from the token form, is kept
 * in sessionStorage and removed from the address bar.
 */
export function renderDashboardPage(): DashboardPage {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>ContextForge operations</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
${BODY}
<script>${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src ${sha256(DASHBOARD_SCRIPT)}`,
    `style-src ${sha256(STYLE)}`,
    // 'self' covers ws:/wss: to the same host (CSP Level 3).
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    html,
    headers: {
      'Content-Security-Policy': contentSecurityPolicy,
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Cache-Control': 'no-store',
    },
  };
}
