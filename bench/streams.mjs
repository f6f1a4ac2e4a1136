// Media Streams under load (issue 16 §4): N concurrent bidirectional streams at real-time pace.
//   node bench/streams.mjs DIALTONE_BIN [N] [SECONDS]       N default 200, SECONDS default 20
// N calls run <Connect><Stream> to a local WebSocket app (npm `ws`, from tests/e2e) that echoes
// every inbound frame back as the bot's audio and sends a mark a second. Prints dialtone's CPU
// share (its own user+system time over the wall time), the lateness of the frames as the app
// receives them (each stream's arrival times against a 20 ms grid anchored at its earliest
// frame, so the client's own delays count against dialtone), and RSS per stream.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpuMs, freePort, histogramBetween, mib, pct, readHistogram, rssKiB } from './lib.mjs';

const require = createRequire(new URL('../tests/e2e/package.json', import.meta.url));
const { WebSocketServer } = require('ws');

const bin = process.argv[2];
const n = Number(process.argv[3] || 200);
const seconds = Number(process.argv[4] || 20);
const AC = 'ACd1a170e0000000000000000000000000';
const AUTH = 'Basic ' + Buffer.from(`${AC}:dialtone-auth-token`).toString('base64');


// The app: per stream, the arrival time (ms, high resolution) of each inbound frame by chunk.
const streams = [];
let measuring = false;
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise((r) => wss.once('listening', r));
wss.on('connection', (ws) => {
  const s = { arrivals: [], sid: null, sent: 0, marks: 0 };
  streams.push(s);
  ws.on('message', (data) => {
    const at = performance.now();
    const m = JSON.parse(data);
    if (m.event === 'start') s.sid = m.streamSid;
    if (m.event === 'mark') s.marks++;
    if (m.event !== 'media') return;
    if (measuring) s.arrivals.push([Number(m.media.chunk), at]);
    ws.send(JSON.stringify({ event: 'media', streamSid: s.sid, media: { payload: m.media.payload } }));
    if (Number(m.media.chunk) % 50 === 0) {
      ws.send(JSON.stringify({ event: 'mark', streamSid: s.sid, mark: { name: m.media.chunk } }));
    }
  });
});
const wsUrl = `ws://127.0.0.1:${wss.address().port}/bot`;

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const api = `${base}/2010-04-01/Accounts/${AC}`;
const child = spawn(bin, ['--port', String(port), '--log-level', 'warn', '--data-dir', ''],
                    { stdio: 'ignore' });
try {
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/_dialtone/health`)).ok) break; } catch {}
    if (i > 500) throw new Error('dialtone did not start');
    await new Promise((r) => setTimeout(r, 10));
  }
  const idle = rssKiB(child.pid);
  const twiml = `<Response><Connect><Stream url="${wsUrl}"/></Connect></Response>`;
  const sids = [];
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${api}/Calls.json`, { method: 'POST', headers: { authorization: AUTH,
      'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: '+14155550100', From: '+14155550199', Twiml: twiml }) });
    if (r.status !== 201) throw new Error(`create: ${r.status} ${await r.text()}`);
    sids.push((await r.json()).sid);
  }
  // Every call answers after 1 s of ring; wait until every stream has started.
  for (let i = 0; streams.filter((s) => s.sid).length < n; i++) {
    if (i > 1000) throw new Error(`only ${streams.filter((s) => s.sid).length} streams started`);
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 1000));  // settle: every stream playing back
  measuring = true;
  const sentBefore = await readHistogram(base, 'dialtone_stream_frame_lateness_seconds');
  const cpu0 = cpuMs(child.pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const wallMs = performance.now() - t0;
  const cpu = cpuMs(child.pid) - cpu0;
  measuring = false;
  const busy = rssKiB(child.pid);
  const sent = await readHistogram(base, 'dialtone_stream_frame_lateness_seconds');

  const late = [];
  let frames = 0;
  for (const s of streams) {
    if (s.arrivals.length < 2) continue;
    const c0 = s.arrivals[0][0];
    const offsets = s.arrivals.map(([c, at]) => at - 20 * (c - c0));
    const anchor = Math.min(...offsets);
    for (const o of offsets) late.push(o - anchor);
    frames += s.arrivals.length;
  }
  late.sort((a, b) => a - b);
  const marks = streams.reduce((a, s) => a + s.marks, 0);
  console.log(`streams ${n}, measured ${(wallMs / 1000).toFixed(1)} s: ${frames} frames received ` +
    `(${(frames / (wallMs / 1000)).toFixed(0)}/s, expected ${n * 50}/s), ${marks} marks echoed`);
  console.log(`dialtone_cpu ${((cpu / wallMs) * 100).toFixed(1)}% of one core ` +
    `(${((cpu * 1000) / Math.max(frames, 1)).toFixed(1)} us a frame, its echo and playback)`);
  console.log(`frame_lateness_ms p50 ${pct(late, 0.5).toFixed(2)} p99 ${pct(late, 0.99).toFixed(2)} ` +
    `max ${late.at(-1).toFixed(2)}`);
  // dialtone's own share: from the instant a frame's audio ended to its write to the socket.
  const ms = (sec) => (sec === Infinity ? 'inf' : (sec * 1000).toFixed(1));
  const own = histogramBetween(sentBefore, sent, 0.99);
  console.log(`dialtone_frame_lateness_ms (to the socket write, ${own.total} sends) ` +
    `p50 <= ${ms(histogramBetween(sentBefore, sent, 0.5).bound)} p99 <= ${ms(own.bound)}; ` +
    `${(own.within(0.005) * 100).toFixed(2)}% within 5 ms`);
  console.log(`rss_mib idle ${mib(idle)}, streaming ${mib(busy)}: ` +
    `${((busy - idle) / n).toFixed(1)} KiB a stream`);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`load average ${load} on ${require('node:os').cpus().length} cores`);
} finally {
  child.kill('SIGKILL');
  for (const c of wss.clients) c.terminate();
  wss.close();
}
