'use strict';
// --data-dir under full load, killed with SIGKILL at a random moment, round after round on the
// same directory (issue 19: group commit keeps the promise that an acknowledged change
// survives). After each restart every create and update that was answered 2xx in any round
// is there, ended calls exactly as their answer showed them, and no call is half-written
// (every stored call has every field of a call, and a status a restart can leave).
// Rounds: DIALTONE_CRASH_ROUNDS (3 in the suite; scripts/crash_test.sh runs 20).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startDialtone, HOLD_TWIML, sleep } = require('../lib/dialtone');
const { uniqueNumber, FROM } = require('../lib/common');

const ROUNDS = Number(process.env.DIALTONE_CRASH_ROUNDS || 3);
const CONNECTIONS = 64;
const KILL_MIN_MS = 150;
const KILL_MAX_MS = 1500;
const ENDED = new Set(['canceled', 'completed']);

describe('group commit across SIGKILL rounds', () => {
  let dir;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dialtone-e2e-crash-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  // Every call the instance lists, by sid (all pages).
  async function listAll(instance) {
    const calls = new Map();
    let page = await instance.api().list('PageSize=1000');
    for (;;) {
      assert.equal(page.status, 200, `list: ${page.text}`);
      for (const c of page.json.calls) calls.set(c.sid, c);
      if (!page.json.next_page_uri) break;
      page = await instance.api().request('GET', page.json.next_page_uri);
    }
    return calls;
  }

  it(`keeps every acknowledged change over ${ROUNDS} kill(s) at random moments`, async () => {
    const args = ['--data-dir', dir, '--ring-seconds', '1'];
    const created = new Map();  // sid -> body of its 201, every round
    const completed = new Map();  // sid -> body of the 200 to Status=completed
    let fields = null;  // the members of a call, from the first 201
    let instance = await startDialtone({ args });
    try {
      for (let round = 1; round <= ROUNDS; ++round) {
        const api = instance.api();
        const fresh = [];  // this round's acknowledged creates: live, so updatable
        let stop = false;
        let acked = 0;
        const worker = async (w) => {
          for (let i = 0; !stop; ++i) {
            try {
              if (i % 3 === 2 && fresh.length > 0) {
                const sid = fresh.splice((i * 7 + w) % fresh.length, 1)[0];
                const r = await api.update(sid, { Status: 'completed' });
                if (r.status === 200) { completed.set(sid, r.json); ++acked; }
              } else {
                const r = await api.create({ To: uniqueNumber(), From: FROM, Twiml: HOLD_TWIML });
                if (r.status === 201) {
                  created.set(r.json.sid, r.json);
                  fresh.push(r.json.sid);
                  fields = fields || Object.keys(r.json).sort();
                  ++acked;
                }
              }
            } catch {
              // The connection died with the process: not acknowledged, nothing to check.
            }
          }
        };
        const workers = Array.from({ length: CONNECTIONS }, (_, w) => worker(w));
        await sleep(KILL_MIN_MS + Math.floor(Math.random() * (KILL_MAX_MS - KILL_MIN_MS)));
        instance.child.kill('SIGKILL');
        stop = true;
        await Promise.all(workers);
        await new Promise((resolve) =>
          (instance.exited ? resolve() : instance.child.on('exit', resolve)));
        assert.ok(acked > 0, `round ${round}: nothing was acknowledged before the kill`);

        instance = await startDialtone({ args });
        const stored = await listAll(instance);
        for (const [sid, body] of created) {
          const now = stored.get(sid);
          assert.ok(now, `round ${round}: acknowledged call ${sid} is gone`);
          assert.deepEqual(Object.keys(now).sort(), fields, `round ${round}: ${sid} half-written`);
          assert.equal(now.to, body.to);
          assert.ok(ENDED.has(now.status), `round ${round}: ${sid} is ${now.status}`);
          if (completed.has(sid)) {
            assert.deepEqual(now, completed.get(sid), `round ${round}: ended call ${sid} changed`);
          }
        }
        for (const [sid, now] of stored) {
          assert.deepEqual(Object.keys(now).sort(), fields, `round ${round}: ${sid} half-written`);
        }
        console.log(`# round ${round}: ${acked} acknowledged, ${created.size} calls checked, ` +
          `${stored.size} stored`);
      }
    } finally {
      await instance.stop();
    }
  });
});
