'use strict';
// A whole IVR in virtual time (--clock manual), driven through the control API:
// inbound call -> <Gather> (the caller's scripted digits) -> <Enqueue> with hold music (waitUrl
// loop) -> an agent's app redirects the waiting caller (the official SDK's update) -> <Dial> to
// a callee who never answers -> voicemail <Record> -> the completed status callback.
// Every step is awaited on the journal's blocking waits, never on a sleep; every webhook must
// carry a valid X-Twilio-Signature. Minutes of call time take milliseconds of wall time.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { useDialtone } = require('../lib/common');

const ctx = useDialtone({ args: ['--clock', 'manual'] });

const IVR_NUMBER = '+14155550700';
const CALLER = '+14155550701';
const AGENT = '+14155550702';

/** A control API request with a JSON body (arrays -> repeated values); returns {status, json}. */
async function control(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(`${ctx.dt.baseUrl}/_dialtone${path}`, init);
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** Blocks (server side) until `condition` holds for the call; returns the matching events. */
async function waitFor(callSid, condition, query = '') {
  const r = await control('GET', `/calls/${callSid}/events?wait_for=${encodeURIComponent(condition)}` +
    `&timeout=5${query}`);
  assert.equal(r.status, 200, `wait_for ${condition}: ${JSON.stringify(r.json)}`);
  return r.json;
}

async function advance(seconds) {
  const r = await control('POST', '/clock/advance', { Seconds: seconds });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json;
}

describe('IVR in virtual time', () => {
  it('gather -> queue with hold music -> agent redirect -> unanswered dial -> voicemail', async () => {
    const { hooks } = ctx;
    const xml = (body) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
    hooks.route('/voice', xml(`<Gather numDigits="1" timeout="5" action="${hooks.url('/menu')}">` +
      '<Say>Press 2 for sales.</Say></Gather><Say>Goodbye.</Say>'));
    hooks.route('/menu', (req) => (req.fields.Digits === '2'
      ? xml(`<Enqueue waitUrl="${hooks.url('/hold')}">sales</Enqueue>`)
      : xml('<Hangup/>')));
    hooks.route('/hold', xml('<Play>https://example.com/hold-music.mp3</Play>'));
    hooks.route('/agent', xml(`<Dial timeout="10" action="${hooks.url('/after-dial')}">${AGENT}</Dial>`));
    hooks.route('/after-dial', xml('<Say>Nobody is free. Leave a message.</Say>' +
      `<Record maxLength="30" action="${hooks.url('/recorded')}"/>`));
    hooks.route('/recorded', xml('<Say>Thank you.</Say><Hangup/>'));
    hooks.route('/status', '');

    // The SDK loads its modules and the harness compiles Twilio's response schemas on first
    // use: do both before the stopwatch starts, so that it measures the flow, not Node.
    const warm = await ctx.client.calls.create({ to: '+14155550799', from: CALLER,
      twiml: '<Response><Hangup/></Response>' });
    await ctx.client.calls(warm.sid).update({ status: 'canceled' });
    const started = process.hrtime.bigint();

    // The world: the IVR's number, a caller who presses 2, an agent who never answers.
    let r = await control('POST', '/numbers', { PhoneNumber: IVR_NUMBER, VoiceUrl: hooks.url('/voice'),
      StatusCallback: hooks.url('/status') });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.match(r.json.sid, /^PN[0-9a-f]{32}$/);
    r = await control('POST', '/behaviors', { Number: CALLER, Gather: ['2'], RecordSeconds: 7 });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    r = await control('POST', '/behaviors', { Number: AGENT, Outcome: 'no-answer' });
    assert.equal(r.status, 201, JSON.stringify(r.json));

    // The inbound call.
    r = await control('POST', '/calls', { From: CALLER, To: IVR_NUMBER });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const call = r.json;
    assert.equal(call.direction, 'inbound');
    const t0 = (await control('GET', '/clock')).json.now_ms;

    // Gather: the caller's scripted digit arrives once the clock moves.
    await waitFor(call.sid, 'verb:verb=Gather');
    await advance(5);
    const [menu] = await hooks.waitFor((q) => q.path === '/menu' && q.fields.CallSid === call.sid,
      { what: 'the Gather action' });
    assert.equal(menu.fields.Digits, '2');

    // Queue: hold music loops while virtual time passes.
    await waitFor(call.sid, 'verb:verb=Enqueue');
    await advance(12);  // <Play> lasts 5 s: the waitUrl is fetched again and again
    const holds = hooks.requests.filter((q) => q.path === '/hold' && q.fields.CallSid === call.sid);
    assert.ok(holds.length >= 3, `hold music looped (${holds.length} waitUrl requests)`);
    assert.equal(holds[0].fields.QueueResult, undefined);

    // The agent's app takes the caller out of the queue with the official SDK.
    const updated = await ctx.client.calls(call.sid).update({ url: hooks.url('/agent'), method: 'POST' });
    assert.equal(updated.status, 'in-progress');
    await waitFor(call.sid, 'verb:verb=Dial');

    // The agent's phone rings out (Dial timeout 10 s); voicemail records 7 s; the call ends.
    await advance(60);
    const done = await waitFor(call.sid, 'status:completed');
    assert.ok(done.events.length > 0);
    const [afterDial] = await hooks.waitFor((q) => q.path === '/after-dial' && q.fields.CallSid === call.sid,
      { what: 'the Dial action' });
    assert.equal(afterDial.fields.DialCallStatus, 'no-answer');
    const [recorded] = await hooks.waitFor((q) => q.path === '/recorded' && q.fields.CallSid === call.sid,
      { what: 'the Record action' });
    assert.equal(recorded.fields.RecordingDuration, '7');
    assert.match(recorded.fields.RecordingUrl, /^https?:\/\//);
    const [completed] = await hooks.waitFor((q) => q.path === '/status' && q.fields.CallSid === call.sid &&
      q.fields.CallStatus === 'completed', { what: 'the completed status callback' });
    assert.equal(completed.fields.Direction, 'inbound');

    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;

    // The journal tells the whole story, in order.
    const journal = (await control('GET', `/calls/${call.sid}/events`)).json;
    const verbs = journal.events.filter((e) => e.type === 'verb').map((e) => e.fields.verb);
    for (const v of ['Gather', 'Enqueue', 'Dial', 'Record', 'Hangup']) {
      assert.ok(verbs.includes(v), `verb ${v} in the journal: ${verbs.join(', ')}`);
    }
    assert.ok(verbs.indexOf('Gather') < verbs.indexOf('Enqueue'));
    assert.ok(verbs.indexOf('Enqueue') < verbs.indexOf('Dial'));
    assert.ok(verbs.indexOf('Dial') < verbs.indexOf('Record'));
    const statuses = journal.events.filter((e) => e.type === 'status').map((e) => e.fields.status);
    assert.deepEqual([statuses[0], statuses.at(-1)], ['ringing', 'completed']);
    const apiRequests = journal.events.filter((e) => e.type === 'api.request');
    assert.equal(apiRequests.length, 1, 'the SDK update is journaled once');
    const seqs = journal.events.map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));

    // The Dial leg (the agent) ended no-answer without ever being answered.
    const legs = await ctx.client.calls.list({ parentCallSid: call.sid });
    assert.equal(legs.length, 1);
    assert.equal(legs[0].status, 'no-answer');

    // Virtual time: well over a minute of call; wall time: a fraction of a second.
    const end = (await ctx.client.calls(call.sid).fetch());
    assert.equal(end.status, 'completed');
    const virtualS = ((await control('GET', '/clock')).json.now_ms - t0) / 1000;
    assert.ok(virtualS >= 77, `virtual time moved ${virtualS} s`);
    assert.ok(Number(end.duration) >= 20, `call duration ${end.duration} s`);

    // Every webhook this call caused carried a valid signature.
    const mine = hooks.requests.filter((q) => q.fields.CallSid === call.sid || q.fields.ParentCallSid === call.sid);
    assert.ok(mine.length >= 8, `${mine.length} webhooks`);
    for (const q of mine) assert.equal(q.signatureValid, true, `signature of ${q.method} ${q.path}`);

    process.stderr.write(`# IVR flow: ${virtualS} s of virtual time in ${wallMs.toFixed(1)} ms of wall time\n`);
    assert.ok(wallMs < 1000, `the flow took ${wallMs} ms of wall time`);
  });
});
