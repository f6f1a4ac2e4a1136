// What isolated accounts cost in memory (issue 17: 10,000 accounts with their own clocks under
// 100 MiB): starts dialtone, makes N accounts through POST /_dialtone/accounts, each a world
// with its own manual clock, and reads dialtone's RSS before, after, and after deleting them.
//   node bench/accounts_rss.mjs DIALTONE_BIN [N]      N default 10000
// Prints "accounts_N_rss_mib X (empty: Y; per account Z KiB)" and "rss_after_delete_mib W".
import { spawn } from 'node:child_process';
import { freePort, mib, rssKiB } from './lib.mjs';

const bin = process.argv[2];
const n = Number(process.argv[3] || 10000);
const concurrency = 16;


const port = await freePort();
const base = `http://127.0.0.1:${port}/_dialtone`;
const child = spawn(bin, ['--port', String(port), '--clock', 'manual', '--log-level', 'warn'],
                    { stdio: 'ignore' });
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {}
    if (i > 500) throw new Error('dialtone did not start');
    await new Promise((r) => setTimeout(r, 10));
  }
  const empty = rssKiB(child.pid);
  const sids = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const r = await fetch(`${base}/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ Clock: 'manual' }),
      });
      if (r.status !== 201 && r.status !== 200) throw new Error(`create: ${r.status}`);
      sids.push((await r.json()).sid);
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const made = rssKiB(child.pid);
  console.log(`accounts_${n}_rss_mib ${mib(made)} (empty: ${mib(empty)}; per account ` +
              `${((made - empty) / n).toFixed(1)} KiB; made in ${Date.now() - t0} ms)`);
  for (const sid of sids) {
    const r = await fetch(`${base}/accounts/${sid}`, { method: 'DELETE' });
    if (!r.ok) throw new Error(`delete: ${r.status}`);
  }
  console.log(`rss_after_delete_mib ${mib(rssKiB(child.pid))}`);
} finally {
  child.kill('SIGTERM');
}
