'use strict';
// clients/node (@dialtone/testing) against the real binary: the package as a suite would use
// it, loaded through a relative require (CommonJS), with a check of its ESM entry. It starts
// its own dialtone with Dialtone.start; the Twilio API is driven through each account's
// ready SDK client.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { binaryPath, repoRoot } = require('../lib/dialtone');
const { startWebhookServer } = require('../lib/webhook_server');
const { rejectsRest } = require('../lib/common');
const testing = require('../../../clients/node');

const { Dialtone, DialtoneError, RouteMissingError, WaitTimeoutError } = testing;
const pkgDir = path.join(repoRoot, 'clients', 'node');
const xml = (body) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
const FROM = '+14155550100';

let dt;
let hooks;
before(async () => {
  dt = await Dialtone.start({ binary: binaryPath() });
  hooks = await startWebhookServer();
});
after(async () => {
  if (dt) {
    const exit = await dt.stop();
    if (process.env.DIALTONE_E2E_LOG) process.stderr.write(dt.log() + '\n');
    assert.deepEqual(exit, { code: 0, signal: null }, 'dialtone stopped cleanly on SIGTERM');
  }
  if (hooks) await hooks.close();
});

describe('the package', () => {
  it('its ESM entry exports the CommonJS classes, and every file it names exists', async () => {
    const esm = await import('../../../clients/node/index.mjs');
    for (const name of Object.keys(testing)) assert.equal(esm[name], testing[name], name);
    assert.deepEqual(Object.keys(esm).sort(), Object.keys(testing).sort());
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    assert.equal(pkg.name, '@dialtone/testing');
    assert.deepEqual(pkg.dependencies || {}, {}, 'no runtime dependency');
    const targets = [pkg.main, pkg.types, ...JSON.stringify(pkg.exports).match(/\.\/[\w.]+/g)];
    for (const file of targets) assert.ok(fs.existsSync(path.join(pkgDir, file)), `${file} exists`);
    for (const file of pkg.files) assert.ok(fs.existsSync(path.join(pkgDir, file)), `${file} exists`);
    // Every class and method the code exports is declared in the types.
    const dts = fs.readFileSync(path.join(pkgDir, 'index.d.ts'), 'utf8');
    for (const name of Object.keys(testing)) assert.match(dts, new RegExp(`export class ${name}\\b`));
    for (const m of Object.getOwnPropertyNames(testing.Account.prototype)) {
      if (m !== 'constructor' && !m.startsWith('_')) assert.match(dts, new RegExp(`\\n  (readonly )?${m}[(:]`), `Account#${m} typed`);
    }
  });

  it('the ESM entry drives dialtone too', async () => {
    const esm = await import('../../../clients/node/index.mjs');
    const d = new esm.Dialtone({ baseUrl: dt.baseUrl });
    const a = await d.account({ seed: 3, friendlyName: 'from esm' });
    assert.ok(a instanceof testing.Account);
    assert.equal(a.friendlyName, 'from esm');
    assert.equal((await a.clock()).iso, '2026-01-01T00:00:00.000Z');
    await a.close();
  });
});

