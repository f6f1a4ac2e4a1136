'use strict';
// Callees that talk (docs/conversations.md): a scripted callee holds a conversation with the
// reference agent (lib/reference_agent.js) through <Gather input="speech"> + <Say>, through
// <Connect><ConversationRelay> and through <Connect><Stream> (the callee's turns as uploaded
// audio clips, the agent's as audio back), with the real binary, a manual clock, real webhook and
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
const { GREETING, serveRelay, serveGather, serveStream, mulawSine } = require('../lib/reference_agent');

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

/** Uploads `body` as the audio clip `name` (PUT /_dialtone/audio/{name}). */
async function putAudio(name, body, contentType) {
  const res = await fetch(`${ctx.dt.baseUrl}/_dialtone/audio/${name}`,
    { method: 'PUT', headers: contentType ? { 'Content-Type': contentType } : {}, body });
  return { status: res.status, json: await res.json() };
}
/** A WAV file of 8 kHz mono: 16-bit PCM samples (format 1) or μ-law bytes (format 7). */
function wav(format, data, { rate = 8000, channels = 1 } = {}) {
  const bits = format === 1 ? 16 : 8;
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + data.length, 4); h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16); h.writeUInt16LE(format, 20); h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rate, 24); h.writeUInt32LE(rate * channels * bits / 8, 28);
  h.writeUInt16LE(channels * bits / 8, 32); h.writeUInt16LE(bits, 34);
  h.write('data', 36); h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}
