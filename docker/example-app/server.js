'use strict';
// An example app beside dialtone (docker/compose.yaml): it serves the TwiML for its calls,
// checks X-Twilio-Signature on every webhook, and places and hangs up calls through the REST
// API at TWILIO_API_BASE (dialtone) instead of https://api.twilio.com. No npm packages, so it
// runs on a bare node:20-slim; with the official SDK, pass an httpClient that rewrites
// https://api.twilio.com to TWILIO_API_BASE (README, "The official Node SDK against dialtone").
//   GET  /call?to=+14155550123   place a call whose TwiML is /voice; answers with the Call JSON
//   GET  /hangup?sid=CA...       Status=completed on that call
//   POST /voice                  the call's TwiML (dialtone requests it when the callee answers)
//   POST /status                 status callbacks, logged
const crypto = require('node:crypto');
const http = require('node:http');

const PORT = Number(process.env.PORT || 3000);
const API_BASE = process.env.TWILIO_API_BASE || 'http://127.0.0.1:7070';
const PUBLIC_URL = process.env.PUBLIC_URL || `http://127.0.0.1:${PORT}`;  // how dialtone reaches us
const SID = process.env.TWILIO_ACCOUNT_SID || 'ACd1a170e0000000000000000000000000';
const TOKEN = process.env.TWILIO_AUTH_TOKEN || 'dialtone-auth-token';
const FROM = process.env.FROM_NUMBER || '+14158141819';

const VOICE = '<?xml version="1.0" encoding="UTF-8"?><Response>' +
  '<Say>Hello from the example app.</Say><Pause length="600"/></Response>';

// Twilio's signature: HMAC-SHA1 (auth token) over the URL followed by each POST parameter,
// sorted by name, as name + value; base64.
function signatureValid(url, params, signature) {
  let data = url;
  for (const k of Object.keys(params).sort()) for (const v of [].concat(params[k])) data += k + v;
  const want = crypto.createHmac('sha1', TOKEN).update(data).digest();
  const got = Buffer.from(signature || '', 'base64');
  return got.length === want.length && crypto.timingSafeEqual(got, want);
}

function parseForm(body) {
  const out = {};
  for (const [k, v] of new URLSearchParams(body)) out[k] = k in out ? [].concat(out[k], v) : v;
  return out;
}

async function twilioApi(path, form) {
  const res = await fetch(`${API_BASE}/2010-04-01/Accounts/${SID}${path}`, {
    method: 'POST',
    headers: {
      Authorization: 'Basic ' + Buffer.from(`${SID}:${TOKEN}`).toString('base64'),
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: await res.text() };
}

function send(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    try {
      const url = new URL(req.url, PUBLIC_URL);
      if (req.method === 'GET' && url.pathname === '/call') {
        const r = await twilioApi('/Calls.json', {
          To: url.searchParams.get('to') || '+14155550123', From: FROM,
          Url: `${PUBLIC_URL}/voice`, StatusCallback: `${PUBLIC_URL}/status`,
        });
        return send(res, r.status, 'application/json', r.body);
      }
      if (req.method === 'GET' && url.pathname === '/hangup') {
        const r = await twilioApi(`/Calls/${url.searchParams.get('sid')}.json`, { Status: 'completed' });
        return send(res, r.status, 'application/json', r.body);
      }
      if (req.method === 'POST' && (url.pathname === '/voice' || url.pathname === '/status')) {
        const params = parseForm(Buffer.concat(chunks).toString('utf8'));
        const ok = signatureValid(PUBLIC_URL + req.url, params, req.headers['x-twilio-signature']);
        console.log(`${url.pathname} ${params.CallSid} ${params.CallStatus} signature ${ok ? 'valid' : 'INVALID'}`);
        if (!ok) return send(res, 403, 'text/plain', 'bad signature\n');
        return url.pathname === '/voice' ? send(res, 200, 'text/xml', VOICE) : send(res, 204, 'text/plain', '');
      }
      if (req.method === 'GET' && url.pathname === '/') return send(res, 200, 'text/plain', 'example app\n');
      send(res, 404, 'text/plain', 'not found\n');
    } catch (e) {
      console.error(e);
      send(res, 502, 'text/plain', `${e.message}\n`);
    }
  });
});
server.listen(PORT, '0.0.0.0', () => console.log(`example app on :${PORT}, Twilio API at ${API_BASE}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