describe('accounts', () => {
  it('two accounts made in parallel with manual clocks stay isolated', async () => {
    const [a, b] = await Promise.all([dt.account({ seed: 11 }), dt.account({ seed: 12 })]);
    assert.notEqual(a.sid, b.sid);
    assert.equal(a.seed, '11');
    assert.match(a.authToken, /^[0-9a-f]{32}$/);
    assert.match(a.apiKeySid, /^SK[0-9a-f]{32}$/);
    assert.ok(a.apiKeySecret);
    const hold = xml('<Pause length="600"/>');
    const [ca, cb] = await Promise.all([
      a.client.calls.create({ to: '+14155550111', from: FROM, twiml: hold }),
      b.client.calls.create({ to: '+14155550111', from: FROM, twiml: hold }),
    ]);
    assert.equal(ca.accountSid, a.sid);
    const before = await b.clock();
    const adv = await a.advance(5);
    assert.equal(adv.mode, 'manual');
    assert.ok(adv.timers_fired >= 1, `A's callee answered (${adv.timers_fired} timers)`);
    assert.equal(adv.now_ms - before.now_ms, 5000, 'A moved 5 s from the common start');
    assert.equal((await a.client.calls(ca.sid).fetch()).status, 'in-progress');
    assert.equal((await b.client.calls(cb.sid).fetch()).status, 'ringing', 'B waits for B\'s time');
    assert.equal((await b.clock()).now_ms, before.now_ms, 'B\'s clock did not move');
    // Each journal and each API sees only its own calls.
    assert.deepEqual([...new Set((await a.events()).map((e) => e.call_sid))], [ca.sid]);
    assert.deepEqual([...new Set((await b.events()).map((e) => e.call_sid))], [cb.sid]);
    await rejectsRest(b.client.calls(ca.sid).fetch(), 404, 20404);
    await Promise.all([a.close(), b.close()]);
  });

  it('advance + waitFor drive a call to completed; a wait that times out says so', async () => {
    const a = await dt.account();
    const call = await a.client.calls.create({ to: '+14155550111', from: FROM, twiml: xml('<Pause length="30"/>') });
    await a.advance(1);  // the default callee answers after 1 s
    const answered = await a.waitFor(call.sid, 'status:in-progress');
    assert.ok(answered.some((e) => e.type === 'status' && e.fields.status === 'in-progress'));
    await assert.rejects(a.waitFor(call.sid, 'status:completed', { timeout: 0.2 }), (e) => {
      assert.ok(e instanceof WaitTimeoutError, e.stack);
      assert.ok(e instanceof DialtoneError);
      assert.equal(e.status, 408);
      assert.match(e.message, /timed out waiting for status:completed/);
      assert.match(e.message, /the call is in-progress/);
      assert.equal(typeof e.lastSeq, 'number');
      return true;
    });
    await a.advance(30);
    const events = await a.waitFor(call.sid, 'status:completed');
    assert.equal(events.filter((e) => e.type === 'status').pop().fields.status, 'completed');
    assert.equal((await a.client.calls(call.sid).fetch()).duration, '30');
    const statuses = await a.events({ callSid: call.sid, type: 'status' });
    assert.deepEqual(statuses.map((e) => e.fields.status), ['queued', 'ringing', 'in-progress', 'completed']);
    await a.close();
  });

  it('close frees the account: its credentials then get 401, its routes 404', async () => {
    const a = await dt.account();
    const call = await a.client.calls.create({ to: '+14155550111', from: FROM, twiml: xml('<Pause length="60"/>') });
    assert.deepEqual(await a.close(), { deleted: a.sid });
    await rejectsRest(a.client.calls(call.sid).fetch(), 401, 20003);
    await rejectsRest(a.client.calls.list(), 401, 20003);
    assert.equal((await dt.request('GET', `/accounts/${a.sid}`)).status, 404);
    await assert.rejects(a.advance(1), (e) => e instanceof DialtoneError && e.status === 404);
  });

  it('a refused control request throws DialtoneError with dialtone\'s message', async () => {
    const a = await dt.account();
    await assert.rejects(a.callee('+14155550111').behaves({ answerAfter: 2.5 }), (e) => {
      assert.ok(e instanceof DialtoneError && !(e instanceof RouteMissingError), e.stack);
      assert.equal(e.status, 400);
      assert.match(e.message, /AnswerAfter must be whole seconds/);
      assert.equal(e.body.status, 400);
      return true;
    });
    await a.close();
  });
});

