'use strict';
// --data-dir: a stream of creates and updates, the process killed with SIGKILL in the middle
// of it, a restart on the same directory. Every change that was answered 2xx is there; calls
// that were live come back ended (queued/ringing -> canceled, in-progress -> completed) with
// their status callback sent; ended calls are exactly as they were.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startDialtone, HOLD_TWIML, sleep, twilioClient } = require('../lib/dialtone');
const { startWebhookServer } = require('../lib/webhook_server');
const { uniqueNumber, FROM } = require('../lib/common');

const WORKERS = 8;
const KILL_AFTER_MS = 1500;

describe('persistence across SIGKILL', () => {
  let dir;
  let hooks;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dialtone-e2e-data-'));
    hooks = await startWebhookServer({ authToken: require('../lib/dialtone').AUTH_TOKEN });
  });
  after(async () => {
    await hooks.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged create and update, and ends live calls with their callbacks',
    async () => {
      // ring_seconds 0.5 s of virtual time at speed 1: some calls are answered before the kill,
      // some still ring or wait queued.
      const args = ['--data-dir', dir, '--ring-seconds', '1'];
      const first = await startDialtone({ args });
      const api = first.api();
      const created = new Map();  // sid -> body of the 201
      const updated = new Map();  // sid -> body of the 200 to Status=completed
      let stop = false;
      const worker = async (w) => {
        for (let i = 0; !stop; ++i) {
          try {
            if (i % 3 === 2 && created.size > 0) {
              const sids = [...created.keys()].filter((s) => !updated.has(s));
              const sid = sids[(i * 7 + w) % Math.max(sids.length, 1)];
              if (!sid) continue;
              const r = await api.update(sid, { Status: 'completed' });
              if (r.status === 200) updated.set(sid, r.json);
            } else {
              const r = await api.create({ To: uniqueNumber(), From: FROM, Twiml: HOLD_TWIML,
                StatusCallback: hooks.url('/status') });
              if (r.status === 201) created.set(r.json.sid, r.json);
            }
          } catch {
            // The connection died with the process: not acknowledged, nothing to check.
          }
        }
      };
      const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
      await sleep(KILL_AFTER_MS);
      first.child.kill('SIGKILL');
      stop = true;
      await Promise.all(workers);
      await new Promise((resolve) => (first.exited ? resolve() : first.child.on('exit', resolve)));
      assert.ok(created.size > 20, `only ${created.size} creates were acknowledged`);
      assert.ok(updated.size > 5, `only ${updated.size} updates were acknowledged`);

      const second = await startDialtone({ args });
      try {
        const api2 = second.api();
        const recovered = [];
        for (const [sid, body] of created) {
          const r = await api2.fetchCall(sid);
          assert.equal(r.status, 200, `acknowledged call ${sid} is gone after the restart`);
          assert.equal(r.json.to, body.to);
          if (updated.has(sid)) {
            // Ended before the kill, and acknowledged: exactly as the 200 showed it.
            assert.deepEqual(r.json, updated.get(sid), `ended call ${sid} changed`);
            continue;
          }
          assert.ok(['canceled', 'completed'].includes(r.json.status),
            `call ${sid} was live at the kill and is ${r.json.status} after the restart`);
          const ev = await second.api().request('GET',
            `/_dialtone/calls/${sid}/events?type=recovery`);
          if (ev.json && ev.json.events && ev.json.events.length > 0) {
            recovered.push([sid, r.json.status, ev.json.events[0]]);
          }
        }
        assert.ok(recovered.length > 0, 'some calls were live at the kill');
        for (const [sid, status, event] of recovered) {
          // The documented mapping: what the call was at the kill decides how it ends.
          const before = event.fields ? event.fields.status : event.status;
          if (before !== undefined) {
            assert.equal(status, before === 'in-progress' ? 'completed' : 'canceled',
              `${sid}: ${before} at the kill`);
          }
          const [cb] = await hooks.waitFor((q) => q.path === '/status' &&
            q.fields.CallSid === sid && q.fields.CallStatus === status,
          { what: `the ${status} callback of recovered call ${sid}` });
          assert.equal(cb.signatureValid, true);
        }
        assert.match(second.log(), /live call\(s\) ended by the restart/);

        // A third start finds nothing live any more, and everything still there.
        await second.stop();
        const third = await startDialtone({ args });
        try {
          assert.match(third.log(), /\b0 live call\(s\) ended by the restart/);
          // Every page: a fast machine acknowledges more than one page of calls.
          const sids = new Set();
          let page = await third.api().list('PageSize=1000');
          for (;;) {
            assert.equal(page.status, 200);
            for (const c of page.json.calls) sids.add(c.sid);
            if (!page.json.next_page_uri) break;
            page = await third.api().request('GET', page.json.next_page_uri);
          }
          for (const sid of created.keys()) assert.ok(sids.has(sid), `${sid} listed`);
        } finally {
          await third.stop();
        }
      } finally {
        await second.stop();
      }
    });

  // The store has no index on the account (docs/scaling.md, "No index on the account"): a
  // reset finds the account's rows in the writer's memory and marks its journal rows dead.
  // What a CI suite does between cases, then a kill: the reset holds, the other account keeps
  // everything, and what the reset account made after it is there.
  it('keeps an account\'s reset across SIGKILL, and the other account\'s rows', async () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'dialtone-e2e-data-'));
    const args = ['--data-dir', own];
    // The control API through the raw client (its form bodies and JSON answers).
    const control = (dt, method, route, form) => (method === 'GET'
      ? dt.api().request(method, `/_dialtone${route}?${new URLSearchParams(form)}`)
      : dt.api().request(method, `/_dialtone${route}`, { form }));
    const first = await startDialtone({ args });
    let second;
    try {
      const made = [];
      for (let i = 0; i < 2; ++i) {
        const r = await control(first, 'POST', '/accounts', { Clock: 'manual', Seed: '7' });
        assert.equal(r.status, 201);
        made.push({ ...r.json, client: twilioClient(first.baseUrl, r.json.sid, r.json.auth_token) });
      }
      const [a, b] = made;
      const call = (acct) => acct.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
      const before = [await call(a), await call(a), await call(a)];
      const bCalls = [await call(b), await call(b)];
      assert.equal((await control(first, 'POST', '/reset', { AccountSid: a.sid })).status, 200);
      // The world's sids start again from its seed: the new call takes the first one's sid.
      const after = await call(a);
      first.child.kill('SIGKILL');
      await new Promise((resolve) => (first.exited ? resolve() : first.child.on('exit', resolve)));

      second = await startDialtone({ args });
      const a2 = twilioClient(second.baseUrl, a.sid, a.auth_token);
      const b2 = twilioClient(second.baseUrl, b.sid, b.auth_token);
      const listed = async (client) => (await client.calls.list()).map((c) => c.sid).sort();
      assert.deepEqual(await listed(a2), [after.sid]);
      assert.equal((await a2.calls(after.sid).fetch()).to, after.to, 'the call after the reset');
      assert.deepEqual(await listed(b2), bCalls.map((c) => c.sid).sort());
      const journal = async (acct) => (await control(second, 'GET', '/events', { AccountSid: acct.sid })).json.events;
      const aEvents = await journal(a);
      assert.ok(aEvents.length > 0, 'A\'s events after the reset are kept');
      assert.ok(aEvents.every((e) => !e.call_sid || e.call_sid === after.sid),
        `A's journal holds only what came after its reset: ${JSON.stringify(aEvents.map((e) => e.call_sid))}`);
      assert.ok(aEvents.every((e) => e.seq > 0));
      const bSids = new Set((await journal(b)).map((e) => e.call_sid));
      for (const c of bCalls) assert.ok(bSids.has(c.sid), `B's journal names ${c.sid}`);
    } finally {
      if (second) await second.stop();
      if (!first.exited) first.child.kill('SIGKILL');
      fs.rmSync(own, { recursive: true, force: true });
    }
  });

  it('counts the store\'s commits and syncs in the metrics', async () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'dialtone-e2e-data-'));
    const dt = await startDialtone({ args: ['--data-dir', own] });
    try {
      const metric = async (name) => {
        const page = await (await fetch(`${dt.baseUrl}/_dialtone/metrics`)).text();
        const line = page.split('\n').find((l) => l.startsWith(`${name} `));
        assert.ok(line, `${name} is on the metrics page`);
        return Number(line.split(' ')[1]);
      };
      const syncs = await metric('dialtone_store_sync_seconds_count');
      const commits = await metric('dialtone_store_commit_seconds_count');
      for (let i = 0; i < 3; ++i) {
        const r = await dt.api().create({ To: uniqueNumber(), From: FROM, Twiml: HOLD_TWIML });
        assert.equal(r.status, 201);
      }
      // Each create is answered once durable: at least one commit and one sync since.
      assert.ok(await metric('dialtone_store_sync_seconds_count') > syncs);
      assert.ok(await metric('dialtone_store_commit_seconds_count') > commits);
    } finally {
      await dt.stop();
      fs.rmSync(own, { recursive: true, force: true });
    }
  });
});
