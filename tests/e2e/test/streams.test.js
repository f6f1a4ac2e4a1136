'use strict';
// Media Streams end to end (docs/streams.md): the real binary with a manual clock, a real local
// WebSocket app (npm `ws`), the official Twilio SDK. Frames are paced by the clock: an advance
// of N seconds answers once N seconds of 20 ms frames are written, so the counts are exact.
// Every wait is on the journal or on what the app received, never on a sleep.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { useDialtone, rejectsRest, FROM, uniqueNumber } = require('../lib/common');
const { startStreamServer, mulawTone } = require('../lib/stream_server');
const { controlRequest } = require('../lib/dialtone');

const ctx = useDialtone({ args: ['--clock', 'manual'] });
let app;  // the WebSocket app, started once dialtone is up (it checks signatures with its token)

const control = (method, path, form) => controlRequest(ctx.dt.baseUrl, method, path, form);

async function waitFor(callSid, condition) {
  const r = await control('GET', `/calls/${callSid}/events?wait_for=${encodeURIComponent(condition)}&timeout=5`);
  assert.equal(r.status, 200, `wait_for ${condition}: ${JSON.stringify(r.json)}`);
  return r.json.events;
}

async function advance(seconds) {
  const r = await control('POST', '/clock/advance', { Seconds: seconds });
  assert.equal(r.status, 200, JSON.stringify(r.json));
}

async function journal(callSid) {
  return (await control('GET', `/calls/${callSid}/events`)).json.events;
}
const verbsOf = (events) => events.filter((e) => e.type === 'verb').map((e) => e.fields.verb);

/** A call answered (the default callee answers after 1 s) running `twiml`; returns its sid. */
async function answeredCall(twiml, to = uniqueNumber()) {
  const call = await ctx.client.calls.create({ to, from: FROM, twiml });
  await advance(1);
  await waitFor(call.sid, 'status:in-progress');
  return call.sid;
}

/** The connection the app got at `path` after `skip` earlier ones there. */
function connectionAt(path, skip = 0) {
  return app.waitFor(() => app.connections.filter((c) => c.path === path)[skip],
    { what: `a WebSocket connection on ${path}` });
}

