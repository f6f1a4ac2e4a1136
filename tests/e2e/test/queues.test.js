'use strict';
// Queues through the official SDK, in virtual time (--clock manual): the SDK's queues and
// members accessors, and the queue scenarios of the reference (twilio-conferences-queues.md §9:
// 10 dequeue by Member update, 11 an agent's <Dial><Queue>, 12 empty and missing queues,
// 13 <Leave> and a full queue, 14 the Calls API on a waiting caller). Every JSON body the SDK
// gets must validate against twilio_api_v2010.json (common.js checks it after each test) and
// every webhook must carry a valid X-Twilio-Signature.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { useDialtone, uniqueNumber, rejectsRest } = require('../lib/common');
const { Dialtone } = require('../../../clients/node');
const { virtualTime } = require('../lib/virtual_time');

const ctx = useDialtone({ args: ['--clock', 'manual'] });
const FROM = '+14155550100';
const xml = (body) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

const { control, advance, waitFor } = virtualTime(ctx);

/** A call to a fresh number running `path`'s TwiML once answered (1 s of ringing). */
async function callTo(path) {
  return ctx.client.calls.create({ to: uniqueNumber(), from: FROM, url: ctx.hooks.url(path) });
}

function requestsTo(path, callSid) {
  return ctx.hooks.requests.filter((q) => q.path === path && (!callSid || q.fields.CallSid === callSid));
}

function assertSigned() {
  for (const q of ctx.hooks.requests) {
    assert.equal(q.signatureValid, true, `X-Twilio-Signature of ${q.method} ${q.url}`);
  }
}

describe('the Queues resource through the SDK', () => {
  it('creates, lists, fetches, updates and deletes queues', async () => {
    const q = await ctx.client.queues.create({ friendlyName: 'sdk-queue', maxSize: 10 });
    assert.match(q.sid, /^QU[0-9a-f]{32}$/);
    assert.equal(q.maxSize, 10);
    assert.equal(q.currentSize, 0);
    assert.equal(q.averageWaitTime, 0);
    assert.equal(q.friendlyName, 'sdk-queue');
    await rejectsRest(ctx.client.queues.create({ friendlyName: 'sdk-queue' }), 400, 20001);
    await rejectsRest(ctx.client.queues.create({ friendlyName: 'too-big', maxSize: 5001 }), 400, 20001);

    const listed = await ctx.client.queues.list();
    assert.ok(listed.some((x) => x.sid === q.sid));
    const page = await ctx.client.queues.page({ pageSize: 1 });
    assert.equal(page.instances.length, 1);

    const fetched = await ctx.client.queues(q.sid).fetch();
    assert.equal(fetched.friendlyName, 'sdk-queue');
    const updated = await ctx.client.queues(q.sid).update({ friendlyName: 'renamed', maxSize: 20 });
    assert.equal(updated.friendlyName, 'renamed');
    assert.equal(updated.maxSize, 20);
    assert.deepEqual(await ctx.client.queues(q.sid).members.list(), []);
    await rejectsRest(ctx.client.queues(q.sid).members('Front').fetch(), 404, 20404);

    assert.equal(await ctx.client.queues(q.sid).remove(), true);
    await rejectsRest(ctx.client.queues(q.sid).fetch(), 404, 20404);
  });
});

