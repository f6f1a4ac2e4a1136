'use strict';
// Snapshots of an account (docs/accounts.md): GET /_dialtone/accounts/{sid}/snapshot, kept as a
// fixture would be, restored with POST into a fresh account, gives back the same account: the
// calls through the official SDK (list, fetch, notifications), the journal, the scripted callees,
// the numbers, the limits and the clock all read the same, the account sid apart. Written with
// the client library (clients/node), as a suite would.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const twilio = require('twilio');
const { useDialtone } = require('../lib/common');
const { startDialtone } = require('../lib/dialtone');
const { Dialtone, DialtoneError } = require('../../../clients/node');

const ctx = useDialtone();
const xml = (body) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
const FROM = '+14155550100';
const IVR = '+14155550900';
const PRESSES = '+14155550901';
const BUSY = '+14155550902';
const CALLER = '+14155550903';

function routes() {
  const { hooks } = ctx;
  hooks.route('/snap/voice', xml(`<Say>Hello</Say><Gather numDigits="1" timeout="3" action="${hooks.url('/snap/menu')}">` +
    '<Say>Press 1</Say></Gather><Say>Goodbye</Say>'));
  hooks.route('/snap/menu', xml('<Say>Thanks</Say><Hangup/>'));
  hooks.route('/snap/broken', { status: 500, contentType: 'text/html', body: '<h1>down</h1>' });
  hooks.route('/snap/status', '');
}

/** Every call of the account through the SDK, as plain data: list, each fetch, its notifications. */
async function callsOf(acct) {
  const listed = await acct.client.calls.list();
  const out = [];
  for (const c of listed) {
    const fetched = await acct.client.calls(c.sid).fetch();
    const notes = await acct.client.calls(c.sid).notifications.list();
    out.push({ listed: c.toJSON(), fetched: fetched.toJSON(), notifications: notes.map((n) => n.toJSON()) });
  }
  return out;
}

/**
 * What a test reads of an account through the SDK and the control API, as JSON would keep it
 * (the SDK's dates as text). Its journal is read apart (journalOf): every SDK request is
 * journaled, so reading the calls adds to it.
 */
async function viewOf(acct) {
  return as({
    calls: await callsOf(acct),
    behaviors: await acct.behaviors(),
    numbers: await acct.numbers(),
    clock: await acct.clock(),
    limits: (await acct.limits()).calls_per_second,
  }, acct.sid, acct.sid);
}

/** The account's journal, the process-wide seq of its events left out. */
async function journalOf(acct) {
  return (await acct.events()).map(({ seq, ...rest }) => rest);
}

/** `value` with every occurrence of account sid `from` written as `to`. */
function as(value, from, to) {
  return JSON.parse(JSON.stringify(value).split(from).join(to));
}

/**
 * A settled account with something of everything: an outbound call that gathers a digit, a
 * busy one, one whose app fails (a notification), an inbound call to the account's number, a
 * callee rule, a limit, and the clock moved on.
 */
async function scenario(dt, seed) {
  routes();
  const { hooks } = ctx;
  const a = await dt.account({ clock: 'manual', seed });
  await a.number(IVR, { voiceUrl: hooks.url('/snap/voice'), statusCallback: hooks.url('/snap/status') });
  await a.callee(PRESSES).behaves({ answerAfter: 2, gather: ['1'] });
  await a.callee(BUSY).behaves({ outcome: 'busy' });
  await a.limits({ callsPerSecond: 2 });
  const gathered = await a.client.calls.create({
    to: PRESSES, from: FROM, url: hooks.url('/snap/voice'), statusCallback: hooks.url('/snap/status'),
    // Not initiated and ringing: their answers would come back while the next calls are made,
    // and land in the journal wherever they happen to land. These come during an advance,
    // which waits for them.
    statusCallbackEvent: ['answered', 'completed'],
  });
  const busy = await a.client.calls.create({ to: BUSY, from: FROM, twiml: xml('<Say>Never heard</Say>') });
  const broken = await a.client.calls.create({ to: '+14155550904', from: FROM, url: hooks.url('/snap/broken') });
  const inbound = await a.inbound({ from: CALLER, to: IVR });
  await a.advance(60);
  for (const c of [gathered, busy, broken, inbound]) await a.waitFor(c.sid, 'status');
  const ended = await a.client.calls.list();
  assert.deepEqual(ended.map((c) => c.status).sort(), ['busy', 'completed', 'completed', 'completed']);
  return { a, sids: [gathered.sid, busy.sid, broken.sid, inbound.sid] };
}

