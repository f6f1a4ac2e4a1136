'use strict';
// Conferences through the official SDK, in virtual time (--clock manual): the SDK's conferences
// and participants accessors, and the conference scenarios of the reference
// (twilio-conferences-queues.md §9: 1 two parties, 2 moderated, 3 ended by API, 4 warm
// transfer, 5 a failed add, 6 coaching, 7 mute and list filters, 8 labels, 9 names and sids,
// 14 the Calls API on a participant, 15 first-wins callbacks). Every JSON body the SDK gets must
// validate against twilio_api_v2010.json (common.js checks it after each test) and every
// webhook, conference status callbacks included, must carry a valid X-Twilio-Signature.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { useDialtone, uniqueNumber, rejectsRest } = require('../lib/common');
const { Dialtone } = require('../../../clients/node');
const { virtualTime } = require('../lib/virtual_time');

const ctx = useDialtone({ args: ['--clock', 'manual'] });
const FROM = '+14155550100';
const ALL = 'start end join leave mute hold modify speaker announcement';
const xml = (body) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

const { control, advance, waitFor } = virtualTime(ctx);

async function press(callSid, digits) {
  const r = await control().request('POST', `/calls/${callSid}/digits`, { Digits: digits });
  assert.equal(r.status, 200, r.text);
}

/** A call to a fresh number answered into `path`'s TwiML (1 s of ringing), and joined. */
async function joinVia(path) {
  const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, url: ctx.hooks.url(path) });
  await advance(1);
  await waitFor(call.sid, 'conference:event=participant-join');
  return call;
}

/** The conference status callbacks sent to `path`, in the order they arrived. */
function eventsAt(path) {
  return ctx.hooks.requests.filter((q) => q.path === path);
}
function names(path) { return eventsAt(path).map((q) => q.fields.StatusCallbackEvent); }

async function conferenceNamed(name) {
  const list = await ctx.client.conferences.list({ friendlyName: name });
  assert.ok(list.length > 0, `a conference named ${name}`);
  return list[0];
}

function assertSigned() {
  for (const q of ctx.hooks.requests) {
    assert.equal(q.signatureValid, true, `X-Twilio-Signature of ${q.method} ${q.url}`);
  }
}

