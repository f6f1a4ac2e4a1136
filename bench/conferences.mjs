// A conference at Twilio's maximum (issue 15 §5): N participants (default 250) join one
// conference through <Dial><Conference>, are muted and unmuted by Participant updates from C
// concurrent connections (R rounds of N updates each), then the conference is emptied by
// DELETE (kick) of every participant.
//   node bench/conferences.mjs DIALTONE_BIN [N] [C] [R]    N 250, C 64, R 20
// With wrk on the PATH, the updates are also driven by wrk (bench/participant.lua, C
// connections, 10 s), whose own latency figures leave Node's client out of the measure.
// The conference status callbacks (join, leave, mute, start, end are subscribed) go to
// bench/ceiling_server answering <Response/> when it is built (the release preset with
// -DDIALTONE_BENCH=ON puts it next to the binary), answered while wrk runs as an app would.
// BENCH_CONF_EVENTS replaces the subscribed events (e.g. "start end join leave": no callback
// per mute, to see what the mute callbacks cost).
// This script's own Node app (BENCH_CALLBACK_APP=node, or without the ceiling server) counts
// them by event, but answers none while wrk runs (this script waits for wrk). Either way they
// queue in dialtone during the wrk run: one conference's callbacks go out one at a time, in
// order (docs/conferences.md), and while wrk saturates the I/O thread each step of one waits
// its turn behind the API's requests: 0.2k-2.2k answered a second against 30-50k mutes
// (fourteenth session), the rest after the run. Prints
// the latency of each kind of request as this client saw it (its own time included), dialtone's
// CPU per request, and its RSS at the end.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {
  advanceClock, cpuMs, listen, mib, pct, readHistogram, rssKiB, startDialtone, startFastApp,
} from './lib.mjs';

const bin = process.argv[2];
const n = Number(process.argv[3] || 250);
const conns = Number(process.argv[4] || 64);
const rounds = Number(process.argv[5] || 20);
const AC = 'ACd1a170e0000000000000000000000000';
const AUTH = 'Basic ' + Buffer.from(`${AC}:dialtone-auth-token`).toString('base64');

const events = {};
const app = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', () => {
    const e = new URLSearchParams(body).get('StatusCallbackEvent');
    if (e) events[e] = (events[e] || 0) + 1;
    res.setHeader('content-type', 'text/xml');
    res.end('<Response/>');
  });
});
const appUrl = await listen(app);
const fast = process.env.BENCH_CALLBACK_APP === 'node' ? null
  : await startFastApp(bin, '<Response/>', 'text/xml');
