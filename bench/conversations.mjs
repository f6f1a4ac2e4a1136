// Scripted conversations under load (issue 18 §3): N concurrent calls whose callee holds a
// conversation with a local <Gather input="speech"> + <Say> agent, in manual-clock time.
//   node bench/conversations.mjs DIALTONE_BIN [N] [EXCHANGES]     N default 500, EXCHANGES 10
// Each callee waits for the agent, says a sentence, and so on EXCHANGES times, then hangs up
// (docs/conversations.md): about 8 s of call time an exchange. Prints the wall time for the
// one clock advance that runs every conversation to its end (every webhook settled), the
// webhooks per second that took, and RSS per conversation against dialtone idle: live (the
// calls answered, before the advance) and ended (every transcript kept).
import http from 'node:http';
import { cpuMs, listen, mib, rssKiB, startDialtone } from './lib.mjs';

const bin = process.argv[2];
const n = Number(process.argv[3] || 500);
const exchanges = Number(process.argv[4] || 10);
const AC = 'ACd1a170e0000000000000000000000000';
const AUTH = 'Basic ' + Buffer.from(`${AC}:dialtone-auth-token`).toString('base64');

let requests = 0;
const gather = (say) => '<Response><Gather input="speech" speechTimeout="auto" action="/turn">' +
  `<Say>${say}</Say></Gather></Response>`;
const app = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    requests++;
    const said = new URLSearchParams(body).get('SpeechResult') || '';
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(gather(said ? `You said ${said}. What else?` : 'Hello, how can I help?'));
  });
});
const appBase = await listen(app);

const { child, base, api } = await startDialtone(bin, AC);
const post = async (url, form) => {
  const r = await fetch(url, { method: 'POST', headers: { authorization: AUTH,
    'content-type': 'application/x-www-form-urlencoded' }, body: form });
  if (r.status >= 300) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  return r.json();
};
try {
  const script = [];
  for (let i = 0; i < exchanges; i++) script.push('wait', `say:I would like to ask question number ${i}`);
  script.push('wait', 'hangup');
  const form = new URLSearchParams([['Default', 'true'], ...script.map((t) => ['Script', t])]);
  await post(`${base}/_dialtone/behaviors`, form);
  const idle = rssKiB(child.pid);
  const sids = [];
  for (let i = 0; i < n; i++) {
    const c = await post(`${api}/Calls.json`, new URLSearchParams({ To: '+14155550100',
      From: '+14155550199', Url: `${appBase}/voice` }));
    sids.push(c.sid);
  }
  // Every call answers after 1 s of ring and fetches its greeting.
  await post(`${base}/_dialtone/clock/advance`, new URLSearchParams({ Seconds: '1' }));
  const live = rssKiB(child.pid);
  const cpu0 = cpuMs(child.pid);
  const t0 = performance.now();
  await post(`${base}/_dialtone/clock/advance`, new URLSearchParams({ Seconds: String(exchanges * 10 + 30) }));
  const wallMs = performance.now() - t0;
  const cpu = cpuMs(child.pid) - cpu0;
  const after = rssKiB(child.pid);  // every transcript kept (the calls ended)
  let completed = 0;
  let entries = 0;
  for (const sid of sids) {
    const t = await (await fetch(`${base}/_dialtone/calls/${sid}/transcript`)).json();
    if (t.ended) completed++;
    entries += t.entries.length;
  }
  const expected = n * (2 * exchanges + 2);  // each exchange: agent and callee; greeting, hangup
  console.log(JSON.stringify({
    conversations: n, exchanges, completed, transcript_entries: entries, expected_entries: expected,
    webhooks: requests, advance_wall_ms: Math.round(wallMs), dialtone_cpu_ms: Math.round(cpu),
    webhooks_per_s: Math.round(requests / (wallMs / 1000)),
    rss_idle_mib: mib(idle), rss_live_mib: mib(live),
    rss_per_conversation_kib: ((live - idle) / n).toFixed(1),
    rss_after_mib: mib(after), rss_per_ended_conversation_kib: ((after - idle) / n).toFixed(1),
  }, null, 1));
} finally {
  child.kill('SIGTERM');
  app.close();
}