describe('Media Streams', () => {
  before(async () => { app = await startStreamServer({ authToken: ctx.dt.authToken }); });
  after(async () => { if (app) await app.close(); });
  it('an AI bot over <Connect><Stream> hears the caller, answers, and hangs up with a Calls update', async () => {
    const path = '/bot';
    const sid = await answeredCall(`<Response><Connect><Stream url="${app.url(path)}">` +
      '<Parameter name="token" value="t1"/></Stream></Connect><Say>bye</Say></Response>');
    const bot = await connectionAt(path);
    assert.equal(bot.signatureValid, true, 'the upgrade carries a valid X-Twilio-Signature');
    await waitFor(sid, 'stream:event=started');
    await app.waitFor(() => bot.of('start').length === 1, { what: 'start' });
    assert.deepEqual(bot.messages[0], { event: 'connected', protocol: 'Call', version: '1.0.0' });
    const start = bot.messages[1];
    assert.equal(start.sequenceNumber, '1');
    assert.match(start.streamSid, /^MZ[0-9a-f]{32}$/);
    assert.deepEqual(start.start, {
      accountSid: ctx.dt.accountSid, streamSid: start.streamSid, callSid: sid, tracks: ['inbound'],
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      customParameters: { token: 't1' },
    });

    // One second of call time is 50 frames of 20 ms, in order.
    await advance(1);
    const media = await app.waitFor(() => bot.of('media').length >= 50 && bot.of('media'), { what: '50 frames' });
    assert.equal(media.length, 50);
    media.forEach((m, i) => {
      assert.equal(m.media.chunk, String(i + 1));
      assert.equal(m.media.timestamp, String(i * 20));
      assert.equal(m.media.track, 'inbound');
      assert.equal(Buffer.from(m.media.payload, 'base64').length, 160);
      assert.equal(m.sequenceNumber, String(i + 2));
    });

    // The bot answers with 1 s of speech and a mark: the mark comes back once it has played.
    bot.send({ event: 'media', streamSid: start.streamSid, media: { payload: mulawTone(1000).toString('base64') } });
    bot.send({ event: 'mark', streamSid: start.streamSid, mark: { name: 'a' } });
    await waitFor(sid, 'stream:app_event=mark');
    assert.equal(bot.of('mark').length, 0, 'not before the audio played');
    await advance(1);
    await app.waitFor(() => bot.of('mark').length === 1, { what: 'the mark echoed' });
    assert.equal(bot.of('mark')[0].mark.name, 'a');

    // What the caller heard: 2 s of stream, the second one the bot's tone.
    const res = await fetch(`${ctx.dt.baseUrl}/_dialtone/streams/${start.streamSid}/heard`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/wav');
    const wav = Buffer.from(await res.arrayBuffer());
    assert.equal(wav.readUInt32LE(40), 2 * 8000 * 2, 'a 16-bit WAV of exactly 2.000 s');
    const second = wav.subarray(44 + 16000);
    assert.ok(second.some((b, i) => i % 2 === 1 && b !== 0 && b !== 0xff), 'the bot\'s tone is in it');

    // The bot hangs up through the REST API: stop, close, completed; <Say> never runs.
    await ctx.client.calls(sid).update({ status: 'completed' });
    await app.waitFor(() => bot.closed, { what: 'the socket closed' });
    assert.equal(bot.messages.at(-1).event, 'stop');
    assert.deepEqual(bot.messages.at(-1).stop, { accountSid: ctx.dt.accountSid, callSid: sid });
    assert.equal(bot.closed.code, 1000);
    assert.equal(bot.of('media').length, 100,
      'exactly 50 frames a second of advanced time, none while the clock stood still');
    await waitFor(sid, 'status:completed');
    assert.deepEqual(verbsOf(await journal(sid)), ['Connect']);
  });

  it('when the app closes a <Connect><Stream>, the TwiML after </Connect> runs', async () => {
    const path = '/closer';
    app.on(path, (conn) => setImmediate(() => conn.ws.close(1000)));
    const sid = await answeredCall(`<Response><Connect><Stream url="${app.url(path)}"/></Connect>` +
      '<Say>after the stream</Say></Response>');
    await waitFor(sid, 'verb:verb=Say');
    const events = await waitFor(sid, 'stream:event=stopped');
    const stopped = events.filter((e) => e.type === 'stream' && e.fields.event === 'stopped');
    assert.equal(stopped.length, 1);
    assert.equal(stopped[0].fields.reason, 'app-closed');
    assert.equal((await ctx.client.calls(sid).fetch()).status, 'in-progress');
  });

  it('<Start><Stream> forks both tracks during a <Dial>; REST stops it by name; callbacks are signed', async () => {
    const { hooks } = ctx;
    hooks.route('/stream-status', '');
    const path = '/tap';
    const sid = await answeredCall(`<Response><Start><Stream url="${app.url(path)}" track="both_tracks" ` +
      `name="tap" statusCallback="${hooks.url('/stream-status')}"/></Start>` +
      `<Dial>${uniqueNumber()}</Dial></Response>`);
    const tap = await connectionAt(path);
    await waitFor(sid, 'verb:verb=Dial');
    await app.waitFor(() => tap.of('start').length === 1, { what: 'start' });
    assert.deepEqual(tap.of('start')[0].start.tracks, ['inbound', 'outbound']);
    const [started] = await hooks.waitFor((r) => r.path === '/stream-status' && r.fields.CallSid === sid,
      { what: 'stream-started' });
    assert.equal(started.fields.StreamEvent, 'stream-started');
    assert.equal(started.fields.StreamName, 'tap');
    assert.match(started.fields.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(started.signatureValid, true);

    await advance(1);
    await app.waitFor(() => tap.of('media').length >= 100, { what: '2 x 50 frames' });
    assert.equal(tap.of('media').filter((m) => m.media.track === 'outbound').length, 50);

    const stream = await ctx.client.calls(sid).streams('tap').update({ status: 'stopped' });
    assert.equal(stream.status, 'stopped');
    assert.equal(stream.name, 'tap');
    assert.equal(stream.sid, started.fields.StreamSid);
    await app.waitFor(() => tap.closed, { what: 'the tap closed' });
    assert.equal(tap.messages.at(-1).event, 'stop');
    const hits = await hooks.waitFor((r) => r.path === '/stream-status' && r.fields.CallSid === sid,
      { count: 2, what: 'stream-stopped' });
    assert.equal(hits[1].fields.StreamEvent, 'stream-stopped');
    assert.ok(hits.every((r) => r.signatureValid), 'every stream callback is signed');
    const call = await ctx.client.calls(sid).fetch();
    assert.equal(call.status, 'in-progress', 'the Dial goes on undisturbed');
  });

  it('DTMF reaches a bidirectional stream only', async () => {
    const sid = await answeredCall(`<Response><Start><Stream url="${app.url('/fork-dtmf')}"/></Start>` +
      `<Connect><Stream url="${app.url('/bi-dtmf')}"/></Connect></Response>`);
    const fork = await connectionAt('/fork-dtmf');
    const bi = await connectionAt('/bi-dtmf');
    await app.waitFor(() => fork.of('start').length && bi.of('start').length, { what: 'both started' });
    const r = await control('POST', `/calls/${sid}/digits`, { Digits: '5' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    await app.waitFor(() => bi.of('dtmf').length === 1, { what: 'dtmf' });
    assert.deepEqual(bi.of('dtmf')[0].dtmf, { track: 'inbound_track', digit: '5' });
    assert.equal(fork.of('dtmf').length, 0);
    await ctx.client.calls(sid).update({ status: 'completed' });
  });

  it('REST Streams: create with parameters, 405 on the list, errors for a bad URL and an ended call', async () => {
    const sid = await answeredCall('<Response><Pause length="600"/></Response>');
    const created = await ctx.client.calls(sid).streams.create({
      url: app.url('/rest'), 'parameter1.name': 'a', 'parameter1.value': 'b' });
    assert.match(created.sid, /^MZ[0-9a-f]{32}$/);
    assert.equal(created.name, null);
    assert.equal(created.status, 'in-progress');
    const conn = await connectionAt('/rest');
    await app.waitFor(() => conn.of('start').length === 1, { what: 'start' });
    assert.deepEqual(conn.of('start')[0].start.customParameters, { a: 'b' });
    const list = await ctx.api.request('GET', `${ctx.api.callsPath}/${sid}/Streams.json`);
    assert.equal(list.status, 405);
    await rejectsRest(ctx.client.calls(sid).streams.create({ url: 'https://example.com/x' }), 400, 31923);
    await rejectsRest(ctx.client.calls(sid).streams('nope').update({ status: 'stopped' }), 404, 20404);
    await ctx.client.calls(sid).update({ status: 'completed' });
    await app.waitFor(() => conn.closed, { what: 'closed at hang-up' });
    await rejectsRest(ctx.client.calls(sid).streams.create({ url: app.url('/rest') }), 400, 21220);
  });

  it('a failed handshake is a 31920 Notification and <Connect> falls through', async () => {
    const { hooks } = ctx;
    const httpOnly = hooks.url('/not-a-socket').replace('http://', 'ws://');
    const sid = await answeredCall(`<Response><Connect><Stream url="${httpOnly}"/></Connect>` +
      '<Say>fallback</Say></Response>');
    await waitFor(sid, 'verb:verb=Say');
    const notes = await ctx.client.calls(sid).notifications.list();
    assert.ok(notes.some((n) => n.errorCode === '31920' && n.log === '0'),
      JSON.stringify(notes.map((n) => [n.errorCode, n.messageText])));
  });

  it('a hostile app (malformed JSON, binary, oversized and half-written frames) leaves the call and the server healthy', async () => {
    const path = '/hostile';
    app.on(path, (conn) => {
      conn.send('{not json');
      conn.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      conn.send({ event: 'dance' });
    });
    const sid = await answeredCall(`<Response><Connect><Stream url="${app.url(path)}"/></Connect>` +
      '<Say>still here</Say></Response>');
    const conn = await connectionAt(path);
    await waitFor(sid, 'stream:error_code=31924');
    const notes = await ctx.client.calls(sid).notifications.list();
    const codes = notes.map((n) => n.errorCode).sort();
    assert.deepEqual(codes, ['31924', '31950'], 'one Notification per kind of fault');
    // An oversized frame fails the stream; the call goes on past </Connect>.
    conn.send(JSON.stringify({ event: 'media', media: { payload: 'A'.repeat(2 * 1024 * 1024) } }));
    await waitFor(sid, 'verb:verb=Say');
    assert.equal((await ctx.client.calls(sid).fetch()).status, 'in-progress');

    // A second app dies mid-frame: the socket is cut while a frame is half written.
    const cut = '/cut';
    app.on(cut, (c) => {
      c.ws._socket.write(Buffer.from([0x81, 0x7e, 0x01]));  // a text frame header, then nothing
      c.ws._socket.destroy();
    });
    const sid2 = await answeredCall(`<Response><Connect><Stream url="${app.url(cut)}"/></Connect>` +
      '<Say>after the cut</Say></Response>');
    await waitFor(sid2, 'verb:verb=Say');
    const health = await control('GET', '/health');
    assert.equal(health.status, 200);
  });
});