const callbackUrl = `${fast ? fast.url : appUrl}/events`;
const { child, base, api } = await startDialtone(bin, AC);
const headers = { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' };
const request = (method, url, body) =>
  fetch(url, { method, headers, body: body ? new URLSearchParams(body).toString() : undefined });
const advance = (seconds) => advanceClock(base, seconds);
// `count` jobs, C at a time; returns their latencies (ms), sorted.
async function timed(count, job) {
  const latencies = [];
  let next = 0;
  await Promise.all(Array.from({ length: conns }, async () => {
    while (next < count) {
      const i = next++;
      const start = process.hrtime.bigint();
      await job(i);
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }));
  return latencies.sort((a, b) => a - b);
}
function report(what, latencies, wallMs, cpu) {
  const count = latencies.length;
  console.log(`${what}: ${count} in ${wallMs} ms (${(count / (wallMs / 1000)).toFixed(0)}/s, ` +
    `${conns} connections), p50 ${pct(latencies, 0.5).toFixed(2)} ms, p99 ` +
    `${pct(latencies, 0.99).toFixed(2)} ms, max ${latencies[count - 1].toFixed(2)} ms; ` +
    `dialtone CPU ${(cpu * 1000 / count).toFixed(0)} us a request`);
}
async function expectStatus(r, status, what) {
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${await r.text()}`);
  await r.arrayBuffer();
}

try {
  const empty = rssKiB(child.pid);
  const subscribed = process.env.BENCH_CONF_EVENTS ?? 'start end join leave mute';
  const twiml = `<Response><Dial><Conference maxParticipants="250" statusCallback="${callbackUrl}" ` +
    `statusCallbackEvent="${subscribed}">bench</Conference></Dial></Response>`;
  let t = Date.now();
  let cpu = cpuMs(child.pid);
  const calls = [];
  const created = await timed(n, async () => {
    const r = await request('POST', `${api}/Calls.json`,
      { To: '+14155550100', From: '+14155550199', Twiml: twiml });
    if (r.status !== 201) throw new Error(`create: ${r.status} ${await r.text()}`);
    calls.push((await r.json()).sid);
  });
  report('fill (POST Calls)', created, Date.now() - t, cpuMs(child.pid) - cpu);
  t = Date.now();
  await advance(2);  // every call answered and joined
  console.log(`joined in ${Date.now() - t} ms (one clock advance)`);
  const list = await (await request('GET', `${api}/Conferences.json?FriendlyName=bench`)).json();
  const cf = list.conferences[0];
  const participants = `${api}/Conferences/${cf.sid}/Participants`;
  const page = await (await request('GET', `${participants}.json?PageSize=1000`)).json();
  console.log(`conference ${cf.sid}: status ${cf.status}, ${page.participants.length} participants, ` +
    `rss ${mib(rssKiB(child.pid))} MiB (${mib(empty)} empty)`);
  if (page.participants.length !== n) throw new Error('not everyone joined');

  // Mute and unmute, R rounds of N Participant updates.
  t = Date.now();
  cpu = cpuMs(child.pid);
  const updates = await timed(n * rounds, async (i) => {
    const sid = calls[i % n];
    const muted = Math.floor(i / n) % 2 === 0;
    await expectStatus(await request('POST', `${participants}/${sid}.json`, { Muted: String(muted) }),
      200, 'update');
  });
  report('participant updates (Muted)', updates, Date.now() - t, cpuMs(child.pid) - cpu);

  // The same updates from wrk, when it is there.
  const sidsFile = path.join(os.tmpdir(), `dialtone-bench-participants-${process.pid}`);
  writeFileSync(sidsFile, calls.join('\n') + '\n');
  cpu = cpuMs(child.pid);
  const hooksBefore =
    fast ? (await readHistogram(base, 'dialtone_webhook_latency_seconds')).at(-1)[1] : 0;
  const wrk = spawnSync('wrk', ['-t2', `-c${conns}`, '-d10s', '--latency', '-s',
    path.join(import.meta.dirname, 'participant.lua'), base], {
    encoding: 'utf8',
    env: { ...process.env, BENCH_DIR: import.meta.dirname, BENCH_SIDS: sidsFile, BENCH_CF: cf.sid,
      BENCH_AC: AC, BENCH_AUTH: AUTH },
  });
  rmSync(sidsFile, { force: true });
  if (wrk.error) {
    console.log(`wrk: not run (${wrk.error.code})`);
  } else {
    const out = wrk.stdout;
    const requests = Number((/(\d+) requests in/.exec(out) || [])[1] || 0);
    const non2xx = (/Non-2xx or 3xx responses: (\d+)/.exec(out) || [])[1] || '0';
    const lat = (p) => ((new RegExp(`\\s${p}%\\s+(\\S+)`).exec(out)) || [])[1];
    console.log(`participant updates (wrk, ${conns} connections, 10 s): ${requests} requests, ` +
      `${(/Requests\/sec:\s+(\S+)/.exec(out) || [])[1]}/s, p50 ${lat(50)}, p90 ${lat(90)}, ` +
      `p99 ${lat(99)}, non-2xx ${non2xx}; dialtone CPU ` +
      `${((cpuMs(child.pid) - cpu) * 1000 / Math.max(requests, 1)).toFixed(0)} us a request`);
    // What the callbacks queued during the run cost, and how many went out meanwhile.
    const answered = fast
      ? (await readHistogram(base, 'dialtone_webhook_latency_seconds')).at(-1)[1] - hooksBefore
      : 0;
    console.log(`  right after wrk: rss ${mib(rssKiB(child.pid))} MiB` +
      (fast ? `; ${answered} callbacks answered during the run (${(answered / 10).toFixed(0)}/s)` : ''));
  }

  // Empty it: kick everyone.
  t = Date.now();
  cpu = cpuMs(child.pid);
  const kicks = await timed(n, async (i) => {
    await expectStatus(await request('DELETE', `${participants}/${calls[i]}.json`), 204, 'kick');
  });
  report('kicks (DELETE)', kicks, Date.now() - t, cpuMs(child.pid) - cpu);
  await advance(1);
  const done = await (await request('GET', `${api}/Conferences/${cf.sid}.json`)).json();
  const callbacks = fast
    ? `${(await readHistogram(base, 'dialtone_webhook_latency_seconds')).at(-1)[1]} answered by ` +
      'bench/ceiling_server (webhooks of the run)'
    : JSON.stringify(events);
  console.log(`after: status ${done.status}, reason ${done.reason_conference_ended}; ` +
    `callbacks ${callbacks}; rss ${mib(rssKiB(child.pid))} MiB`);
} finally {
  child.kill('SIGTERM');
  app.close();
  if (fast) fast.child.kill();
}