describe('conference scenarios', () => {
  it('1: two parties via TwiML; B hangs up, A presses * and the Dial action continues A', async () => {
    const { hooks } = ctx;
    hooks.route('/s1/a', xml(`<Dial hangupOnStar="true" action="${hooks.url('/s1/done')}">` +
      `<Conference statusCallback="${hooks.url('/s1/events')}" statusCallbackEvent="start end join leave">` +
      's1-room</Conference></Dial>'));
    hooks.route('/s1/b', xml('<Dial><Conference>s1-room</Conference></Dial>'));
    hooks.route('/s1/done', xml('<Pause length="1"/>'));
    const a = await joinVia('/s1/a');
    let conf = await conferenceNamed('s1-room');
    assert.match(conf.sid, /^CF[0-9a-f]{32}$/);
    assert.equal(conf.status, 'init');
    const parts = await ctx.client.conferences(conf.sid).participants.list();
    assert.deepEqual(parts.map((p) => [p.callSid, p.status]), [[a.sid, 'connected']]);

    const b = await joinVia('/s1/b');
    await hooks.waitFor((r) => r.path === '/s1/events' && r.fields.StatusCallbackEvent === 'conference-start',
      { what: 'conference-start' });
    conf = await ctx.client.conferences(conf.sid).fetch();
    assert.equal(conf.status, 'in-progress');
    assert.deepEqual(names('/s1/events'), ['participant-join', 'participant-join', 'conference-start']);

    await control().request('POST', `/calls/${b.sid}/hangup`);
    const [leftB] = await hooks.waitFor((r) => r.path === '/s1/events' && r.fields.CallSid === b.sid &&
      r.fields.StatusCallbackEvent === 'participant-leave', { what: 'B leaves' });
    assert.equal(leftB.fields.ReasonParticipantLeft, 'participant_hung_up');
    assert.equal((await ctx.client.conferences(conf.sid).fetch()).status, 'in-progress');

    await press(a.sid, '*');
    const [end] = await hooks.waitFor((r) => r.path === '/s1/events' &&
      r.fields.StatusCallbackEvent === 'conference-end', { what: 'conference-end' });
    assert.equal(end.fields.ReasonConferenceEnded, 'last-participant-left');
    assert.equal(end.fields.CallSidEndingConference, a.sid);
    const seq = eventsAt('/s1/events').map((q) => Number(q.fields.SequenceNumber));
    assert.deepEqual(seq, seq.map((_, i) => i + 1), 'SequenceNumber counts up by one');
    conf = await ctx.client.conferences(conf.sid).fetch();
    assert.equal(conf.status, 'completed');
    assert.equal(conf.reasonConferenceEnded, 'last-participant-left');
    assert.equal(conf.callSidEndingConference, a.sid);
    assert.deepEqual(await ctx.client.conferences(conf.sid).participants.list(), []);
    const [done] = await hooks.waitFor((r) => r.path === '/s1/done', { what: 'the Dial action' });
    assert.equal(done.fields.DialCallStatus, 'answered');
    assert.equal(done.fields.DialCallSid, undefined);
    assert.equal(done.fields.DialCallDuration, undefined);
    await advance(1);
    await waitFor(a.sid, 'status:completed');
    assertSigned();
  });

  it('2: moderated; callers wait with the waitUrl until the moderator, who ends it', async () => {
    const { hooks } = ctx;
    hooks.route('/s2/wait', xml('<Play>https://example.com/m.mp3</Play><Redirect/>'));
    hooks.route('/s2/caller', xml(`<Dial><Conference startConferenceOnEnter="false" waitUrl="${hooks.url('/s2/wait')}" ` +
      `statusCallback="${hooks.url('/s2/events')}" statusCallbackEvent="${ALL}">s2-room</Conference></Dial>` +
      '<Say>after the conference</Say>'));
    hooks.route('/s2/mod', xml('<Dial><Conference startConferenceOnEnter="true" endConferenceOnExit="true">' +
      's2-room</Conference></Dial>'));
    const c1 = await joinVia('/s2/caller');
    const c2 = await joinVia('/s2/caller');
    await advance(6);
    assert.ok(eventsAt('/s2/wait').length >= 3, 'the wait document loops through <Redirect/>');
    assert.equal((await conferenceNamed('s2-room')).status, 'init');
    const mod = await joinVia('/s2/mod');
    await hooks.waitFor((r) => r.path === '/s2/events' && r.fields.StatusCallbackEvent === 'conference-start',
      { what: 'conference-start' });
    const waits = eventsAt('/s2/wait').length;
    await advance(10);
    assert.equal(eventsAt('/s2/wait').length, waits, 'the wait music stopped');
    await control().request('POST', `/calls/${mod.sid}/hangup`);
    const [end] = await hooks.waitFor((r) => r.path === '/s2/events' &&
      r.fields.StatusCallbackEvent === 'conference-end', { what: 'conference-end' });
    assert.equal(end.fields.ReasonConferenceEnded, 'participant-with-end-conference-on-exit-left');
    const leaves = eventsAt('/s2/events').filter((q) => q.fields.StatusCallbackEvent === 'participant-leave');
    assert.deepEqual(leaves.map((q) => q.fields.ReasonParticipantLeft),
      ['participant_hung_up', 'moderator_ended_conference', 'moderator_ended_conference']);
    for (const c of [c1, c2]) await waitFor(c.sid, 'verb:verb=Say');
    assert.equal((await ctx.client.calls(c1.sid).fetch()).status, 'in-progress');
    await advance(5);
    assertSigned();
  });

  it('3 and 7: mute, list filters, then the conference ended through the API', async () => {
    const { hooks } = ctx;
    hooks.route('/s3/caller', xml(`<Dial><Conference statusCallback="${hooks.url('/s3/events')}" ` +
      `statusCallbackEvent="${ALL}">s3-room</Conference></Dial>`));
    const a = await joinVia('/s3/caller');
    const conf = await conferenceNamed('s3-room');
    await rejectsRest(ctx.client.conferences(conf.sid).update({ status: 'completed' }), 400, 16001);
    const b = await joinVia('/s3/caller');
    const muted = await ctx.client.conferences(conf.sid).participants(a.sid).update({ muted: true });
    assert.equal(muted.muted, true);
    const onlyMuted = await ctx.client.conferences(conf.sid).participants.list({ muted: true });
    assert.deepEqual(onlyMuted.map((p) => p.callSid), [a.sid]);
    const banana = await ctx.client.conferences(conf.sid).participants(a.sid).update({ muted: 'banana' });
    assert.equal(banana.muted, false, 'any value but true reads as false');
    await hooks.waitFor((r) => r.path === '/s3/events' && r.fields.StatusCallbackEvent === 'participant-unmute',
      { what: 'participant-unmute' });
    assert.ok(names('/s3/events').includes('participant-mute'));

    const ended = await ctx.client.conferences(conf.sid).update({ status: 'completed' });
    assert.equal(ended.status, 'completed');
    assert.equal(ended.reasonConferenceEnded, 'conference-ended-via-api');
    assert.equal(ended.callSidEndingConference, null);
    const leaves = await hooks.waitFor((r) => r.path === '/s3/events' &&
      r.fields.StatusCallbackEvent === 'participant-leave', { count: 2, what: 'both leave' });
    for (const l of leaves) assert.equal(l.fields.ReasonParticipantLeft, 'conference_ended_via_api');
    for (const c of [a, b]) await waitFor(c.sid, 'status:completed');
    await rejectsRest(ctx.client.conferences(conf.sid).update({ status: 'completed' }), 400, 16099);
    const completed = await ctx.client.conferences.list({ status: 'completed', friendlyName: 's3-room' });
    assert.deepEqual(completed.map((c) => c.sid), [conf.sid]);
    assertSigned();
  });

  it('announcements play in simulated time, to the conference and to one participant', async () => {
    const { hooks } = ctx;
    hooks.route('/an/caller', xml(`<Dial><Conference statusCallback="${hooks.url('/an/events')}" ` +
      `statusCallbackEvent="${ALL}">an-room</Conference></Dial>`));
    hooks.route('/an/all', xml('<Pause length="3"/>'));
    hooks.route('/an/one', xml(`<Say>Your supervisor is listening.</Say><Redirect>${hooks.url('/an/more')}</Redirect>`));
    hooks.route('/an/more', xml('<Pause length="2"/>'));
    hooks.route('/an/bad', xml('<Record/>'));
    const a = await joinVia('/an/caller');
    const b = await joinVia('/an/caller');
    const conf = await conferenceNamed('an-room');
    const ends = () => eventsAt('/an/events').filter((q) => q.fields.StatusCallbackEvent === 'announcement-end');

    await ctx.client.conferences(conf.sid).update({ announceUrl: hooks.url('/an/all'), announceMethod: 'GET' });
    const [fetched] = await hooks.waitFor((r) => r.path === '/an/all', { what: 'the AnnounceUrl' });
    assert.equal(fetched.method, 'GET');
    assert.equal(fetched.fields.ConferenceSid, conf.sid);
    await advance(2);
    assert.deepEqual(ends(), [], 'it plays for 3 s');
    await advance(1);
    await hooks.waitFor((r) => r.path === '/an/events' && r.fields.StatusCallbackEvent === 'announcement-end',
      { what: 'announcement-end' });
    assert.equal(ends().length, 1, 'once for the conference');
    assert.equal(ends()[0].fields.AnnounceUrl, hooks.url('/an/all'));
    assert.equal(ends()[0].fields.CallSid, undefined);

    await ctx.client.conferences(conf.sid).participants(b.sid).update({ announceUrl: hooks.url('/an/one') });
    await waitFor(b.sid, 'verb:verb=Say');
    await advance(2);  // the <Say> takes 1.9 s; then the <Redirect> fetches the rest
    const [more] = await hooks.waitFor((r) => r.path === '/an/more', { what: 'the <Redirect> of the announcement' });
    assert.equal(more.fields.CallSid, b.sid);
    assert.equal(ends().length, 1, 'the Say played, the Pause not yet');
    await advance(2);
    const [one] = await hooks.waitFor((r) => r.path === '/an/events' && r.fields.StatusCallbackEvent === 'announcement-end' &&
      r.fields.CallSid === b.sid, { what: 'the participant\'s announcement-end' });
    assert.equal(one.fields.AnnounceUrl, hooks.url('/an/one'));

    await ctx.client.conferences(conf.sid).participants(a.sid).update({ announceUrl: hooks.url('/an/bad') });
    const [fail] = await hooks.waitFor((r) => r.path === '/an/events' &&
      r.fields.StatusCallbackEvent === 'announcement-fail', { what: 'announcement-fail' });
    assert.equal(fail.fields.CallSid, a.sid);
    assert.match(fail.fields.ReasonAnnouncementFailed, /Record/);
    await ctx.client.conferences(conf.sid).update({ status: 'completed' });
    for (const c of [a, b]) await waitFor(c.sid, 'status:completed');
    assertSigned();
  });

  it('4: warm transfer: hold, add an agent by label, unhold, kick', async () => {
    const { hooks } = ctx;
    hooks.route('/s4/customer', xml(`<Dial><Conference statusCallback="${hooks.url('/s4/events')}" ` +
      `statusCallbackEvent="${ALL}">s4-room</Conference></Dial>`));
    hooks.route('/s4/agent-a', xml(`<Dial action="${hooks.url('/s4/a-done')}"><Conference>s4-room</Conference></Dial>`));
    hooks.route('/s4/a-done', xml('<Hangup/>'));
    hooks.route('/s4/hold', xml('<Play>https://example.com/hold.mp3</Play><Redirect method="GET"/>'));
    const customer = await joinVia('/s4/customer');
    const agentA = await joinVia('/s4/agent-a');
    const conf = await conferenceNamed('s4-room');
    const held = await ctx.client.conferences(conf.sid).participants(customer.sid)
      .update({ hold: true, holdUrl: hooks.url('/s4/hold') });
    assert.equal(held.hold, true);
    const [holdFetch] = await hooks.waitFor((r) => r.path === '/s4/hold', { what: 'the hold music' });
    assert.equal(holdFetch.method, 'GET', 'HoldMethod defaults to GET');

    const added = await ctx.client.conferences(conf.sid).participants
      .create({ from: FROM, to: uniqueNumber(), label: 'agent b', statusCallback: hooks.url('/s4/b-status'),
        statusCallbackEvent: ['ringing', 'answered', 'completed'] });
    assert.equal(added.status, 'queued');
    assert.equal(added.queueTime, '1000');
    assert.equal(added.conferenceSid, conf.sid);
    assert.equal(added.label, 'agent b');
    await advance(1);
    await waitFor(added.callSid, 'conference:event=participant-join');
    const [answered] = await hooks.waitFor((r) => r.path === '/s4/b-status' && r.fields.CallStatus === 'in-progress',
      { what: 'the added call\'s own status callback' });
    assert.equal(answered.fields.CallSid, added.callSid);
    const byLabel = await ctx.client.conferences(conf.sid).participants('agent b').fetch();
    assert.equal(byLabel.callSid, added.callSid);
    assert.ok(byLabel.uri.endsWith(`/Participants/${added.callSid}.json`), byLabel.uri);
    assert.equal(byLabel.queueTime, null);

    await ctx.client.conferences(conf.sid).participants(customer.sid).update({ hold: false });
    assert.equal(await ctx.client.conferences(conf.sid).participants(agentA.sid).remove(), true);
    const [aDone] = await hooks.waitFor((r) => r.path === '/s4/a-done', { what: 'agent A\'s Dial action' });
    assert.equal(aDone.fields.DialCallStatus, 'answered');
    const list = await ctx.client.conferences(conf.sid).participants.list();
    assert.deepEqual(list.map((p) => p.callSid).sort(), [customer.sid, added.callSid].sort());
    assert.equal((await ctx.client.conferences(conf.sid).fetch()).status, 'in-progress');
    const seen = names('/s4/events');
    for (const e of ['participant-hold', 'participant-unhold', 'participant-leave']) assert.ok(seen.includes(e), e);
    await rejectsRest(ctx.client.conferences(conf.sid).participants(agentA.sid).fetch(), 404, 20404);
    await ctx.client.conferences(conf.sid).update({ status: 'completed' });
    assertSigned();
  });

  it('5: an added participant who does not answer leaves with participant_add_failed', async () => {
    const { hooks } = ctx;
    hooks.route('/s5/caller', xml(`<Dial><Conference statusCallback="${hooks.url('/s5/events')}" ` +
      `statusCallbackEvent="join leave">s5-room</Conference></Dial>`));
    const caller = await joinVia('/s5/caller');
    const to = uniqueNumber();
    const b = await control().request('POST', '/behaviors', { Number: to, Outcome: 'no-answer' });
    assert.ok(b.status >= 200 && b.status < 300, b.text);
    const conf = await conferenceNamed('s5-room');
    const added = await ctx.client.conferences(conf.sid).participants.create({ from: FROM, to, timeout: 10 });
    await advance(11);
    const [left] = await hooks.waitFor((r) => r.path === '/s5/events' && r.fields.CallSid === added.callSid,
      { what: 'the failed participant' });
    assert.equal(left.fields.StatusCallbackEvent, 'participant-leave');
    assert.equal(left.fields.ParticipantCallStatus, 'no-answer');
    assert.equal(left.fields.ReasonParticipantLeft, 'participant_add_failed');
    const list = await ctx.client.conferences(conf.sid).participants.list();
    assert.deepEqual(list.map((p) => p.callSid), [caller.sid]);
    await ctx.client.calls(caller.sid).update({ status: 'completed' });
    assertSigned();
  });

  it('6 and 8: coaching and labels', async () => {
    const { hooks } = ctx;
    hooks.route('/s6/agent', xml(`<Dial><Conference participantLabel="agent" statusCallback="${hooks.url('/s6/events')}" ` +
      `statusCallbackEvent="${ALL}">s6-room</Conference></Dial>`));
    hooks.route('/s6/customer', xml('<Dial><Conference participantLabel="cust one">s6-room</Conference></Dial>'));
    hooks.route('/s6/dup', xml('<Dial><Conference participantLabel="agent">s6-room</Conference></Dial><Say>not in</Say>'));
    const agent = await joinVia('/s6/agent');
    await joinVia('/s6/customer');
    const conf = await conferenceNamed('s6-room');
    const cust = await ctx.client.conferences(conf.sid).participants('cust one').fetch();
    assert.equal(cust.label, 'cust one');
    const dup = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, url: hooks.url('/s6/dup') });
    await advance(1);
    await waitFor(dup.sid, 'verb:verb=Say');
    assert.equal((await ctx.client.conferences(conf.sid).participants.list()).length, 2);

    const supervisor = await ctx.client.conferences(conf.sid).participants
      .create({ from: FROM, to: uniqueNumber(), coaching: true, callSidToCoach: agent.sid });
    assert.equal(supervisor.coaching, true);
    assert.equal(supervisor.callSidToCoach, agent.sid);
    await advance(1);
    await waitFor(supervisor.callSid, 'conference:event=participant-join');
    const stopped = await ctx.client.conferences(conf.sid).participants(supervisor.callSid).update({ coaching: false });
    assert.equal(stopped.coaching, false);
    await hooks.waitFor((r) => r.path === '/s6/events' && r.fields.StatusCallbackEvent === 'participant-modify',
      { what: 'participant-modify' });
    await rejectsRest(ctx.client.conferences(conf.sid).participants(supervisor.callSid)
      .update({ coaching: true, callSidToCoach: `CA${'0'.repeat(32)}` }), 400, 16028);
    await rejectsRest(ctx.client.conferences(conf.sid).participants
      .create({ from: FROM, to: uniqueNumber(), label: `CA${'1'.repeat(32)}` }), 400, 16024);
    await rejectsRest(ctx.client.conferences(conf.sid).participants
      .create({ from: FROM, to: uniqueNumber(), label: 'agent' }), 400, 16026);
    await ctx.client.conferences(conf.sid).update({ status: 'completed' });
    assertSigned();
  });

  it('9: create by friendly name; the name is reused after the end, the sid is not', async () => {
    const first = await ctx.client.conferences('NewRoom9').participants
      .create({ from: FROM, to: uniqueNumber(), conferenceStatusCallback: ctx.hooks.url('/s9/events') });
    assert.match(first.conferenceSid, /^CF/);
    assert.equal((await ctx.client.conferences(first.conferenceSid).fetch()).status, 'init');
    await advance(1);
    await waitFor(first.callSid, 'conference:event=participant-join');
    await ctx.client.calls(first.callSid).update({ status: 'completed' });
    const [end] = await ctx.hooks.waitFor((r) => r.path === '/s9/events', { what: 'start/end by default' });
    assert.equal(end.fields.StatusCallbackEvent, 'conference-end');
    ctx.hooks.route('/s9/caller', xml('<Dial><Conference>NewRoom9</Conference></Dial>'));
    const again = await joinVia('/s9/caller');
    const both = await ctx.client.conferences.list({ friendlyName: 'NewRoom9' });
    assert.equal(both.length, 2);
    assert.notEqual(both[0].sid, first.conferenceSid, 'newest first');
    assert.equal(both[1].sid, first.conferenceSid);
    await rejectsRest(ctx.client.conferences(first.conferenceSid).participants
      .create({ from: FROM, to: uniqueNumber() }), 400, 16022);
    await rejectsRest(ctx.client.conferences.list({ dateCreatedAfter: '2020-01-01T00:00:00Z' }), 400, 20001);
    await ctx.client.calls(again.sid).update({ status: 'completed' });
    assertSigned();
  });

  it('15: the first participant\'s callback settings win; the second\'s are ignored', async () => {
    const hooks = ctx.hooks;
    hooks.route('/s15/a', xml(`<Dial><Conference statusCallback="${hooks.url('/s15/a-events')}" ` +
      'statusCallbackEvent="join">s15-room</Conference></Dial>'));
    hooks.route('/s15/b', xml(`<Dial><Conference statusCallback="${hooks.url('/s15/b-events')}" ` +
      `statusCallbackEvent="${ALL}">s15-room</Conference></Dial>`));
    const a = await joinVia('/s15/a');
    const b = await joinVia('/s15/b');
    await hooks.waitFor((r) => r.path === '/s15/a-events' && r.fields.CallSid === b.sid,
      { what: "B's join, sent to A's URL" });
    await ctx.client.calls(b.sid).update({ status: 'completed' });  // a leave: not subscribed
    await ctx.client.calls(a.sid).update({ status: 'completed' });
    await advance(1);
    assert.deepEqual(names('/s15/a-events'), ['participant-join', 'participant-join']);
    assert.deepEqual(eventsAt('/s15/a-events').map((q) => q.fields.SequenceNumber), ['1', '2']);
    assert.deepEqual(eventsAt('/s15/b-events'), [], "the second participant's URL gets nothing");
    assertSigned();
  });

  it('14: the Calls API takes participants out of their conference', async () => {
    const { hooks } = ctx;
    hooks.route('/s14/mod', xml(`<Dial action="${hooks.url('/s14/mod-done')}"><Conference endConferenceOnExit="true" ` +
      `statusCallback="${hooks.url('/s14/events')}" statusCallbackEvent="${ALL}">s14-room</Conference></Dial>`));
    hooks.route('/s14/other', xml('<Dial><Conference>s14-room</Conference></Dial>'));
    hooks.route('/s14/mod-done', xml('<Say>must not run</Say>'));
    hooks.route('/s14/next', xml('<Hangup/>'));
    const mod = await joinVia('/s14/mod');
    const other = await joinVia('/s14/other');
    const updated = await ctx.client.calls(mod.sid).update({ url: hooks.url('/s14/next') });
    assert.equal(updated.status, 'in-progress');
    const [end] = await hooks.waitFor((r) => r.path === '/s14/events' &&
      r.fields.StatusCallbackEvent === 'conference-end', { what: 'conference-end' });
    assert.equal(end.fields.ReasonConferenceEnded, 'participant-with-end-conference-on-exit-left');
    const [left] = eventsAt('/s14/events').filter((q) => q.fields.StatusCallbackEvent === 'participant-leave');
    assert.equal(left.fields.CallSid, mod.sid);
    assert.equal(left.fields.ReasonParticipantLeft, 'participant_updated_via_api');
    const [done] = await hooks.waitFor((r) => r.path === '/s14/mod-done', { what: 'the Dial action' });
    assert.equal(done.fields.DialCallStatus, 'answered');
    await waitFor(mod.sid, 'status:completed');
    await waitFor(other.sid, 'status:completed');
    await rejectsRest(ctx.client.calls(mod.sid).update({ status: 'completed' }), 400, 21220);
    assertSigned();
  });
});