describe('snapshots of an account', () => {
  it('restored into a fresh account, everything reads the same, the account sid apart', async () => {
    const dt = new Dialtone({ baseUrl: ctx.dt.baseUrl, twilio });
    const { a, sids } = await scenario(dt, 5150);
    const before = await viewOf(a);
    assert.equal(before.calls.length, 4);
    assert.ok(before.calls.some((c) => c.notifications.length === 1), 'the failing app left a notification');
    const events = await journalOf(a);
    assert.ok(events.length > 30, `${events.length} events`);

    const snap = await a.snapshot();
    assert.equal(snap.dialtone_snapshot, 1);
    assert.equal(snap.account_sid, a.sid);
    assert.deepEqual(snap.calls.map((c) => c.sid), sids, 'oldest first');
    assert.equal(snap.clock.now_ms, before.clock.now_ms);
    assert.equal(snap.sids.seed, '5150');
    // Kept as a fixture: through JSON text and back.
    const fixture = JSON.parse(JSON.stringify(snap, null, 2));

    const b = await dt.account({ clock: 'real' });
    // The source still holds the call sids: refused, naming them, and B is left as it was.
    await assert.rejects(b.restore(fixture), (e) => e instanceof DialtoneError && e.status === 409 &&
      e.message.includes(sids[0]));
    assert.equal((await b.clock()).mode, 'real');
    await a.close();

    const answer = await b.restore(fixture);
    assert.deepEqual(answer, { restored: b.sid, from: a.sid, calls: 4, live_calls: 0, notifications: 1,
      events: snap.journal.length, numbers: 1 });
    // Snapshotted again: the same document, the account sid apart.
    assert.deepEqual(await b.snapshot(), as(snap, a.sid, b.sid));
    assert.deepEqual(await journalOf(b), as(events, a.sid, b.sid), 'the journal');
    const after = await viewOf(b);
    assert.deepEqual(after.calls, as(before.calls, a.sid, b.sid), 'calls: SDK list, fetch, notifications');
    assert.deepEqual(after.behaviors, before.behaviors);
    assert.deepEqual(after.numbers, as(before.numbers, a.sid, b.sid));
    assert.deepEqual(after.clock, before.clock, 'the clock: manual, at the snapshot\'s time');
    assert.equal(after.limits, 2);


    // The restored world goes on from there: time, callees and calls as the source's would.
    const next = await b.client.calls.create({ to: BUSY, from: FROM, twiml: xml('<Hangup/>') });
    await b.advance(5);
    assert.equal((await b.client.calls(next.sid).fetch()).status, 'busy');
    assert.equal((await b.clock()).now_ms, before.clock.now_ms + 5000);
    await b.close();
  });

  it('the same seed and scenario give the same snapshot, but for the account and wall times', async () => {
    const dt = new Dialtone({ baseUrl: ctx.dt.baseUrl, twilio });
    const runs = [];
    for (let i = 0; i < 2; i += 1) {
      const { a } = await scenario(dt, 777);
      const snap = await a.snapshot();
      await a.close();  // its sids are free again for the next run
      runs.push(normalize(snap, a.sid));
    }
    assert.deepEqual(runs[1], runs[0]);
  });

  it('a live call is captured: restored into a fresh account, it goes on as the source\'s did', async () => {
    routes();
    const dt = new Dialtone({ baseUrl: ctx.dt.baseUrl, twilio });
    const a = await dt.account({ clock: 'manual', seed: 2024 });
    await a.callee(PRESSES).behaves({ answerAfter: 2, gather: ['1'] });
    const call = await a.client.calls.create({ to: PRESSES, from: FROM, url: ctx.hooks.url('/snap/voice'),
      statusCallback: ctx.hooks.url('/snap/status'), statusCallbackEvent: ['answered', 'completed'] });
    await a.advance(3);  // answered at 2 s: "Hello" is being said, the <Gather> comes next
    const snap = await a.snapshot();
    assert.deepEqual(snap.live_calls.map((l) => l.call_sid), [call.sid]);
    assert.notEqual(snap.live_calls[0].phase, 'idle');
    assert.ok(snap.timers.some((t) => t.call_sid === call.sid && t.kind === 'time-limit'));
    await a.advance(60);  // the source goes on: gathers 1, runs the menu, hangs up
    await a.waitFor(call.sid, 'status:completed');
    const source = await journalOf(a);
    await a.close();

    const b = await dt.account({ clock: 'manual', seed: 1 });
    assert.equal((await b.restore(snap)).live_calls, 1);
    assert.equal((await b.snapshot()).calls[0].status, 'in-progress');
    await b.advance(60);
    await b.waitFor(call.sid, 'status:completed');
    assert.deepEqual(events(await journalOf(b), b.sid), events(source, a.sid));
    assert.equal((await b.client.calls(call.sid).fetch()).status, 'completed');
    await b.close();
  });

  it('a caller waiting in a queue with hold music, restored elsewhere, is taken by an agent as in the source', async () => {
    const { hooks } = ctx;
    const q = (p) => hooks.url(`/snapq${p}`);
    hooks.route('/snapq/voice', xml(`<Gather numDigits="1" timeout="5" action="${q('/menu')}">` +
      '<Say>Press 2 for sales.</Say></Gather>'));
    hooks.route('/snapq/menu', xml(`<Enqueue waitUrl="${q('/hold')}" action="${q('/left')}">sales</Enqueue>`));
    hooks.route('/snapq/hold', xml('<Play>https://example.com/hold.mp3</Play>'));
    hooks.route('/snapq/left', xml('<Say>Goodbye.</Say><Hangup/>'));
    hooks.route('/snapq/agent', xml('<Dial><Queue>sales</Queue></Dial>'));
    const dt = new Dialtone({ baseUrl: ctx.dt.baseUrl, twilio });
    const a = await dt.account({ clock: 'manual', seed: 4711 });
    await a.number('+14155550930', { voiceUrl: q('/voice') });
    await a.callee('+14155550931').behaves({ gather: ['2'] });
    await a.callee('+14155550932').behaves({ answerAfter: 2 });
    const caller = await a.inbound({ from: '+14155550931', to: '+14155550930' });
    await a.waitFor(caller.sid, 'verb:verb=Gather');
    await a.advance(5);
    await a.waitFor(caller.sid, 'verb:verb=Enqueue');
    await a.advance(12);  // the hold music loops
    const snap = await a.snapshot();
    assert.equal(snap.queues.length, 1);
    assert.deepEqual(snap.queues[0].callers, [caller.sid]);
    assert.equal(snap.live_calls[0].phase, 'enqueued');

    // The agent takes the caller, talks, hangs up: in the source, then in the restored copy.
    const goOn = async (acct) => {
      const agent = await acct.client.calls.create({ to: '+14155550932', from: '+14155550933', url: q('/agent') });
      await acct.advance(5);
      await acct.waitFor(caller.sid, 'queue:result=bridged');
      await acct.advance(30);
      await acct.client.calls(agent.sid).update({ status: 'completed' });
      await acct.advance(5);
      await acct.waitFor(caller.sid, 'status:completed');
      await acct.waitFor(agent.sid, 'status:completed');
      return journalOf(acct);
    };
    const source = await goOn(a);
    await a.close();
    const b = await dt.account({ clock: 'real' });
    await b.restore(snap);
    const restored = await goOn(b);
    assert.deepEqual(events(restored, b.sid), events(source, a.sid));
    await b.close();
  });

  it('a conference in progress, restored elsewhere, goes on as in the source', async () => {
    const { hooks } = ctx;
    const c = (p) => hooks.url(`/snapc${p}`);
    hooks.route('/snapc/first', xml(`<Dial timeLimit="40"><Conference waitUrl="${c('/wait')}" ` +
      `statusCallback="${c('/events')}" statusCallbackEvent="start end join leave mute">snap-room</Conference>` +
      '</Dial><Say>Bye.</Say>'));
    hooks.route('/snapc/second', xml('<Dial><Conference endConferenceOnExit="true">snap-room</Conference></Dial>'));
    hooks.route('/snapc/wait', xml('<Play>https://example.com/wait.mp3</Play><Redirect/>'));
    hooks.route('/snapc/events', '');
    const dt = new Dialtone({ baseUrl: ctx.dt.baseUrl, twilio });
    const a = await dt.account({ clock: 'manual', seed: 909 });
    await a.callee('+14155550941').behaves({ answerAfter: 1 });
    await a.callee('+14155550942').behaves({ answerAfter: 8 });
    const first = await a.client.calls.create({ to: '+14155550941', from: FROM, url: c('/first') });
    const second = await a.client.calls.create({ to: '+14155550942', from: FROM, url: c('/second') });
    await a.advance(3);  // the first waits with its music, the second still rings
    await a.waitFor(first.sid, 'conference:event=participant-join');
    const snap = await a.snapshot();
    assert.equal(snap.conferences.length, 1);
    assert.equal(snap.conferences[0].status, 'init');
    assert.deepEqual(snap.conferences[0].participants.map((p) => p.call_sid), [first.sid]);
    const live = snap.live_calls.find((l) => l.call_sid === first.sid);
    assert.equal(live.phase, 'conference');
    assert.equal(live.conference.sid, snap.conferences[0].sid);

    // The second joins (the conference starts), the first is muted, the second hangs up and,
    // ending the conference on exit, takes the first out to the verb after its <Dial>.
    const goOn = async (acct) => {
      await acct.advance(8);
      await acct.waitFor(second.sid, 'conference:event=participant-join');
      const [conf] = await acct.client.conferences.list({ friendlyName: 'snap-room' });
      assert.equal(conf.status, 'in-progress');
      await acct.client.conferences(conf.sid).participants(first.sid).update({ muted: true });
      await acct.advance(5);
      await acct.client.calls(second.sid).update({ status: 'completed' });
      await acct.advance(10);
      await acct.waitFor(first.sid, 'status:completed');
      const ended = await acct.client.conferences(conf.sid).fetch();
      assert.equal(ended.status, 'completed');
      assert.equal(ended.reasonConferenceEnded, 'participant-with-end-conference-on-exit-left');
      return journalOf(acct);
    };
    const sequence = () => hooks.requests.filter((q) => q.path === '/snapc/events')
      .map((q) => [q.fields.StatusCallbackEvent, q.fields.SequenceNumber]);
    const source = await goOn(a);
    const sentBySource = sequence();
    await a.close();
    const b = await dt.account({ clock: 'manual', seed: 1 });
    await b.restore(snap);
    const restored = await goOn(b);
    assert.deepEqual(events(restored, b.sid), events(source, a.sid));
    const sentByRestored = sequence().slice(sentBySource.length);
    assert.deepEqual(sentByRestored, sentBySource.slice(1), 'the same callbacks, numbered on from the snapshot');
    const [restoredConf] = await b.client.conferences.list();
    assert.equal(restoredConf.sid, snap.conferences[0].sid);
    assert.equal(restoredConf.accountSid, b.sid);
    assert.deepEqual(sentBySource.map(([e]) => e), ['participant-join', 'participant-join', 'conference-start',
      'participant-mute', 'participant-leave', 'participant-leave', 'conference-end']);
    await b.close();
  });

  it('webhooks out are refused with 409; a bad document with 400, changing nothing', async () => {
    const dt = new Dialtone({ baseUrl: ctx.dt.baseUrl, twilio });
    const a = await dt.account({ clock: 'manual', seed: 31 });
    ctx.hooks.route('/snap/slow', { body: xml('<Hangup/>'), delayMs: 500 });
    await a.number('+14155550906', { voiceUrl: ctx.hooks.url('/snap/slow') });
    await a.inbound({ from: CALLER, to: '+14155550906' });  // its TwiML is asked for at once
    await assert.rejects(a.snapshot(), (e) => e instanceof DialtoneError && e.status === 409 &&
      /1 webhook\(s\) out/.test(e.message));
    await a.advance(1);  // waits for the answer first
    const snap = await a.snapshot();

    const b = await dt.account({ clock: 'manual', seed: 32 });
    await b.callee(BUSY).behaves({ outcome: 'busy' });
    const kept = await b.client.calls.create({ to: BUSY, from: FROM, twiml: xml('<Hangup/>') });
    await b.advance(5);
    const bBefore = await b.snapshot();
    const refusals = [
      [{ ...snap, dialtone_snapshot: 2 }, /reads version 1 only/],
      [{ calls: [] }, /dialtone_snapshot is missing/],
      [{ ...snap, calls: [{ ...snap.calls[0], status: 'sideways' }] }, /calls\[0\]\.status 'sideways'/],
      [{ ...snap, clock: { ...snap.clock, tick: 1 } }, /clock\.tick is not a member/],
      [{ ...snap, calls: [{ ...snap.calls[0], status: 'in-progress' }] }, /live_calls does not describe it/],
    ];
    for (const [doc, words] of refusals) {
      await assert.rejects(b.restore(doc), (e) => e instanceof DialtoneError && e.status === 400 &&
        /^POST .*: 400 Invalid snapshot: /.test(e.message) && words.test(e.message), String(words));
    }
    assert.deepEqual(await b.snapshot(), bBefore, 'B as it was');
    assert.equal((await b.client.calls(kept.sid).fetch()).status, 'busy');

    // Into a subaccount: its owner's world would change with it.
    const sub = await dt.account({ ownerAccountSid: b.sid });
    await assert.rejects(sub.snapshot(), (e) => e.status === 400 && /subaccount/.test(e.message));
    await assert.rejects(b.snapshot(), (e) => e.status === 409 && e.message.includes(sub.sid));
    await a.close();
    await b.close();
  });
});

