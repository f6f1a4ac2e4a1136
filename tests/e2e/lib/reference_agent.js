'use strict';
// A small reference voice agent (plain Node, no AI) for the conversation tests
// (docs/conversations.md). One "brain" answers what the caller says with fixed rules; three
// transports carry it: ConversationRelay (a WebSocket app on the stream server),
// <Gather input="speech"> + <Say> (routes on the webhook server) and <Connect><Stream> (audio
// both ways on the stream server). Pressing 0 transfers the call
// with a Calls update to a <Dial>, as real agents hand off to a human.

const GREETING = 'Hi, this is Acme. How can I help?';

/** What the agent says to `utterance`, and whether it then ends the session. */
function reply(utterance) {
  const u = utterance.toLowerCase();
  if (u.includes('hours')) return { say: 'We are open nine to five, Monday to Friday.' };
  if (u.includes('story')) return { say: 'Once upon a time there was a caller who kept talking over me.' };
  if (u.includes('never mind')) return { say: 'Sure. Press zero for an agent.' };
  if (u.includes('bye')) return { say: 'Goodbye!', end: true };
  return { say: 'Sorry, I did not catch that.' };
}

const escapeXml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The ConversationRelay transport on `streams` (lib/stream_server.js) at `path`. `transfer(callSid)`
 * is called when the caller presses 0. Each answer is sent as two `text` tokens, the second with
 * last:true, as streaming LLM agents do.
 */
function serveRelay(streams, path, { transfer }) {
  const sessions = [];
  streams.on(path, (conn) => {
    const session = { conn, callSid: null, interrupts: [], prompts: [], digits: [] };
    sessions.push(session);
    conn.ws.on('message', async (data) => {
      let m;
      try { m = JSON.parse(data.toString('utf8')); } catch { return; }
      if (m.type === 'setup') session.callSid = m.callSid;
      if (m.type === 'interrupt') session.interrupts.push(m);
      if (m.type === 'prompt' && m.last) {
        session.prompts.push(m.voicePrompt);
        const r = reply(m.voicePrompt);
        const words = r.say.split(' ');
        const half = Math.ceil(words.length / 2);
        conn.send({ type: 'text', token: words.slice(0, half).join(' ') + ' ', last: false });
        conn.send({ type: 'text', token: words.slice(half).join(' '), last: true });
        if (r.end) conn.send({ type: 'end', handoffData: JSON.stringify({ reason: 'goodbye' }) });
      }
      if (m.type === 'dtmf') {
        session.digits.push(m.digit);
        if (m.digit === '0') await transfer(session.callSid);
      }
    });
  });
  return sessions;
}

/**
 * The <Gather input="speech"> transport on `hooks` (lib/webhook_server.js): `${prefix}/voice`
 * greets, `${prefix}/turn` answers each SpeechResult with a new <Gather> whose <Say> the caller
 * may barge in on. Digits=0 transfers the call (before answering, so the transfer lands at the
 * instant the key was pressed) and answers an empty document, which the update made moot.
 */
function serveGather(hooks, prefix, { transfer }) {
  const gather = (say) => '<Response><Gather input="dtmf speech" speechTimeout="auto" ' +
    `numDigits="1" action="${prefix}/turn"><Say>${escapeXml(say)}</Say></Gather></Response>`;
  hooks.route(`${prefix}/voice`, gather(GREETING));
  hooks.route(`${prefix}/turn`, (req) => {
    if (req.fields.Digits === '0') {
      return transfer(req.fields.CallSid).then(() => '<Response/>');
    }
    const r = reply(req.fields.SpeechResult || '');
    return r.end ? `<Response><Say>${escapeXml(r.say)}</Say><Hangup/></Response>` : gather(r.say);
  });
}

/** 8 kHz μ-law of `ms` of a sine at `hz` (the agent's "voice"; the tests' callee clips). */
function mulawSine(ms, hz) {
  const n = Math.round(ms * 8);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i += 1) {
    let s = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000));
    const sign = s < 0 ? 0x80 : 0;
    if (s < 0) s = -s;
    s = Math.min(s, 32635) + 0x84;
    let exp = 7;
    for (let mask = 0x4000; (s & mask) === 0 && exp > 0; mask >>= 1) exp -= 1;
    out[i] = ~(sign | (exp << 4) | ((s >> (exp + 3)) & 0x0f)) & 0xff;
  }
  return out;
}

// μ-law 0xFF and 0x7F are the two zeros: a frame of nothing else is silence.
const silentFrame = (buf) => buf.every((b) => b === 0xff || b === 0x7f);

/**
 * The <Connect><Stream> transport on `streams` at `path`: the agent speaks as audio (400 ms a
 * word, as a TTS would, then a `mark`), hears the caller as audio and, with no recogniser, knows
 * what was said by finding one of `phrasebook`'s clips (text -> μ-law Buffer) in it. Speech
 * while its audio is still playing (its last mark not yet echoed) makes it stop: `clear`.
 * A `dtmf` 0 transfers the call.
 */
function serveStream(streams, path, { transfer, phrasebook }) {
  const sessions = [];
  streams.on(path, (conn) => {
    const session = { conn, callSid: null, heard: [], cleared: 0, digits: [], inbound: [] };
    sessions.push(session);
    let pending = 0;  // marks sent and not yet echoed: the agent's audio is still playing
    let utterance = null;  // the caller's audio since it started speaking
    let replies = 0;
    const speak = (text) => {
      const words = text.split(' ').length;
      const payload = mulawSine(words * 400, 660).toString('base64');
      conn.send({ event: 'media', streamSid: session.streamSid, media: { payload } });
      replies += 1;
      conn.send({ event: 'mark', streamSid: session.streamSid, mark: { name: `reply-${replies}` } });
      pending += 1;
    };
    conn.ws.on('message', async (data) => {
      let m;
      try { m = JSON.parse(data.toString('utf8')); } catch { return; }
      if (m.event === 'start') {
        session.callSid = m.start.callSid;
        session.streamSid = m.streamSid;
        speak(GREETING);
      }
      if (m.event === 'mark') pending = Math.max(0, pending - 1);
      if (m.event === 'media') {
        const frame = Buffer.from(m.media.payload, 'base64');
        session.inbound.push(frame);
        const quiet = silentFrame(frame);
        if (!quiet && !utterance) {
          utterance = [];
          if (pending > 0) {  // barge-in: stop talking
            conn.send({ event: 'clear', streamSid: session.streamSid });
            session.cleared += 1;
          }
        }
        if (utterance && !quiet) utterance.push(frame);
        if (utterance && quiet) {
          const audio = Buffer.concat(utterance);
          utterance = null;
          const said = Object.keys(phrasebook).find((t) => audio.indexOf(phrasebook[t]) >= 0) || '';
          session.heard.push(said);
          speak(reply(said).say);
        }
      }
      if (m.event === 'dtmf') {
        session.digits.push(m.dtmf.digit);
        if (m.dtmf.digit === '0') await transfer(session.callSid);
      }
    });
  });
  return sessions;
}

module.exports = { GREETING, reply, serveRelay, serveGather, serveStream, mulawSine, silentFrame };