describe('queue scenarios', () => {
  it('10: hold music loops; a Member update dequeues the front caller to new TwiML', async () => {
    const { hooks } = ctx;
    hooks.route('/s10/caller', xml(`<Enqueue action="${hooks.url('/s10/left')}" ` +
      `waitUrl="${hooks.url('/s10/hold')}">s10-support</Enqueue>`));
    hooks.route('/s10/hold', xml('<Say>Please hold.</Say>'));  // about a second
    hooks.route('/s10/left', xml('<Say>must not run</Say>'));
    hooks.route('/s10/agent-ready', xml('<Pause length="2"/>'));

    const call = await callTo('/s10/caller');
    await advance(1);
    await waitFor(call.sid, 'enqueue');
    await advance(5);
    const holds = requestsTo('/s10/hold', call.sid);
    assert.ok(holds.length >= 3, `the waitUrl is requested again and again (${holds.length})`);
    const times = holds.map((h) => Number(h.fields.QueueTime));
    assert.ok(times[times.length - 1] > times[0], `QueueTime grows: ${times}`);
    assert.equal(holds[0].fields.QueuePosition, '1');
    assert.equal(holds[0].fields.MaxQueueSize, '1000');

    const queues = await ctx.client.queues.list();
    const q = queues.find((x) => x.friendlyName === 's10-support');
    assert.ok(q, 'the queue was created by <Enqueue>');
    assert.equal(q.currentSize, 1);
    assert.equal(q.maxSize, 1000);
    const members = await ctx.client.queues(q.sid).members.list();
    assert.deepEqual(members.map((m) => m.callSid), [call.sid]);
    assert.equal(members[0].position, 1);

    const front = await ctx.client.queues(q.sid).members('Front')
      .update({ url: hooks.url('/s10/agent-ready'), method: 'POST' });
    assert.equal(front.callSid, call.sid);
    assert.equal(front.position, 1);
    assert.ok(front.uri.endsWith(`/Members/${call.sid}.json`), front.uri);
    const [left] = await hooks.waitFor((r) => r.path === '/s10/left' && r.fields.CallSid === call.sid,
      { what: 'the Enqueue action' });
    assert.equal(left.fields.QueueResult, 'redirected');
    assert.equal(left.fields.QueueSid, q.sid);
    await hooks.waitFor((r) => r.path === '/s10/agent-ready' && r.fields.CallSid === call.sid,
      { what: 'the dequeue Url' });

    await rejectsRest(ctx.client.queues(q.sid).members(call.sid)
      .update({ url: hooks.url('/s10/agent-ready') }), 400, 20001);
    await rejectsRest(ctx.client.queues(q.sid).members('Front').fetch(), 404, 20404);
    assert.equal((await ctx.client.queues(q.sid).fetch()).currentSize, 0);
    await advance(2);
    await waitFor(call.sid, 'status:completed');
    const said = (await control().control('GET', `/calls/${call.sid}/events`, {})).events
      .filter((e) => e.type === 'verb' && e.fields.verb === 'Say').map((e) => e.fields.text);
    assert.ok(!said.includes('must not run'), `the action's TwiML did not run: ${said}`);
    assertSigned();
  });

  it('11: an agent\'s <Dial><Queue url> whispers to the front caller, then bridges; the next moves up', async () => {
    const { hooks } = ctx;
    hooks.route('/s11/caller', xml(`<Enqueue action="${hooks.url('/s11/left')}" ` +
      `waitUrl="${hooks.url('/s11/hold')}">s11-support</Enqueue>`));
    hooks.route('/s11/hold', xml('<Play>https://example.com/music.mp3</Play>'));
    hooks.route('/s11/left', xml('<Hangup/>'));
    hooks.route('/s11/whisper', xml('<Pause length="2"/>'));
    hooks.route('/s11/agent', xml(`<Dial action="${hooks.url('/s11/agent-done')}">` +
      `<Queue url="${hooks.url('/s11/whisper')}">s11-support</Queue></Dial>`));
    hooks.route('/s11/agent-done', xml('<Hangup/>'));

    const first = await callTo('/s11/caller');
    await advance(1);
    const second = await callTo('/s11/caller');
    await advance(3);
    const agent = await callTo('/s11/agent');
    await advance(1);
    const [whisper] = await hooks.waitFor((r) => r.path === '/s11/whisper', { what: 'the Queue url' });
    assert.equal(whisper.fields.CallSid, first.sid);
    assert.equal(whisper.fields.DequeingCallSid, agent.sid);
    assert.match(whisper.fields.QueueSid, /^QU/);
    assert.equal(whisper.fields.QueueTime, '4');
    const members = await ctx.client.queues(whisper.fields.QueueSid).members.list();
    assert.deepEqual(members.map((m) => [m.callSid, m.position]), [[second.sid, 1]]);
    // The whisper plays on the caller's leg (2 s), then the two are connected.
    await waitFor(first.sid, 'verb:verb=Pause');
    await advance(2);
    await waitFor(agent.sid, `dial:connected=${first.sid}`);
    await waitFor(first.sid, 'whisper:done=true');

    // The agent hangs up: the bridge ends, the caller's action hears "bridged".
    await advance(8);
    await ctx.client.calls(agent.sid).update({ status: 'completed' });
    const [left] = await hooks.waitFor((r) => r.path === '/s11/left' && r.fields.CallSid === first.sid,
      { what: 'the caller\'s Enqueue action' });
    assert.equal(left.fields.QueueResult, 'bridged');
    const [done] = await hooks.waitFor((r) => r.path === '/s11/agent-done', { what: 'the Dial action' });
    assert.equal(done.fields.DialCallStatus, 'completed');
    assert.equal(done.fields.DialCallSid, first.sid);
    assert.equal(done.fields.DialCallDuration, '8', 'from the connection, after the whisper');
    const holds = requestsTo('/s11/hold', second.sid);
    assert.equal(holds[holds.length - 1].fields.QueuePosition, '1');
    await ctx.client.calls(second.sid).update({ status: 'completed' });
    assertSigned();
  });

  it('a <Gather> in the wait document takes the caller\'s keys; its action\'s answer is the next wait document', async () => {
    const { hooks } = ctx;
    hooks.route('/sg/caller', xml(`<Enqueue action="${hooks.url('/sg/left')}" ` +
      `waitUrl="${hooks.url('/sg/hold')}">sg-support</Enqueue>`));
    hooks.route('/sg/hold', xml(`<Gather numDigits="1" timeout="5" action="${hooks.url('/sg/choice')}">` +
      '<Say>Press 1 to leave the queue.</Say></Gather>'));
    hooks.route('/sg/choice', xml('<Say>Goodbye.</Say><Leave/>'));
    hooks.route('/sg/left', xml('<Hangup/>'));
    const caller = await callTo('/sg/caller');
    await advance(1);
    await waitFor(caller.sid, 'verb:verb=Gather');
    const [queue] = (await ctx.client.queues.list()).filter((q) => q.friendlyName === 'sg-support');
    assert.equal(queue.currentSize, 1);
    const r = await control().request('POST', `/calls/${caller.sid}/digits`, { Digits: '1' });
    assert.equal(r.status, 200, r.text);
    const [choice] = await hooks.waitFor((q) => q.path === '/sg/choice', { what: 'the Gather action' });
    assert.equal(choice.fields.Digits, '1');
    assert.equal(choice.fields.CallSid, caller.sid);
    assert.equal((await ctx.client.queues(queue.sid).fetch()).currentSize, 1, 'still waiting');
    await advance(5);
    const [left] = await hooks.waitFor((q) => q.path === '/sg/left', { what: 'the Enqueue action' });
    assert.equal(left.fields.QueueResult, 'leave');
    await waitFor(caller.sid, 'status:completed');
    const notes = await ctx.client.calls(caller.sid).notifications.list();
    assert.deepEqual(notes.map((n) => n.errorCode), [], 'no 12200: the <Gather> ran');
    assertSigned();
  });

  it('12: an empty queue times out as no-answer, a missing one fails at once', async () => {
    const { hooks } = ctx;
    await ctx.client.queues.create({ friendlyName: 's12-empty' });
    hooks.route('/s12/agent', xml(`<Dial timeout="5" action="${hooks.url('/s12/done')}">` +
      '<Queue>s12-empty</Queue></Dial>'));
    hooks.route('/s12/missing', xml(`<Dial action="${hooks.url('/s12/done')}">` +
      '<Queue>s12-nobody</Queue></Dial>'));
    hooks.route('/s12/done', xml('<Hangup/>'));
    const waiting = await callTo('/s12/agent');
    const missing = await callTo('/s12/missing');
    await advance(1);
    const [failed] = await hooks.waitFor((r) => r.path === '/s12/done' && r.fields.CallSid === missing.sid,
      { what: 'the Dial action of a missing queue' });
    assert.equal(failed.fields.DialCallStatus, 'failed');
    await advance(5);
    const [timedOut] = await hooks.waitFor((r) => r.path === '/s12/done' && r.fields.CallSid === waiting.sid,
      { what: 'the Dial action of an empty queue' });
    assert.equal(timedOut.fields.DialCallStatus, 'no-answer');
    assertSigned();
  });

  it('13: <Leave> in the wait document, and a full queue', async () => {
    const { hooks } = ctx;
    await ctx.client.queues.create({ friendlyName: 's13-small', maxSize: 1 });
    hooks.route('/s13/caller', xml(`<Enqueue action="${hooks.url('/s13/left')}" ` +
      `waitUrl="${hooks.url('/s13/hold')}">s13-small</Enqueue>`));
    hooks.route('/s13/hold', (req) => (Number(req.fields.QueueTime) >= 2
      ? xml('<Leave/>') : xml('<Pause length="2"/>')));
    hooks.route('/s13/left', xml('<Hangup/>'));
    const first = await callTo('/s13/caller');
    await advance(1);
    const second = await callTo('/s13/caller');
    await advance(1);
    const [full] = await hooks.waitFor((r) => r.path === '/s13/left' && r.fields.CallSid === second.sid,
      { what: 'the queue-full action' });
    assert.equal(full.fields.QueueResult, 'queue-full');
    assert.equal(full.fields.QueueSid, undefined);
    assert.equal(full.fields.QueueTime, undefined);
    await advance(2);
    const [left] = await hooks.waitFor((r) => r.path === '/s13/left' && r.fields.CallSid === first.sid,
      { what: 'the Leave action' });
    assert.equal(left.fields.QueueResult, 'leave');
    assert.equal(left.fields.QueueTime, '2');
    assertSigned();
  });

  it('14: the Calls API redirects a waiting caller out of its queue', async () => {
    const { hooks } = ctx;
    hooks.route('/s14/caller', xml(`<Enqueue action="${hooks.url('/s14/left')}">s14</Enqueue>`));
    hooks.route('/s14/left', xml('<Say>must not run</Say>'));
    hooks.route('/s14/next', xml('<Hangup/>'));
    const call = await callTo('/s14/caller');
    await advance(3);
    await waitFor(call.sid, 'enqueue');
    const updated = await ctx.client.calls(call.sid).update({ url: hooks.url('/s14/next') });
    assert.equal(updated.status, 'in-progress');
    const [left] = await hooks.waitFor((r) => r.path === '/s14/left', { what: 'the Enqueue action' });
    assert.equal(left.fields.QueueResult, 'redirected');
    await waitFor(call.sid, 'status:completed');
    const q = (await ctx.client.queues.list()).find((x) => x.friendlyName === 's14');
    assert.equal(q.currentSize, 0);
    await rejectsRest(ctx.client.queues(q.sid).members(call.sid).fetch(), 404, 20404);
    await rejectsRest(ctx.client.calls(call.sid).update({ url: hooks.url('/s14/next') }), 400, 21220);
    assertSigned();
  });
});