describe('callees', () => {
  it('scripted behaviours: a busy number, the default callee, a gather script', async () => {
    const a = await dt.account();
    const rule = await a.callee('+14155550121').behaves({ outcome: 'busy' });
    assert.equal(rule.number, '+14155550121');
    assert.equal(rule.outcome, 'busy');
    const gatherRule = await a.callee('+14155550122').behaves({ answerAfter: 2, gather: '7', hangupAfter: 40 });
    assert.deepEqual(gatherRule.gather, ['7'], 'one gather string is one entry');
    assert.equal(gatherRule.hangup_after, 40);
    const dflt = await a.callee('*').behaves({ answerAfter: 20 });
    assert.equal(dflt.default, true);
    const listed = await a.behaviors();
    assert.deepEqual(listed.behaviors.map((r) => r.number), ['+14155550121', '+14155550122']);
    assert.equal(listed.default.answer_after, 20);

    hooks.route('/cb/menu', xml(`<Gather numDigits="1" action="${hooks.url('/cb/pressed')}"><Say>Press a key</Say></Gather>`));
    hooks.route('/cb/pressed', xml('<Pause length="600"/>'));
    const hold = xml('<Pause length="600"/>');
    const busy = await a.client.calls.create({ to: '+14155550121', from: FROM, twiml: hold });
    const menu = await a.client.calls.create({ to: '+14155550122', from: FROM, url: hooks.url('/cb/menu') });
    const other = await a.client.calls.create({ to: '+14155550123', from: FROM, twiml: hold });
    await a.advance(3);
    assert.equal((await a.client.calls(busy.sid).fetch()).status, 'busy');
    const busyJournal = await a.events({ callSid: busy.sid, type: 'status' });
    assert.deepEqual(busyJournal.map((e) => [e.call_sid, e.fields.status]),
      [[busy.sid, 'queued'], [busy.sid, 'ringing'], [busy.sid, 'busy']], 'one call\'s journal');
    assert.equal((await a.client.calls(other.sid).fetch()).status, 'ringing', 'the default callee now waits 20 s');
    await a.waitFor(menu.sid, 'verb:verb=Gather');
    await a.advance(5);
    const [pressed] = await hooks.waitFor((r) => r.path === '/cb/pressed' && r.fields.CallSid === menu.sid, { what: 'the Gather action' });
    assert.equal(pressed.fields.Digits, '7');
    await a.advance(40);
    await a.waitFor(menu.sid, 'status:completed');  // hangupAfter
    await a.clearBehaviors();
    assert.equal((await a.behaviors()).behaviors.length, 0);
    await a.close();
  });

  it('live actions: answer, digits, speech, hangup, busy', async () => {
    const a = await dt.account();
    await a.callee('*').behaves({ answerAfter: 600 });  // nobody answers unless told to
    hooks.route('/live/keys', xml(`<Gather numDigits="5" action="${hooks.url('/live/speak')}"><Say>Your code</Say></Gather>`));
    hooks.route('/live/speak', xml(`<Gather input="speech" action="${hooks.url('/live/done')}"><Say>Say it</Say></Gather>`));
    hooks.route('/live/done', xml('<Pause length="600"/>'));
    const call = await a.client.calls.create({ to: '+14155550131', from: FROM, url: hooks.url('/live/keys') });
    await a.advance(1);
    assert.equal((await a.client.calls(call.sid).fetch()).status, 'ringing');
    const live = a.callee(call.sid);
    assert.equal((await live.answer()).sid, call.sid);
    const first = await a.waitFor(call.sid, 'verb:verb=Gather');
    await live.digits('12#');
    const [keys] = await hooks.waitFor((r) => r.path === '/live/speak' && r.fields.CallSid === call.sid, { what: 'the digits' });
    assert.equal(keys.fields.Digits, '12', '# ends the input');
    // The second <Gather>: only an event after the first one's counts.
    const after = await a.waitFor(call.sid, 'verb:verb=Gather', { since: first[first.length - 1].seq });
    assert.ok(after.every((e) => e.seq > first[first.length - 1].seq));
    assert.equal(after.filter((e) => e.type === 'verb' && e.fields.verb === 'Gather').length, 1);
    await live.speech('sales please');
    const [said] = await hooks.waitFor((r) => r.path === '/live/done' && r.fields.CallSid === call.sid, { what: 'the speech' });
    assert.equal(said.fields.SpeechResult, 'sales please');
    await live.hangup();
    await a.waitFor(call.sid, 'status:completed');
    // A live action the call cannot take now is refused (409), with dialtone's message.
    await assert.rejects(live.answer(), (e) => e instanceof DialtoneError && e.status === 409);

    const second = await a.client.calls.create({ to: '+14155550132', from: FROM, twiml: xml('<Pause length="60"/>') });
    await a.advance(1);
    await a.callee(second.sid).busy();
    await a.waitFor(second.sid, 'status:busy');
    await a.close();
  });
});

