// A quick load against a running gateway (not yet the full `npm run bench` of step 7):
//   node tools/bench/quick-load.mjs http://127.0.0.1:8080 2000 50
// Submits N echo tasks with C in flight, then waits until all succeeded; prints submit rate and
// end-to-end tasks/s, then the submit->succeeded latency of 50 tasks sent one at a time.
// The token comes from CF_TOKEN or the embedded mode's .contextforge/credentials.json; start the
// gateway with limits raised for a load test, e.g.
//   CONTEXTFORGE__NETWORK__RATE_LIMITING__PER_IP=1000000/min CONTEXTFORGE__NETWORK__RATE_LIMITING__PER_CLIENT=1000000/min npm start
import { readFileSync } from 'node:fs';

const [url = 'http://127.0.0.1:8080', total = '2000', concurrency = '50'] = process.argv.slice(2);
const token =
  process.env.CF_TOKEN ?? JSON.parse(readFileSync('.contextforge/credentials.json', 'utf8')).clientToken;
const auth = { authorization: `Bearer ${token}` };
const N = Number(total);
const C = Number(concurrency);

const submit = async (input) => {
  const response = await fetch(`${url}/tasks/submit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ type: 'echo', input }),
  });
  if (response.status !== 202) throw new Error(`submit answered ${response.status}`);
  return (await response.json()).taskId;
};
const status = async (id) => (await (await fetch(`${url}/tasks/${id}`, { headers: auth })).json()).status;

let next = 0;
const ids = [];
const start = performance.now();
await Promise.all(
  Array.from({ length: C }, async () => {
    while (next < N) ids.push(await submit({ n: next++ }));
  }),
);
const submitted = performance.now();
for (let index = 0; index < ids.length; index += 1) {
  while ((await status(ids[index])) !== 'succeeded') await new Promise((resolve) => setTimeout(resolve, 5));
}
const finished = performance.now();
console.log(
  `${N} echo tasks, ${C} in flight: submitted at ${(N / ((submitted - start) / 1000)).toFixed(0)}/s, ` +
    `all succeeded after ${(finished - start).toFixed(0)} ms (${(N / ((finished - start) / 1000)).toFixed(0)} tasks/s)`,
);

const latencies = [];
for (let index = 0; index < 50; index += 1) {
  const sent = performance.now();
  const id = await submit({ probe: index });
  while ((await status(id)) !== 'succeeded') await new Promise((resolve) => setImmediate(resolve));
  latencies.push(performance.now() - sent);
}
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(1);
console.log(`unloaded submit->succeeded (polling GET): p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`);
