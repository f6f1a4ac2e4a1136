// Queues under load (issue 15 §5): N callers waiting in one queue, their wait loops running in
// manual-clock time, then the queue drained by Member updates from C concurrent connections.
//   node bench/queues.mjs DIALTONE_BIN [N] [C]        N default 10000, C default 64
// BENCH_LOOP_SECONDS: the virtual time of the wait loops (default 60; 0 skips them).
// BENCH_WRK_SECONDS: with wrk on the PATH, Member updates from wrk for this long before the
// drain (default 1; 0 skips): each update dequeues a caller, so N must exceed what wrk sends
// (about 40,000 a second here: N = 100000 for 1 s); a run that emptied the queue says so.
// A local app answers the wait document (<Play>: 5 s of hold music, so each 5 s of virtual time
// re-requests every caller's waitUrl) and the dequeue Url (<Hangup/>). The dequeue Url of the wrk
// run goes to bench/ceiling_server answering <Hangup/> when it is built (the release preset with
// -DDIALTONE_BENCH=ON puts it next to the binary): a Node app on the same two cores cannot answer
// ~25,000 webhooks a second, and took a core from dialtone doing it. BENCH_DEQUEUE_APP=node keeps
// the Node app there too. Prints RSS per waiting
// caller, the wall time of the wait loops, and the dequeue throughput and latency (measured by
// this client, so its own time is included).
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { advanceClock, cpuMs, listen, mib, pct, rssKiB, startDialtone, startFastApp } from './lib.mjs';

const bin = process.argv[2];
const n = Number(process.argv[3] || 10000);
const conns = Number(process.argv[4] || 64);
const AC = 'ACd1a170e0000000000000000000000000';
const AUTH = 'Basic ' + Buffer.from(`${AC}:dialtone-auth-token`).toString('base64');


