'use strict';
// dialtone's background threads (the store's writer, sync and checkpointer; the log's writer;
// the heap's prefault where tcmalloc is linked) run as SCHED_BATCH, and every other thread
// keeps the normal policy: a background thread woken under load waits for a free core instead
// of preempting an I/O thread mid-request (server/background_thread.hpp).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startDialtone } = require('../lib/dialtone');

const SCHED_OTHER = 0;
const SCHED_BATCH = 3;

// name -> scheduling policies of the process's threads of that name.
function policies(pid) {
  const out = {};
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    const comm = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
    const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // Field 41 of stat(5); the fields after the command name start at field 3.
    const policy = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[41 - 3]);
    (out[comm] ||= []).push(policy);
  }
  return out;
}

test('with --data-dir, the background threads are batch-scheduled and no other thread is',
  async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dialtone-e2e-threads-'));
    const dt = await startDialtone({ args: ['--data-dir', dir] });
    try {
      const r = await fetch(`${dt.baseUrl}/2010-04-01/Accounts/${dt.accountSid}/Calls.json`, {
        method: 'POST',
        headers: {
          authorization: 'Basic ' +
            Buffer.from(`${dt.accountSid}:${dt.authToken}`).toString('base64'),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ To: '+14155550100', From: '+14155550199',
          Twiml: '<Response><Hangup/></Response>' }).toString(),
      });
      assert.equal(r.status, 201);
      await r.arrayBuffer();
      const byName = policies(dt.child.pid);
      const batch = ['dt-commit', 'dt-sync', 'dt-checkpoint', 'dt-log', 'dt-prefault'];
      for (const name of batch.slice(0, 4)) {
        assert.deepEqual(byName[name], [SCHED_BATCH], `${name}: ${JSON.stringify(byName)}`);
      }
      // Only in builds that link tcmalloc (not the sanitizer builds).
      if (byName['dt-prefault']) assert.deepEqual(byName['dt-prefault'], [SCHED_BATCH]);
      for (const [name, list] of Object.entries(byName)) {
        if (batch.includes(name)) continue;
        assert.ok(list.every((p) => p === SCHED_OTHER), `${name}: ${list}`);
      }
    } finally {
      await dt.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
