'use strict';
// A small reference voice agent (plain Node, no AI) for the conversation tests
// (docs/conversations.md). One "brain" answers what the caller says with fixed rules; two
// transports carry it: ConversationRelay (a WebSocket app on the stream server) and
// <Gather input="speech"> + <Say> (routes on the webhook server). Pressing 0 transfers the call
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

module.exports = { GREETING, reply, serveRelay, serveGather };
