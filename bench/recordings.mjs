// Recording download throughput (issue 16 §4): N concurrent downloads of a long recording.
//   node bench/recordings.mjs DIALTONE_BIN [MINUTES] [WAV_DOWNLOADS] [MP3_DOWNLOADS] [CONCURRENCY]
//                             [CHANNELS]
//   defaults: 60 minutes, 16 WAV downloads, 4 MP3 downloads, 4 at a time, mono (or dual)
// One call (manual clock) is recorded for MINUTES: its callee speaks a minute, then is silent a
// minute, and so on, so that the file is half tone, half silence. Then the .wav (rendered
// chunk by chunk as the socket drains) and the .mp3 (LAME, sent chunked) are downloaded
// CONCURRENCY at a time, each body read to its end. Prints MB/s, downloads/s, dialtone's CPU
// per download and its RSS: before, the peak sampled every 20 ms during the downloads, after.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { advanceClock, cpuMs, mib, rssKiB, startDialtone } from './lib.mjs';

const bin = process.argv[2];
const minutes = Number(process.argv[3] || 60);
const wavDownloads = Number(process.argv[4] || 16);
const mp3Downloads = Number(process.argv[5] || 4);
const concurrency = Number(process.argv[6] || 4);
const channels = process.argv[7] || 'mono';
const AC = 'ACd1a170e0000000000000000000000000';
const AUTH = 'Basic ' + Buffer.from(`${AC}:dialtone-auth-token`).toString('base64');

async function post(url, form) {
  const r = await fetch(url, { method: 'POST', headers: { authorization: AUTH,
    'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  if (r.status >= 300) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  return r.json();
}

const { child, base, api } = await startDialtone(bin, AC);
try {
  // The recorded call: answered after 1 s, then a long pause; recorded from then on.
  const call = await post(`${api}/Calls.json`, { To: '+14155550100', From: '+14155550199',
    Twiml: `<Response><Pause length="${minutes * 60 + 60}"/></Response>` });
  await advanceClock(base, 1);
  const rec = await post(`${api}/Calls/${call.sid}/Recordings.json`, { RecordingChannels: channels });
  for (let m = 0; m < minutes; m += 2) {
    // 900 characters are 60 s of speech (15 a second, docs/recordings.md).
    const r = await fetch(`${base}/_dialtone/calls/${call.sid}/speech`, { method: 'POST',
      headers: { 'content-type': 'application/json' }, body: JSON.stringify({ SpeechResult: 'x'.repeat(900) }) });
    if (!r.ok) throw new Error(`speech: ${r.status} ${await r.text()}`);
    await advanceClock(base, Math.min(120, (minutes - m) * 60));
  }
  await post(`${api}/Calls/${call.sid}/Recordings/${rec.sid}.json`, { Status: 'stopped' });
  const done = await (await fetch(`${api}/Recordings/${rec.sid}.json`, { headers: { authorization: AUTH } })).json();
  if (done.status !== 'completed') throw new Error(`recording is ${done.status}`);

  const idle = rssKiB(child.pid);
  let peak = idle;
  const sampler = setInterval(() => { peak = Math.max(peak, rssKiB(child.pid)); }, 20);

  // `count` downloads of `suffix`, `concurrency` at a time: bytes, wall ms, dialtone CPU ms.
  async function downloads(suffix, count) {
    let next = 0;
    let bytes = 0;
    const cpu0 = cpuMs(child.pid);
    const t0 = performance.now();
    async function worker() {
      while (next < count) {
        next++;
        const r = await fetch(`${api}/Recordings/${rec.sid}${suffix}`, { headers: { authorization: AUTH } });
        if (r.status !== 200) throw new Error(`${suffix}: ${r.status}`);
        const reader = r.body.getReader();
        for (;;) {
          const { done: end, value } = await reader.read();
          if (end) break;
          bytes += value.length;
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    return { bytes, ms: performance.now() - t0, cpu: cpuMs(child.pid) - cpu0, count };
  }

  const wav = await downloads('.wav', wavDownloads);
  const mp3 = await downloads('.mp3', mp3Downloads);
  clearInterval(sampler);
  const after = rssKiB(child.pid);

  console.log(`recording ${rec.sid}: ${done.duration} s, ${channels}`);
  for (const [name, d] of [['wav', wav], ['mp3', mp3]]) {
    if (d.count === 0) continue;
    const mb = d.bytes / 1e6;
    console.log(`${name}: ${d.count} downloads of ${(mb / d.count).toFixed(1)} MB, ${concurrency} at a time, ` +
      `in ${(d.ms / 1000).toFixed(2)} s: ${(mb / (d.ms / 1000)).toFixed(1)} MB/s, ` +
      `${(d.count / (d.ms / 1000)).toFixed(2)} downloads/s; dialtone CPU ` +
      `${(d.cpu / d.count).toFixed(0)} ms a download`);
  }
  console.log(`rss_mib before ${mib(idle)}, peak during ${mib(peak)} (+${mib(peak - idle)}), after ${mib(after)}`);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`load average ${load} on ${os.cpus().length} cores`);
} finally {
  child.kill('SIGKILL');
}
