'use strict';
// An example app beside dialtone (docker/compose.yaml). It places and hangs up calls with the
// official twilio SDK, pointed at dialtone (TWILIO_API_BASE) instead of https://api.twilio.com
// by a RequestClient that rewrites the URL (README, "The official Node SDK against dialtone"),
// serves the TwiML of its calls and checks X-Twilio-Signature on every webhook with the SDK's
// validateRequest.
//   GET  /call?to=+14155550123   place a call (TwiML /voice, status callbacks to /status);
//                                answers with the call as the SDK returns it
//   GET  /hangup?sid=CA...       Status=completed on that call
//   GET  /events                 the webhooks received so far (newest last, at most 200):
//                                [{path, callSid, callStatus, signatureValid, at}]
//   POST /voice                  the call's TwiML (dialtone asks for it when the callee answers)
//   POST /status                 status callbacks
const http = require('node:http');
const twilio = require('twilio');

const PORT = Number(process.env.PORT || 3000);
const API_BASE = process.env.TWILIO_API_BASE || 'http://127.0.0.1:7070';
const PUBLIC_URL = process.env.PUBLIC_URL || `http://127.0.0.1:${PORT}`;  // how dialtone reaches us
const SID = process.env.TWILIO_ACCOUNT_SID || 'ACd1a170e0000000000000000000000000';
const TOKEN = process.env.TWILIO_AUTH_TOKEN || 'dialtone-auth-token';
const FROM = process.env.FROM_NUMBER || '+14158141819';

const VOICE = '<?xml version="1.0" encoding="UTF-8"?><Response>' +
  '<Say>Hello from the example app.</Say><Pause length="600"/></Response>';

class DialtoneRequestClient extends twilio.RequestClient {
  constructor(baseUrl, opts) {
    super(opts);
    this.baseUrl = baseUrl;
  }

  request(opts) {
    return super.request({ ...opts, uri: opts.uri.replace(/^https:\/\/api\.twilio\.com/, this.baseUrl) });
  }
}

const client = twilio(SID, TOKEN, { httpClient: new DialtoneRequestClient(API_BASE) });
const events = [];

function send(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type });
  res.end(body);
}

function sendJson(res, status, value) {
  send(res, status, 'application/json', JSON.stringify(value) + '\n');
}

function parseForm(body) {
  const out = {};
  for (const [k, v] of new URLSearchParams(body)) out[k] = k in out ? [].concat(out[k], v) : v;
  return out;
}

async function route(req, res, body) {
  const url = new URL(req.url, PUBLIC_URL);
  if (req.method === 'GET' && url.pathname === '/call') {
    const call = await client.calls.create({
      to: url.searchParams.get('to') || '+14155550123',
      from: FROM,
      url: `${PUBLIC_URL}/voice`,
      statusCallback: `${PUBLIC_URL}/status`,
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    console.log(`placed ${call.sid} (${call.status}) to ${call.to}`);
    return sendJson(res, 201, call.toJSON());
  }
  if (req.method === 'GET' && url.pathname === '/hangup') {
    const call = await client.calls(url.searchParams.get('sid') || '').update({ status: 'completed' });
    console.log(`hung up ${call.sid} (${call.status})`);
    return sendJson(res, 200, call.toJSON());
  }
  if (req.method === 'GET' && url.pathname === '/events') return sendJson(res, 200, events);
  if (req.method === 'POST' && (url.pathname === '/voice' || url.pathname === '/status')) {
    const params = parseForm(body);
    // dialtone signs the URL it requested: PUBLIC_URL is that URL's origin.
    const valid = twilio.validateRequest(TOKEN, req.headers['x-twilio-signature'] || '',
      PUBLIC_URL + req.url, params);
    events.push({ path: url.pathname, callSid: params.CallSid, callStatus: params.CallStatus,
      signatureValid: valid, at: new Date().toISOString() });
    if (events.length > 200) events.shift();
    console.log(`${url.pathname} ${params.CallSid} ${params.CallStatus} signature ${valid ? 'valid' : 'INVALID'}`);
    if (!valid) return send(res, 403, 'text/plain', 'bad signature\n');
    return url.pathname === '/voice' ? send(res, 200, 'text/xml', VOICE) : send(res, 204, 'text/plain', '');
  }
  if (req.method === 'GET' && url.pathname === '/') return send(res, 200, 'text/plain', 'example app\n');
  return send(res, 404, 'text/plain', 'not found\n');
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    route(req, res, Buffer.concat(chunks).toString('utf8')).catch((e) => {
      // The SDK's RestException carries Twilio's status and code.
      console.error(`${req.method} ${req.url}: ${e.message}`);
      sendJson(res, e.status || 502, { message: e.message, code: e.code, status: e.status });
    });
  });
});
server.listen(PORT, '0.0.0.0', () => console.log(`example app on :${PORT}, Twilio API at ${API_BASE}`));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