describe('conferences with --data-dir', () => {
  it('stay listable after a restart; one live at the restart ends with its calls', async () => {
    const fs = require('node:fs');
    const os = require('node:os');
    const path = require('node:path');
    const { startDialtone } = require('../lib/dialtone');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dialtone-e2e-conferences-'));
    const args = ['--data-dir', dir, '--clock', 'manual'];
    const twiml = (room) => `<Response><Dial><Conference>${room}</Conference></Dial></Response>`;
    try {
      const first = await startDialtone({ args });
      const client = first.client();
      const dt = new Dialtone({ baseUrl: first.baseUrl });
      const a = await client.calls.create({ to: uniqueNumber(), from: FROM, twiml: twiml('ended') });
      const b = await client.calls.create({ to: uniqueNumber(), from: FROM, twiml: twiml('live') });
      await dt.control('POST', '/clock/advance', { Seconds: 2 });
      await client.calls(a.sid).update({ status: 'completed' });
      const before = await client.conferences.list();
      assert.equal(before.length, 2);
      await first.stop();

      const second = await startDialtone({ args });
      try {
        const again = await second.client().conferences.list();
        assert.deepEqual(again.map((c) => c.sid), before.map((c) => c.sid));
        for (const c of again) assert.equal(c.status, 'completed');
        assert.equal(again.find((c) => c.friendlyName === 'ended').reasonConferenceEnded, 'last-participant-left');
        assert.equal((await second.client().calls(b.sid).fetch()).status, 'completed');
      } finally {
        await second.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
