'use strict';
// The heap faulted in ahead (server/tcmalloc_huge_pages.hpp): memory that calls take is faulted
// in by dt-prefault before tcmalloc hands it out, so the I/O threads that create calls do not
// stop for page faults; it tries huge pages and 4 KiB pages and keeps the cheaper
// (server/page_size_chooser.hpp), so where THP allows some of the heap is in huge pages
// whichever wins. Only in builds that link tcmalloc (not the sanitizer builds).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { startDialtone } = require('../lib/dialtone');

const AUTH = (dt) => 'Basic ' + Buffer.from(`${dt.accountSid}:${dt.authToken}`).toString('base64');

// Minor faults of the threads that serve requests (every thread but dialtone's named helpers).
function requestThreadFaults(pid) {
  let faults = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    const comm = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
    if (comm.startsWith('dt-')) continue;
    const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    faults += Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);  // minflt
  }
  return faults;
}

test('calls created take memory faulted in ahead of them, huge pages tried where THP allows',
  async (t) => {
    const dt = await startDialtone();
    try {
      const pid = dt.child.pid;
      if (!/libtcmalloc/.test(fs.readFileSync(`/proc/${pid}/maps`, 'utf8'))) {
        t.skip('this build does not link tcmalloc');
        return;
      }
      const threads = fs.readdirSync(`/proc/${pid}/task`).map(
        (tid) => fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim());
      assert.ok(threads.includes('dt-prefault'), `threads: ${threads.join(', ')}`);

      const body = new URLSearchParams({ To: '+14155550100', From: '+14155550199',
        Twiml: '<Response><Pause length="600"/></Response>' }).toString();
      const url = `${dt.baseUrl}/2010-04-01/Accounts/${dt.accountSid}/Calls.json`;
      const create = async (n) => {
        let next = 0;
        await Promise.all(Array.from({ length: 16 }, async () => {
          while (next++ < n) {
            const r = await fetch(url, { method: 'POST', body, headers: {
              authorization: AUTH(dt), 'content-type': 'application/x-www-form-urlencoded' } });
            assert.equal(r.status, 201);
            await r.arrayBuffer();
          }
        }));
      };
      await create(1500);  // past the heap that tcmalloc took at start-up, before the hand-over
      const before = requestThreadFaults(pid);
      const n = 3000;
      await create(n);
      // Without the prefault each call costs its threads ~0.55 faults (2 KiB of new memory);
      // with it, 0.003 (measured when written).
      const perCall = (requestThreadFaults(pid) - before) / n;
      assert.ok(perCall < 0.1, `${perCall.toFixed(3)} page faults a call on the I/O threads`);

      const thpPath = '/sys/kernel/mm/transparent_hugepage/enabled';
      const thp = fs.existsSync(thpPath) ? fs.readFileSync(thpPath, 'utf8') : '[never]';
      if (!/\[never\]/.test(thp)) {
        const huge = /AnonHugePages:\s+(\d+) kB/.exec(
          fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
        assert.ok(Number(huge[1]) > 0,
          `AnonHugePages ${huge[1]} kB with THP ${thp.trim()}: huge pages never tried`);
      }
    } finally {
      await dt.stop();
    }
  });
