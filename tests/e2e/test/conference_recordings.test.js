'use strict';
// Conference recordings end to end (docs/recordings.md, docs/conferences.md): the real binary on
// a manual clock, a real local webhook app that checks every signature, the official Twilio SDK.
// <Conference record="record-from-start"> and the Participants API's ConferenceRecord start the
// conference's recording when it starts and stop it when it ends; client.conferences(sid)
// .recordings lists, pauses, resumes and removes it; the account's list finds it by
// ConferenceSid; its WAV is as long as its duration. Every JSON body is checked against the
// spec (common.js), every wait is on the journal or on what the app received.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { useDialtone, rejectsRest, FROM, uniqueNumber } = require('../lib/common');
const { virtualTime } = require('../lib/virtual_time');
const { readWav } = require('../lib/wav');

const ctx = useDialtone({ args: ['--clock', 'manual'] });
const { control, advance, waitFor } = virtualTime(ctx);
const xml = (body) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

/** A call to a fresh number answered into `path`'s TwiML (1 s of ringing). */
async function joinVia(path) {
  const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, url: ctx.hooks.url(path) });
  await advance(1);
  await waitFor(call.sid, 'conference:event=participant-join');
  return call;
}

async function speak(callSid, chars) {
  const r = await control().request('POST', `/calls/${callSid}/speech`, { SpeechResult: 'x'.repeat(chars) });
  assert.equal(r.status, 200, r.text);
}

async function conferenceNamed(name) {
  const list = await ctx.client.conferences.list({ friendlyName: name });
  assert.ok(list.length > 0, `a conference named ${name}`);
  return list[0];
}

function callbacksAt(path, count) {
  return ctx.hooks.waitFor((q) => q.path === path, { count, what: `${count} recording callback(s) on ${path}` });
}