// The app: counts waitUrl requests.
let holds = 0;
const app = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'text/xml');
    if (req.url.startsWith('/hold')) {
      holds++;
      res.end('<Response><Play>https://cdn.example.com/music.mp3</Play></Response>');
    } else {
      res.end('<Response><Hangup/></Response>');
    }
  });
});
const appUrl = await listen(app);
const { child, base, api } = await startDialtone(bin, AC);
let fast = null;  // bench/ceiling_server as the dequeue app of the wrk run, when built
const form = (o) => new URLSearchParams(o).toString();
async function post(url, body) {
  return fetch(url, { method: 'POST', body: form(body),
    headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' } });
}
const advance = (seconds) => advanceClock(base, seconds);
async function pool(count, job) {
  let next = 0;
  await Promise.all(Array.from({ length: conns }, async () => {
    while (next < count) await job(next++);
  }));
}

try {
  // The REST API's MaxSize stops at 5000 (Twilio's maximum): the queue is made by <Enqueue
  // maxQueueSize>, which dialtone lets go to 100,000 (docs/queues.md).
  const name = 'bench';
  const empty = rssKiB(child.pid);
  const twiml = `<Response><Enqueue maxQueueSize="${Math.max(n, 1)}" waitUrl="${appUrl}/hold">` +
    `${name}</Enqueue></Response>`;
  let t = Date.now();
  await pool(n, async () => {
    const r = await post(`${api}/Calls.json`, { To: '+14155550100', From: '+14155550199', Twiml: twiml });
    if (r.status !== 201) throw new Error(`create: ${r.status} ${await r.text()}`);
    await r.arrayBuffer();
  });
  const createdMs = Date.now() - t;
  t = Date.now();
  await advance(2);  // every call answered, enqueued, its first wait document fetched
  const enqueueMs = Date.now() - t;
  const list = await (await fetch(`${api}/Queues.json`, { headers: { authorization: AUTH } })).json();
  const q = list.queues.find((x) => x.friendly_name === name);
  const waiting = rssKiB(child.pid);
  console.log(`queue ${name}: current_size ${q.current_size}, max_size ${q.max_size}`);
  console.log(`callers_${n}_rss_mib ${mib(waiting)} (before: ${mib(empty)}; per waiting caller ` +
    `${((waiting - empty) / n).toFixed(2)} KiB; created in ${createdMs} ms, enqueued in ${enqueueMs} ms)`);

  // The wait loops: 60 s of virtual time, 5 s of hold music a loop.
  const before = holds;
  let cpu = cpuMs(child.pid);
  t = Date.now();
  const loopSeconds = Number(process.env.BENCH_LOOP_SECONDS ?? 60);
  for (let s = 0; s < loopSeconds; s += 5) await advance(5);
  const loopMs = Date.now() - t;
  const fetched = holds - before;
  console.log(`wait_loops: ${loopSeconds} s of virtual time in ${loopMs} ms wall, ${fetched} waitUrl requests ` +
    `(${(fetched / (loopMs / 1000)).toFixed(0)}/s); dialtone CPU ` +
    `${((cpuMs(child.pid) - cpu) * 1000 / fetched).toFixed(0)} us a waitUrl request`);
  const q2 = await (await fetch(`${api}/Queues/${q.sid}.json`, { headers: { authorization: AUTH } })).json();
  console.log(`after the loops: current_size ${q2.current_size}, average_wait_time ${q2.average_wait_time} s`);

  // Member updates from wrk, the client that costs least beside dialtone.
  const wrkSeconds = Number(process.env.BENCH_WRK_SECONDS ?? 1);
  // Stays up until the end: the webhooks of the last updates are still on their way.
  fast = process.env.BENCH_DEQUEUE_APP === 'node' ? null
    : await startFastApp(bin, '<Response><Hangup/></Response>', 'text/xml');
  const dequeueUrl = fast ? `${fast.url}/next` : `${appUrl}/next`;
  const wrk = wrkSeconds > 0 && spawnSync('wrk', ['-t1', `-c${conns}`, `-d${wrkSeconds}s`, '--latency',
    '-s', path.join(import.meta.dirname, 'member.lua'), base], {
    encoding: 'utf8',
    env: { ...process.env, BENCH_DIR: import.meta.dirname, BENCH_QU: q.sid, BENCH_URL: dequeueUrl,
      BENCH_AC: AC, BENCH_AUTH: AUTH },
  });
  if (wrk && wrk.error) {
    console.log(`wrk: not run (${wrk.error.code})`);
  } else if (wrk) {
    const out = wrk.stdout;
    const requests = Number((/(\d+) requests in/.exec(out) || [])[1] || 0);
    const non2xx = Number((/Non-2xx or 3xx responses: (\d+)/.exec(out) || [])[1] || 0);
    const lat = (p) => ((new RegExp(`\\s${p}%\\s+(\\S+)`).exec(out)) || [])[1];
    console.log(`member updates (wrk, ${conns} connections, ${wrkSeconds} s; the dequeue Url answered by ` +
      `${fast ? 'bench/ceiling_server' : 'the Node app'}): ${requests} requests, ` +
      `${(/Requests\/sec:\s+(\S+)/.exec(out) || [])[1]}/s, p50 ${lat(50)}, p90 ${lat(90)}, ` +
      `p99 ${lat(99)}` + (non2xx ? `; INVALID: ${non2xx} answers other than 200 (the queue ran dry)` : ''));
  }
  const left = (await (await fetch(`${api}/Queues/${q.sid}.json`, { headers: { authorization: AUTH } }))
    .json()).current_size;

  // Dequeue: Member updates of the front, C at a time, until the queue is empty.
  const latencies = [];
  let ok = 0;
  cpu = cpuMs(child.pid);
  t = Date.now();
  await pool(left, async () => {
    const start = process.hrtime.bigint();
    const r = await post(`${api}/Queues/${q.sid}/Members/Front.json`, { Url: `${appUrl}/next` });
    await r.arrayBuffer();
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (r.status === 200) ok++;
  });
  const drainMs = Date.now() - t;
  const drainCpu = cpuMs(child.pid) - cpu;
  latencies.sort((a, b) => a - b);
  if (left === 0) console.log('dequeue: nothing left to drain');
  else console.log(`dequeue: ${ok} of ${left} in ${drainMs} ms (${(ok / (drainMs / 1000)).toFixed(0)}/s, ` +
    `${conns} connections), p50 ${pct(latencies, 0.5).toFixed(2)} ms, p99 ` +
    `${pct(latencies, 0.99).toFixed(2)} ms, max ${latencies[latencies.length - 1].toFixed(2)} ms; ` +
    `dialtone CPU ${(drainCpu * 1000 / Math.max(left, 1)).toFixed(0)} us a dequeue (with its webhook)`);
  await advance(1);
  console.log(`rss_after_drain_mib ${mib(rssKiB(child.pid))}`);
} finally {
  child.kill('SIGTERM');
  if (fast) fast.child.kill();
  app.close();
}