describe('numbers and inbound calls', () => {
  it('number() registers a number of the account; inbound() calls it', async () => {
    const a = await dt.account();
    const b = await dt.account();
    hooks.route('/in/a', xml('<Say>Hello A</Say><Hangup/>'));
    hooks.route('/in/status', '');
    const num = await a.number('+14155550700', { voiceUrl: hooks.url('/in/a'), statusCallback: hooks.url('/in/status') });
    assert.match(num.sid, /^PN[0-9a-f]{32}$/);
    assert.equal(num.account_sid, a.sid);
    assert.equal(num.voice_url, hooks.url('/in/a'));
    assert.ok((await a.numbers()).numbers.some((n) => n.phone_number === '+14155550700'));
    const call = await a.inbound({ from: '+14155550199', to: '+14155550700' });
    assert.equal(call.direction, 'inbound');
    assert.equal(call.account_sid, a.sid);
    await hooks.waitFor((r) => r.path === '/in/a' && r.fields.CallSid === call.sid, { what: 'A\'s voice URL' });
    await a.advance(10);
    await a.waitFor(call.sid, 'status:completed');
    await hooks.waitFor((r) => r.path === '/in/status' && r.fields.CallSid === call.sid &&
      r.fields.CallStatus === 'completed', { what: 'the completed status callback' });
    // B owns no such number: the same inbound call is refused in B's world.
    await assert.rejects(b.inbound({ from: '+14155550199', to: '+14155550700' }),
      (e) => e instanceof DialtoneError && e.status === 404 && e.body.code === 21217);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('routes of newer dialtones', () => {
  it('faults() without the route: a RouteMissingError that says so', async (t) => {
    const probe = await dt.request('GET', '/faults');
    if (probe.status !== 404) return t.skip('this dialtone has /_dialtone/faults');
    const a = await dt.account();
    await assert.rejects(a.faults().list(), (e) => {
      assert.ok(e instanceof RouteMissingError, e.stack);
      assert.match(e.message, /GET \/_dialtone\/faults: this dialtone has no such route \(404/);
      return true;
    });
    await a.close();
  });

  it('faults(): add, list, clear', async (t) => {
    if ((await dt.request('GET', '/faults')).status === 404) {
      return t.skip('needs a dialtone with the faults route (GET /_dialtone/faults answered 404)');
    }
    const a = await dt.account();
    const rule = await a.faults().add({ method: 'POST', route: 'Calls', kind: 'status', status: 503, times: 1 });
    assert.equal(rule.account_sid, a.sid);
    await rejectsRest(a.client.calls.create({ to: '+14155550111', from: FROM, twiml: xml('<Hangup/>') }), 503, 20503);
    const listed = await a.faults().list();
    assert.deepEqual(listed.rules.map((r) => [r.id, r.injected]), [[rule.id, 1]]);
    await a.faults().clear(rule.id);
    assert.deepEqual((await a.faults().list()).rules, []);
    await a.faults().add({ kind: 'status', status: 500 });
    await a.faults().clear();
    assert.deepEqual((await a.faults().list()).rules, []);
    await a.close();
  });

  it('snapshot() on a dialtone without the route: "this dialtone predates the snapshot route"', async () => {
    // An older dialtone answers 404 "No control route" for it.
    const old = new Dialtone({ baseUrl: dt.baseUrl });
    old.request = async (method, route) => ({ status: 404, text: '',
      json: { message: `No control route /_dialtone${route}`, status: 404 } });
    const a = new testing.Account(old, { sid: `AC${'0'.repeat(32)}` });
    for (const call of [() => a.snapshot(), () => a.restore({})]) {
      await assert.rejects(call(), (e) => e instanceof RouteMissingError &&
        /this dialtone predates the snapshot route/.test(e.message));
    }
  });

  it('snapshot() and restore(): a fixture restored into a fresh account', async () => {
    const a = await dt.account({ seed: 99 });
    await a.callee('+14155550123').behaves({ outcome: 'busy' });
    const call = await a.client.calls.create({ to: '+14155550123', from: FROM, twiml: xml('<Hangup/>') });
    await a.advance(5);
    const snap = await a.snapshot();
    assert.equal(snap.account_sid, a.sid);
    assert.deepEqual(snap.calls.map((c) => [c.sid, c.status]), [[call.sid, 'busy']]);
    const b = await dt.account();
    await assert.rejects(b.restore(snap), (e) => e instanceof DialtoneError && e.status === 409);
    await a.close();
    assert.deepEqual(await b.restore(snap), { restored: b.sid, from: a.sid, calls: 1,
      live_calls: 0, notifications: 0, events: snap.journal.length, numbers: 0 });
    assert.deepEqual(await b.snapshot(), JSON.parse(JSON.stringify(snap).split(a.sid).join(b.sid)));
    assert.equal((await b.client.calls(call.sid).fetch()).status, 'busy');
    await assert.rejects(b.restore({ dialtone_snapshot: 9 }), (e) => e instanceof DialtoneError &&
      e.status === 400 && /version 1 only/.test(e.message));
    await b.close();
  });
});

describe('Dialtone.start', () => {
  it('a second dialtone with a control token: the token is sent, and needed', async () => {
    const own = await Dialtone.start({ binary: binaryPath(), args: ['--control-api-token', 'sesame'], controlToken: 'sesame' });
    try {
      assert.notEqual(own.baseUrl, dt.baseUrl);
      assert.match(own.log(), /dialtone listening on http:\/\/127\.0\.0\.1:\d+/);
      const a = await own.account();
      assert.equal((await a.clock()).mode, 'manual');
      const anonymous = new Dialtone({ baseUrl: own.baseUrl });
      await assert.rejects(anonymous.account(), (e) => e instanceof DialtoneError && e.status === 401);
    } finally {
      assert.deepEqual(await own.stop(), { code: 0, signal: null });
    }
    await assert.rejects(fetch(`${own.baseUrl}/_dialtone/health`), 'the process is gone');
  });

  it('a binary that does not start: the error carries its output', async () => {
    await assert.rejects(Dialtone.start({ binary: binaryPath(), args: ['--clock', 'sideways'] }),
      /exited .* before it listened\. Output:\n.*clock/s);
    await assert.rejects(Dialtone.start({ binary: path.join(pkgDir, 'no-such-dialtone') }), /ENOENT/);
  });
});
