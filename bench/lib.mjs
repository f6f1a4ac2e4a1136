// What the Node benchmark scripts share: a free port, a process's RSS and CPU time, percentiles.
import fs, { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const rssKiB = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
export const mib = (kib) => (kib / 1024).toFixed(1);

// A process's own CPU time (user + system, ms): what it spent, whatever else shares the cores.
export const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;  // USER_HZ is 100 on Linux
};

// The p-th percentile (0..1) of an ascending array.
export const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

// Resolves once dialtone at `base` answers its health check (it was just spawned).
export async function waitHealthy(base) {
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/_dialtone/health`)).ok) return; } catch {}
    if (i > 500) throw new Error('dialtone did not start');
    await new Promise((r) => setTimeout(r, 10));
  }
}

// Moves dialtone's manual clock; the answer comes once the timers due meanwhile have fired.
export async function advanceClock(base, seconds) {
  const r = await fetch(`${base}/_dialtone/clock/advance`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Seconds: seconds }) });
  if (!r.ok) throw new Error(`advance: ${r.status} ${await r.text()}`);
}

// The app a benchmark's webhooks go to: `server` listening on a free local port; its base URL.
export async function listen(server) {
  server.keepAliveTimeout = 60000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${server.address().port}`;
}

// dialtone on a free port with a manual clock and no data dir, once it answers: its process,
// its base URL and the Twilio API prefix of account `accountSid`.
export async function startDialtone(bin, accountSid) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(bin, ['--port', String(port), '--clock', 'manual', '--log-level', 'warn',
                            '--data-dir', ''], { stdio: 'ignore' });
  await waitHealthy(base);
  return { child, base, api: `${base}/2010-04-01/Accounts/${accountSid}` };
}

// bench/ceiling_server as a fast app on one thread, answering every request with `body` as
// `contentType`; null when it was not built (-DDIALTONE_BENCH=ON builds it next to the binary).
export async function startFastApp(dialtoneBin, body, contentType) {
  const bin = path.join(path.dirname(dialtoneBin), '..', 'bench', 'ceiling_server');
  if (!fs.existsSync(bin)) return null;
  const file = path.join(os.tmpdir(), `dialtone-bench-app-${process.pid}.txt`);
  fs.writeFileSync(file, body);
  const child = spawn(bin, ['--threads', '1', '--body', file, '--content-type', contentType],
                      { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`ceiling_server exited: ${code}`)));
  });
  fs.unlinkSync(file);  // read at its start
  return { child, url };
}

// A Prometheus histogram of dialtone's /_dialtone/metrics: [upper bound in seconds, cumulative
// count] per bucket, +Inf last.
export async function readHistogram(base, name) {
  const text = await (await fetch(`${base}/_dialtone/metrics`)).text();
  const re = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)$`, 'gm');
  return [...text.matchAll(re)].map(([, le, n]) => [le === '+Inf' ? Infinity : Number(le), Number(n)]);
}

// Between two readings of one histogram: how many were observed, and the bucket bound (s) under
// which fraction p of them fell (an upper bound of the p-th percentile).
export function histogramBetween(before, after, p) {
  const counts = after.map(([le, n], i) => [le, n - (before[i]?.[1] ?? 0)]);
  const total = counts.at(-1)[1];
  const bound = counts.find(([, n]) => n >= total * p)?.[0] ?? Infinity;
  return { total, bound, within: (s) => (counts.find(([le]) => le >= s)?.[1] ?? total) / total };
}