/** μ-law byte -> 16-bit linear (G.711), as dialtone decodes it. */
function mulawDecode(b) {
  const u = ~b & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return (u & 0x80) ? 0x84 - t : t - 0x84;
}
/** Polls the transcript until `fn(entries)` holds (the app's audio lands asynchronously). */
async function untilTranscript(callSid, fn, what) {
  for (let i = 0; i < 500; i += 1) {
    const r = await control('GET', `/calls/${callSid}/transcript`);
    if (r.status === 200 && fn(r.json.entries)) return r.json;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for the transcript: ${what}`);
}

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

  it('audio clips: uploaded as WAV or raw μ-law, bad ones refused with a Twilio-style 400, too big 413', async () => {
    const pcm = Buffer.alloc(1600);
    for (let i = 0; i < 800; i += 1) pcm.writeInt16LE(Math.round(5000 * Math.sin(i / 3)), i * 2);
    const made = await putAudio('pcm-clip', wav(1, pcm), 'audio/wav');
    assert.equal(made.status, 201, JSON.stringify(made.json));
    assert.deepEqual(made.json, { name: 'pcm-clip', format: 'wav-pcm16', samples: 800, duration_ms: 100 });
    assert.equal((await putAudio('pcm-clip', wav(7, mulawSine(200, 300)))).status, 200, 'replaced');
    const raw = await putAudio('raw-clip', mulawSine(60, 300), 'audio/basic');
    assert.deepEqual(raw.json, { name: 'raw-clip', format: 'mulaw', samples: 480, duration_ms: 60 });
    const listed = await control('GET', '/audio');
    assert.deepEqual(listed.json.audio.map((c) => `${c.name} ${c.format} ${c.duration_ms}`),
      ['pcm-clip wav-mulaw 200', 'raw-clip mulaw 60']);
    const stereo = await putAudio('bad', wav(1, pcm, { channels: 2 }), 'audio/wav');
    assert.equal(stereo.status, 400);
    assert.equal(stereo.json.code, 20001);
    assert.equal(stereo.json.status, 400);
    assert.match(stereo.json.message, /8000 Hz mono/);
    assert.ok(stereo.json.more_info);
    const mp3 = await putAudio('bad', Buffer.from('ID3 not audio'), 'audio/mpeg');
    assert.equal(mp3.status, 400);
    assert.match(mp3.json.message, /Unsupported audio \(audio\/mpeg\)/);
    const big = await putAudio('big', Buffer.alloc((1 << 20) + 1, 0xff), 'audio/basic');
    assert.equal(big.status, 413);
    assert.equal((await control('GET', '/audio/nope')).status, 404);
    assert.equal((await control('DELETE', '/audio/raw-clip')).status, 200);
    assert.equal((await control('GET', '/audio/raw-clip')).status, 404);
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM,
      twiml: '<Response><Pause length="30"/></Response>' });
    await advance(1);
    await waitFor(call.sid, 'status:in-progress');
    const missing = await control('POST', `/calls/${call.sid}/say`, { Text: 'hi', Audio: 'raw-clip' });
    assert.equal(missing.status, 400);
    assert.match(missing.json.message, /No audio clip 'raw-clip'/);
    const said = await control('POST', `/calls/${call.sid}/say`, { Text: 'hi', Audio: 'pcm-clip' });
    assert.equal(said.status, 200, JSON.stringify(said.json));
    await advance(1);
    assert.deepEqual(lines(await transcript(call.sid)), ['callee speech 0-200 hi']);
    await ctx.client.calls(call.sid).update({ status: 'completed' });
  });

  it('through <Connect><Stream>: the callee speaks clips, the agent audio; interruption, dtmf and a transfer', async () => {
    const to = uniqueNumber();
    // The callee's words as audio clips the agent can tell apart (a tone each, 400 ms a word).
    const phrasebook = {
      'What are your hours': mulawSine(1600, 300),
      'Tell me a story': mulawSine(1600, 350),
      'Stop, never mind': mulawSine(1200, 400),
    };
    for (const [name, text] of [['hours', 'What are your hours'], ['story', 'Tell me a story'],
      ['stop', 'Stop, never mind']]) {
      assert.equal((await putAudio(name, phrasebook[text], 'audio/x-mulaw')).status, 201);
    }
    await setScript(to, ['wait', 'say(audio=hours):What are your hours', 'wait',
      'say(audio=story):Tell me a story', 'interrupt(1s, audio=stop):Stop, never mind', 'wait',
      'press:0', 'silence:3s', 'hangup']);
    const sessions = serveStream(streams, '/stream-agent', { transfer, phrasebook: { ...phrasebook } });
    ctx.hooks.route('/stream-voice', '<Response><Connect action="/stream-done">' +
      `<Stream url="${streams.url('/stream-agent')}"/></Connect></Response>`);
    const call = await ctx.client.calls.create({ to, from: FROM, url: ctx.hooks.url('/stream-voice'),
      record: true, trim: 'do-not-trim' });
    await advance(1);
    await waitFor(call.sid, 'stream:event=started');
    const answered = { at: 0 };
    // (The agent's own handler reads `start` just after the stream server's, which wakes waits.)
    const conn = await streams.waitFor(() => streams.connections.find((c) => c.path === '/stream-agent' &&
      c.of('start').some((m) => m.start.callSid === call.sid)), { what: 'the stream session' });
    const session = sessions.find((s) => s.conn === conn);
    const agentTurns = (n) => (entries) => entries.filter((e) => e.speaker === 'agent').length === n;
    await untilTranscript(call.sid, agentTurns(1), 'the greeting');
    // The callee answers at 3.7 s (1.6 s); the agent hears the quiet frame after it at 5.32 s.
    await advanceTo(answered, 5320);
    await untilTranscript(call.sid, agentTurns(2), 'the first answer');
    await advanceTo(answered, 11040);
    await untilTranscript(call.sid, agentTurns(3), 'the story');
    // The callee interrupts 1 s into the story (12.04 s); the agent hears it a frame later.
    await advanceTo(answered, 12060);
    await untilTranscript(call.sid, (es) => es.some((e) => e.interrupted), 'the clear');
    await advanceTo(answered, 13260);
    await untilTranscript(call.sid, agentTurns(4), 'the last answer');
    // The key at 16.16 s: the agent transfers the call with a Calls update to a <Dial>.
    await advanceTo(answered, 16160);
    await streams.waitFor(() => session.conn.closed, { what: 'the stream closed by the transfer' });
    await advance(5);
    await waitFor(call.sid, 'status:completed');
    assert.deepEqual(session.heard, ['What are your hours', 'Tell me a story', 'Stop, never mind']);
    assert.equal(session.cleared, 1);
    assert.deepEqual(session.digits, ['0']);
    const t = await transcript(call.sid);
    assert.deepEqual(lines(t), [
      'agent speech 0-3200',
      'callee speech 3700-5300 What are your hours',
      'agent speech 5320-8920',
      'callee speech 9420-11020 Tell me a story',
      'agent speech 11040-12060 interrupted',
      'callee speech 12040-13240 Stop, never mind',
      'agent speech 13260-15660',
      'callee digits 16160-16160 0',
      'callee hangup 19160-19160',
    ]);
    assert.deepEqual([...new Set(t.entries.filter((e) => e.type === 'speech').map((e) => e.via))], ['stream']);
    // The inbound frames carried each clip's bytes exactly, where the callee said it.
    const inbound = Buffer.concat(session.inbound);
    assert.ok(inbound.subarray(3700 * 8, 5300 * 8).equals(phrasebook['What are your hours']));
    assert.ok(inbound.subarray(12040 * 8, 13240 * 8).equals(phrasebook['Stop, never mind']));
    // Redirected away by the update: the <Connect action> is requested, its TwiML not run.
    assert.equal(ctx.hooks.hits('/stream-done', call.sid).length, 1);
    const child = (await ctx.client.calls.list({ parentCallSid: call.sid }))[0];
    assert.equal(child.to, human);
    // Record=true heard the callee's clips: the WAV holds their samples where they were said.
    const [rec] = await ctx.client.calls(call.sid).recordings.list();
    assert.equal(rec.duration, '19');
    const res = await fetch(`${ctx.dt.baseUrl}/2010-04-01/Accounts/${ctx.dt.accountSid}/Recordings/${rec.sid}.wav`,
      { headers: { Authorization: 'Basic ' + Buffer.from(`${ctx.dt.accountSid}:${ctx.dt.authToken}`).toString('base64') } });
    assert.equal(res.status, 200);
    const file = Buffer.from(await res.arrayBuffer());
    const at = 44 + 3700 * 8 * 2;
    const clip = phrasebook['What are your hours'];
    for (let i = 0; i < clip.length; i += 1) {
      assert.equal(file.readInt16LE(at + 2 * i), mulawDecode(clip[i]), `sample ${i} of the clip`);
    }
    assert.equal(file.readInt16LE(at - 2), 0, 'silence before it');
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