describe('queues with --data-dir', () => {
  it('come back after a restart, empty, their callers ended like every live call', async () => {
    const fs = require('node:fs');
    const os = require('node:os');
    const path = require('node:path');
    const { startDialtone } = require('../lib/dialtone');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dialtone-e2e-queues-'));
    const args = ['--data-dir', dir, '--clock', 'manual'];
    try {
      const first = await startDialtone({ args });
      const client = first.client();
      const kept = await client.queues.create({ friendlyName: 'kept', maxSize: 7 });
      const gone = await client.queues.create({ friendlyName: 'gone' });
      await client.queues(kept.sid).update({ friendlyName: 'kept-renamed' });
      await client.queues(gone.sid).remove();
      const caller = await client.calls.create({ to: uniqueNumber(), from: FROM,
        twiml: '<Response><Enqueue>kept-renamed</Enqueue></Response>' });
      await new Dialtone({ baseUrl: first.baseUrl }).control('POST', '/clock/advance', { Seconds: 2 });
      assert.equal((await client.queues(kept.sid).fetch()).currentSize, 1);
      await first.stop();

      const second = await startDialtone({ args });
      try {
        const again = second.client();
        const queues = await again.queues.list();
        assert.deepEqual(queues.map((q) => q.sid), [kept.sid]);
        assert.equal(queues[0].friendlyName, 'kept-renamed');
        assert.equal(queues[0].maxSize, 7);
        assert.equal(queues[0].currentSize, 0);
        assert.equal((await again.calls(caller.sid).fetch()).status, 'completed');
      } finally {
        await second.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
