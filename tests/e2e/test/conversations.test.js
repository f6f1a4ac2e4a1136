'use strict';
// Callees that talk (docs/conversations.md): a scripted callee holds a conversation with the
// reference agent (lib/reference_agent.js) through <Gather input="speech"> + <Say> and through
// <Connect><ConversationRelay>, with the real binary, a manual clock, real webhook and
// WebSocket apps and the official SDK. Greeting, question, interruption, DTMF, transfer by a
// Calls update to a <Dial>, hang-up; each transcript asserted exactly. Then bad agents.
// Speaking times: a <Say> ~15 characters a second; the callee and a relay agent 400 ms a word;
// the callee answers 500 ms after the agent stops.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { useDialtone, FROM, uniqueNumber } = require('../lib/common');
const { startStreamServer } = require('../lib/stream_server');
const { controlRequest } = require('../lib/dialtone');
const { virtualTime } = require('../lib/virtual_time');
const { GREETING, serveRelay, serveGather } = require('../lib/reference_agent');

const ctx = useDialtone({ args: ['--clock', 'manual'] });
let streams;

const control = (method, path, form) => controlRequest(ctx.dt.baseUrl, method, path, form);

const { advance, waitFor } = virtualTime(ctx);
/** Moves the clock on to `ms` after the instant `from.at` stood for (ms after the answer). */
async function advanceTo(from, ms) {
  assert.ok(ms >= from.at, `the clock is already past ${ms} ms`);
  if (ms > from.at) await advance((ms - from.at) / 1000);
  from.at = ms;
}
async function setScript(to, turns) {
  const r = await control('POST', '/behaviors', [['Number', to], ...turns.map((t) => ['Script', t])]);
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
}
async function transcript(callSid) {
  const r = await control('GET', `/calls/${callSid}/transcript`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json;
}
/** The transcript as "speaker type start-end text [interrupted]" lines. */
const lines = (t) => t.entries.map((e) => `${e.speaker} ${e.type} ${e.start_ms}-${e.end_ms}` +
  (e.text ? ` ${e.text}` : '') + (e.interrupted ? ' interrupted' : ''));

const SCRIPT = ['wait', 'say:What are your hours', 'wait', 'say:Tell me a story',
  'interrupt(1s):Stop, never mind', 'wait', 'press:0', 'silence:3s', 'hangup'];

describe('Conversations with a scripted callee', () => {
  const human = uniqueNumber();  // where the agent transfers to
  const transfer = async (callSid) => {
    await ctx.client.calls(callSid).update({ twiml: `<Response><Dial>${human}</Dial></Response>` });
  };
  let relaySessions;

  before(async () => {
    streams = await startStreamServer({ authToken: ctx.dt.authToken });
    relaySessions = serveRelay(streams, '/relay', { transfer });
    serveGather(ctx.hooks, '/agent', { transfer });
  });
  after(async () => { if (streams) await streams.close(); });

  it('the behaviours list shows a script as written, and a bad turn is a 400', async () => {
    const to = uniqueNumber();
    const made = await setScript(to, ['say(2.5s, confidence=0.8):Hello', 'wait:10s', 'hangup']);
    assert.deepEqual(made.script, ['say(2500ms, confidence=0.8):Hello', 'wait:10s', 'hangup']);
    assert.deepEqual(made.gather, [], 'gather_inputs stay as they were');
    const bad = await control('POST', '/behaviors', [['Number', to], ['Script', 'shout:hi']]);
    assert.equal(bad.status, 400);
    assert.match(bad.json.message, /Script\[0\]/);
  });

  it('through <Gather input="speech"> + <Say>: one advance runs the whole conversation', async () => {
    const to = uniqueNumber();
    await setScript(to, SCRIPT);
    const call = await ctx.client.calls.create({ to, from: FROM, url: ctx.hooks.url('/agent/voice') });
    await advance(1);
    await waitFor(call.sid, 'status:in-progress');
    await advance(60);
    await waitFor(call.sid, 'status:completed');
    const t = await transcript(call.sid);
    assert.equal(t.ended, true);
    assert.deepEqual(lines(t), [
      `agent speech 0-2200 ${GREETING}`,
      'callee speech 2700-4300 What are your hours',
      'agent speech 5300-8167 We are open nine to five, Monday to Friday.',
      'callee speech 8667-10267 Tell me a story',
      'agent speech 11267-12267 Once upon a time there was a caller who kept talking over me. interrupted',
      'callee speech 12267-13467 Stop, never mind',
      'agent speech 14467-16467 Sure. Press zero for an agent.',
      'callee digits 16967-16967 0',
      'callee hangup 19967-19967',
    ]);
    assert.deepEqual(t.entries.filter((e) => e.type === 'speech').map((e) => e.via),
      ['gather', 'gather', 'gather', 'gather', 'gather', 'gather', 'gather']);
    const turns = ctx.hooks.hits('/agent/turn', call.sid);
    assert.deepEqual(turns.map((r) => r.fields.SpeechResult || `Digits=${r.fields.Digits}`),
      ['What are your hours', 'Tell me a story', 'Stop, never mind', 'Digits=0']);
    assert.equal(turns[0].fields.Confidence, '0.9');
    assert.ok(turns.every((r) => r.signatureValid));
    const fetched = await ctx.client.calls(call.sid).fetch();
    assert.equal(fetched.duration, '19');
    const child = (await ctx.client.calls.list({ parentCallSid: call.sid }))[0];
    assert.equal(child.to, human, 'transferred with a Calls update to a <Dial>');
  });

  it('through <Connect><ConversationRelay>: prompts, interrupt, dtmf and a transfer', async () => {
    const to = uniqueNumber();
    await setScript(to, SCRIPT);
    ctx.hooks.route('/relay-voice', '<Response><Connect action="/relay-done">' +
      `<ConversationRelay url="${streams.url('/relay')}" welcomeGreeting="${GREETING}" ` +
      'dtmfDetection="true"><Parameter name="customer" value="42"/></ConversationRelay>' +
      '</Connect></Response>');
    const call = await ctx.client.calls.create({ to, from: FROM, url: ctx.hooks.url('/relay-voice') });
    await advance(1);
    await waitFor(call.sid, 'relay:event=started');
    const answered = { at: 0 };  // the clock stands at the answer (advance(1) ended there)
    const session = await streams.waitFor(() => relaySessions.find((s) => s.callSid === call.sid),
      { what: 'the relay session' });
    assert.equal(session.conn.signatureValid, true);
    const setup = session.conn.messages[0];
    assert.equal(setup.type, 'setup');
    assert.match(setup.sessionId, /^VX[0-9a-f]{32}$/);
    assert.deepEqual(setup.customParameters, { customer: '42' });
    // The greeting (8 words, 3.2 s), the question at 3.7 s; its prompt at 5.3 s.
    await advanceTo(answered, 5300);
    await waitFor(call.sid, 'relay:utterance=We are open nine to five, Monday to Friday.');
    await advanceTo(answered, 11000);
    await waitFor(call.sid, 'relay:utterance=Once upon a time there was a caller who kept talking over me.');
    await advanceTo(answered, 13200);
    await waitFor(call.sid, 'relay:utterance=Sure. Press zero for an agent.');
    await advanceTo(answered, 16100);
    await waitFor(call.sid, 'relay:event=ended');
    await advance(5);
    await waitFor(call.sid, 'status:completed');
    assert.deepEqual(session.prompts, ['What are your hours', 'Tell me a story', 'Stop, never mind']);
    assert.deepEqual(session.interrupts, [{ type: 'interrupt', utteranceUntilInterrupt: 'Once upon',
      durationUntilInterruptMs: 1000 }]);
    assert.deepEqual(session.digits, ['0']);
    assert.deepEqual(lines(await transcript(call.sid)), [
      `agent speech 0-3200 ${GREETING}`,
      'callee speech 3700-5300 What are your hours',
      'agent speech 5300-8900 We are open nine to five, Monday to Friday.',
      'callee speech 9400-11000 Tell me a story',
      'agent speech 11000-12000 Once upon a time there was a caller who kept talking over me. interrupted',
      'callee speech 12000-13200 Stop, never mind',
      'agent speech 13200-15600 Sure. Press zero for an agent.',
      'callee digits 16100-16100 0',
      'callee hangup 19100-19100',
    ]);
    await streams.waitFor(() => session.conn.closed, { what: 'the relay socket closed' });
    // Redirected away by the update: the <Connect action> is requested, its TwiML not run.
    assert.equal(ctx.hooks.hits('/relay-done', call.sid).length, 1);
    const child = (await ctx.client.calls.list({ parentCallSid: call.sid }))[0];
    assert.equal(child.to, human);
  });

  it('drives the callee live: say and press now, and a 404 transcript for a call without one', async () => {
    const to = uniqueNumber();
    ctx.hooks.route('/live-voice', '<Response><Gather input="speech" speechTimeout="auto" timeout="30" ' +
      'action="/live-next"/></Response>');
    ctx.hooks.route('/live-next', '<Response><Gather numDigits="1" timeout="30" action="/live-keys"/></Response>');
    ctx.hooks.route('/live-keys', '<Response><Hangup/></Response>');
    const call = await ctx.client.calls.create({ to, from: FROM, url: ctx.hooks.url('/live-voice') });
    await advance(1);
    await waitFor(call.sid, 'status:in-progress');
    assert.equal((await control('GET', `/calls/${call.sid}/transcript`)).status, 404);
    const said = await control('POST', `/calls/${call.sid}/say`, { Text: 'check my balance', Confidence: '0.75' });
    assert.equal(said.status, 200, JSON.stringify(said.json));
    await advance(3);
    const next = await ctx.hooks.waitFor((r) => r.path === '/live-next' && r.fields.CallSid === call.sid);
    assert.equal(next[0].fields.SpeechResult, 'check my balance');
    assert.equal(next[0].fields.Confidence, '0.75');
    assert.equal((await control('POST', `/calls/${call.sid}/press`, { Digits: '7' })).status, 200);
    await advance(1);
    await waitFor(call.sid, 'status:completed');
    assert.deepEqual(lines(await transcript(call.sid)),
      ['callee speech 0-1200 check my balance', 'callee digits 3000-3000 7']);
    assert.equal((await control('POST', `/calls/${call.sid}/say`, { Text: 'hello' })).status, 409);
    assert.equal((await control('POST', `/calls/${call.sid}/say`, {})).status, 400);
  });

  it('bad agents: malformed and unknown messages get errors, a silent socket lets the callee hang up', async () => {
    const to = uniqueNumber();
    await setScript(to, ['wait:5s', 'say:hello?', 'wait:5s', 'hangup']);
    streams.on('/bad', (conn) => {
      conn.ws.on('message', () => {
        if (conn.messages.length === 1) {
          conn.send('{not json');
          conn.send({ type: 'dance' });
          conn.send({ type: 'text', token: 42 });
        }
      });
    });
    ctx.hooks.route('/bad-voice', `<Response><Connect><ConversationRelay url="${streams.url('/bad')}"/>` +
      '</Connect><Say>after</Say></Response>');
    const call = await ctx.client.calls.create({ to, from: FROM, url: ctx.hooks.url('/bad-voice') });
    await advance(1);
    await waitFor(call.sid, 'relay:event=started');
    const conn = await streams.waitFor(() => streams.connections.find((c) => c.path === '/bad' &&
      c.messages.filter((m) => m.type === 'error').length === 3), { what: 'three error messages' });
    assert.equal(conn.messages[0].type, 'setup');
    await advance(20);
    await waitFor(call.sid, 'status:completed');
    const notes = await ctx.client.calls(call.sid).notifications.list();
    assert.deepEqual(notes.map((n) => n.errorCode).sort(), ['31950', '31951']);
    // The prompt left dialtone before the call ended; the app reads it when its socket does.
    await streams.waitFor(() => conn.messages.some((m) => m.type === 'prompt'),
      { what: 'the callee still spoke: a prompt' });
    assert.equal(conn.messages.filter((m) => m.type === 'prompt').length, 1);
  });
});