describe('a restored account with --data-dir', () => {
  it('is written before the answer: a restart loads it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dialtone-e2e-snapshot-'));
    const args = ['--data-dir', dir];
    try {
      const first = await startDialtone({ args });
      const dt = new Dialtone({ baseUrl: first.baseUrl, twilio });
      const a = await dt.account({ seed: 404 });
      await a.callee(BUSY).behaves({ outcome: 'busy' });
      const call = await a.client.calls.create({ to: BUSY, from: FROM, twiml: xml('<Hangup/>') });
      await a.advance(5);
      const snap = await a.snapshot();
      await a.close();
      const b = await dt.account();
      await b.restore(snap);
      const restored = await b.snapshot();
      await first.stop();

      const second = await startDialtone({ args });
      try {
        const again = new Dialtone({ baseUrl: second.baseUrl, twilio });
        const reloaded = await again.control('GET', `/accounts/${b.sid}/snapshot`);
        // What a restart keeps (docs/accounts.md): calls, journal, callees, numbers, limit; a
        // world's clock and sid sequence start again (its manual clock where its journal ends).
        for (const key of ['calls', 'notifications', 'journal', 'behaviors', 'numbers']) {
          assert.deepEqual(reloaded[key], restored[key], key);
        }
        assert.deepEqual(reloaded.calls.map((c) => [c.sid, c.status, c.account_sid]),
          [[call.sid, 'busy', b.sid]]);
      } finally {
        await second.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A journal as two runs share it: `normalize`'s rules, on events as GET /events shows them. */
function events(journal, accountSid) {
  return normalize({ journal: journal.map(({ wall, at, ...e }) => ({ ...e, wall_ms: 0 })) }, accountSid).journal;
}

/**
 * What two runs of one scenario with one seed share: everything but the account sid, wall
 * times, and what the process decides (webhook and request ids, so signatures and latencies).
 */
function normalize(snap, accountSid) {
  const drop = new Set(['id', 'latency_ms', 'signature', 'request_id']);
  const s = as(snap, accountSid, '<account>');
  for (const e of s.journal) {
    delete e.wall_ms;
    for (const k of Object.keys(e.fields)) if (drop.has(k)) delete e.fields[k];
  }
  return s;
}