async function media(recordingSid, suffix) {
  const res = await fetch(`${ctx.dt.baseUrl}/2010-04-01/Accounts/${ctx.dt.accountSid}/Recordings/` +
    `${recordingSid}${suffix}`, { headers: { Authorization: 'Basic ' +
    Buffer.from(`${ctx.dt.accountSid}:${ctx.dt.authToken}`).toString('base64') } });
  assert.equal(res.status, 200, await res.clone().text());
  return { type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
}

function assertSigned() {
  for (const q of ctx.hooks.requests) {
    assert.equal(q.signatureValid, true, `X-Twilio-Signature of ${q.method} ${q.url}`);
  }
}

describe('Conference recordings', () => {
  it('record-from-start: from the start to the end; list, pause, resume; WAV as long as duration', async () => {
    const { hooks } = ctx;
    hooks.route('/r1/a', xml('<Dial><Conference record="record-from-start" trim="do-not-trim" ' +
      `recordingStatusCallback="${hooks.url('/r1/rec')}" recordingStatusCallbackEvent="in-progress completed">` +
      'r1-room</Conference></Dial>'));
    hooks.route('/r1/b', xml('<Dial><Conference>r1-room</Conference></Dial>'));
    const a = await joinVia('/r1/a');
    await advance(3);  // A waits with the music: not recorded
    let conf = await conferenceNamed('r1-room');
    assert.deepEqual(await ctx.client.conferences(conf.sid).recordings.list(), []);
    assert.equal(conf.subresourceUris.recordings,
      `/2010-04-01/Accounts/${ctx.dt.accountSid}/Conferences/${conf.sid}/Recordings.json`);

    const b = await joinVia('/r1/b');  // the conference starts: so does its recording
    const [started] = await callbacksAt('/r1/rec', 1);
    assert.equal(started.fields.RecordingStatus, 'in-progress');
    assert.equal(started.fields.ConferenceSid, conf.sid);
    assert.equal(started.fields.RecordingSource, 'Conference');
    assert.equal(started.fields.RecordingChannels, '1');
    assert.equal(started.fields.AccountSid, ctx.dt.accountSid);
    assert.equal(started.fields.CallSid, undefined);
    const [live] = await ctx.client.conferences(conf.sid).recordings.list();
    assert.match(live.sid, /^RE[0-9a-f]{32}$/);
    assert.equal(live.sid, started.fields.RecordingSid);
    assert.equal(live.status, 'in-progress');
    assert.equal(live.conferenceSid, conf.sid);
    assert.equal(live.callSid, a.sid);
    assert.equal(live.source, 'Conference');
    assert.equal(live.channels, 1);
    assert.equal(live.duration, null);

    await speak(b.sid, 30);  // 2 s of B
    await advance(3);
    const paused = await ctx.client.conferences(conf.sid).recordings('Twilio.CURRENT')
      .update({ status: 'paused', pauseBehavior: 'skip' });
    assert.equal(paused.status, 'paused');
    assert.equal(paused.sid, live.sid);
    await advance(4);  // left out of the file
    const resumed = await ctx.client.conferences(conf.sid).recordings(live.sid).update({ status: 'in-progress' });
    assert.equal(resumed.status, 'in-progress');
    await speak(a.sid, 15);  // 1 s of A
    await advance(2);
    conf = await ctx.client.conferences(conf.sid).update({ status: 'completed' });
    assert.equal(conf.status, 'completed');

    const callbacks = await callbacksAt('/r1/rec', 2);
    assert.deepEqual(callbacks.map((q) => q.fields.RecordingStatus), ['in-progress', 'completed']);
    assert.equal(callbacks[1].fields.RecordingDuration, '5', '3 s, the skipped pause, then 2 s');
    const done = await ctx.client.conferences(conf.sid).recordings(live.sid).fetch();
    assert.equal(done.status, 'completed');
    assert.equal(done.duration, '5');
    assert.equal(done.priceUnit, 'USD');
    const wav = await media(live.sid, '.wav');
    assert.equal(wav.type, 'audio/x-wav');
    assert.deepEqual(readWav(wav.body), { channels: 1, rate: 8000, bits: 16, seconds: Number(done.duration) });
    const mp3 = await media(live.sid, '.mp3');
    assert.equal(mp3.type, 'audio/mpeg');
    assert.ok(mp3.body.length > 0);

    // The account's list finds it by ConferenceSid; a call's own recordings do not hold it.
    const byConference = await ctx.client.recordings.list({ conferenceSid: conf.sid });
    assert.deepEqual(byConference.map((r) => r.sid), [live.sid]);
    assert.equal(byConference[0].conferenceSid, conf.sid);
    assert.deepEqual(await ctx.client.calls(a.sid).recordings.list(), []);
    await rejectsRest(ctx.client.conferences(conf.sid).recordings('Twilio.CURRENT').update({ status: 'paused' }),
      404, 20404);

    await ctx.client.conferences(conf.sid).recordings(live.sid).remove();
    assert.equal(ctx.client.httpClient.last.statusCode, 204);
    assert.deepEqual(await ctx.client.conferences(conf.sid).recordings.list(), []);
    await rejectsRest(ctx.client.conferences(conf.sid).recordings(live.sid).fetch(), 404, 20404);
    assertSigned();
  });

  it('the Participants API: ConferenceRecord with its callback settings; Record=true records the leg', async () => {
    const { hooks } = ctx;
    hooks.route('/r2/b', xml('<Dial><Conference>r2-room</Conference></Dial>'));
    const agent = await ctx.client.conferences('r2-room').participants.create({
      from: FROM, to: uniqueNumber(),
      conferenceRecord: 'record-from-start',
      conferenceTrim: 'do-not-trim',
      conferenceRecordingStatusCallback: hooks.url('/r2/rec'),
      conferenceRecordingStatusCallbackEvent: ['in-progress', 'completed', 'failed'],
      record: true,
      trim: 'do-not-trim',
    });
    await advance(1);
    await waitFor(agent.callSid, 'conference:event=participant-join');
    const b = await joinVia('/r2/b');
    const [started] = await callbacksAt('/r2/rec', 1);
    const conf = await conferenceNamed('r2-room');
    assert.equal(started.fields.ConferenceSid, conf.sid);
    await speak(b.sid, 45);
    await advance(4);
    await control().request('POST', `/calls/${b.sid}/hangup`);
    await advance(1);
    await ctx.client.conferences(conf.sid).participants(agent.callSid).remove();  // the last one: it ends
    const callbacks = await callbacksAt('/r2/rec', 2);
    assert.equal(callbacks[1].fields.RecordingStatus, 'completed');
    assert.equal(callbacks[1].fields.RecordingDuration, '5');
    const [rec] = await ctx.client.conferences(conf.sid).recordings.list();
    assert.equal(rec.duration, '5');
    assert.equal(rec.source, 'Conference');
    assert.equal(readWav((await media(rec.sid, '.wav')).body).seconds, 5);
    // Record=true: the agent's own leg, from its answer to its hang-up.
    await waitFor(agent.callSid, 'status:completed');
    const [leg] = await ctx.client.calls(agent.callSid).recordings.list();
    assert.equal(leg.source, 'OutboundAPI');
    assert.equal(leg.status, 'completed');
    assert.equal(leg.duration, '6');
    assert.equal(leg.conferenceSid, null);
    assertSigned();
  });

  it('errors: a bad ConferenceRecord, an unknown conference', async () => {
    await rejectsRest(ctx.client.conferences('r3-room').participants.create({
      from: FROM, to: uniqueNumber(), conferenceRecord: 'sometimes' }), 400, 20001);
    await rejectsRest(ctx.client.conferences('r3-room').participants.create({
      from: FROM, to: uniqueNumber(), conferenceTrim: 'maybe' }), 400, 20001);
    const unknown = 'CF00000000000000000000000000000000';
    await rejectsRest(ctx.client.conferences(unknown).recordings.list(), 404, 20404);
    await rejectsRest(ctx.client.conferences(unknown).recordings('Twilio.CURRENT').update({ status: 'paused' }),
      404, 20404);
  });
});
