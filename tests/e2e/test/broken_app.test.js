'use strict';
// Broken app servers: every call fetches its TwiML from a fault-injecting app (lib/fault_app.js)
// that refuses, resets, stalls, drips, loops, answers 5xx, empty or non-XML or huge bodies, or
// gets TLS wrong. For each fault, two calls:
//   - without a FallbackUrl: the notification carries the right error code, the call ends
//     `completed`, and its completed status callback still reaches a healthy sink;
//   - with a FallbackUrl: the fallback is requested with ErrorCode and ErrorUrl, its TwiML runs,
//     and the call ends `completed` with its status callback.
// Timeouts are made short with Twilio's URL-fragment overrides (#ct, #rt, #tt, #rc); the clock
// is manual (calls are answered through the control API) and every wait is a journal wait.
// All the faults run at once (one promise per case, started in `before`), each case reports
// on its own.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startDialtone, controlRequest } = require('../lib/dialtone');
const { startWebhookServer } = require('../lib/webhook_server');
const { startFaultApp, refusedPort, startSilentServer, makeCerts } = require('../lib/fault_app');
const { uniqueNumber, FROM } = require('../lib/common');

// <Hangup/> only: nothing that takes (manual-clock) time.
const FALLBACK_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';
// Short timeouts for the faults that wait (Twilio's documented minimum is 100 ms).
const FAST = 'ct=1000&rt=600&tt=2000';

const env = {};
let dt;
let sink;
let plain;
let tlsGood;
let tlsExpired;
let tlsSelf;
let silent;
let certs;
let closedPort;

/**
 * The fault cases: [name, url(), expected error code, extra checks]. `url` runs after the
 * servers started.
 */
function cases() {
  // Faults that answer at once keep the default timeouts (a loaded machine, or a sanitizer
  // build, must not turn them into 11205); only the waiting ones get FAST.
  const p = (fault, fragment = '') => plain.url(fault, { fragment });
  const longLabel = 'a'.repeat(64);  // glibc refuses it before asking any DNS server
  return [
    ['connection refused', () => `http://127.0.0.1:${closedPort}/voice#ct=500&rc=1`, 11205],
    // The API refuses such a URL (21205): an app's redirect is the way to reach the resolver.
    ['a redirect to a host that does not resolve',
      () => p(`redirect-to?u=${encodeURIComponent(`http://${longLabel}.test/voice`)}`), 11210],
    ['reset as soon as the request arrives', () => p('reset'), 11205],
    ['reset in the middle of the headers', () => p('reset-mid'), 11205],
    ['closed before the promised Content-Length', () => p('close-early'), 11205],
    ['stalls without answering (read timeout)', () => p('stall', FAST), 11205],
    ['stalls after the headers', () => p('stall-body', FAST), 11205],
    ['slow drip past the total timeout', () => p('drip', FAST), 11205],
    ['answers bytes that are not HTTP', () => p('garbage'), 11205],
    ['broken chunked framing', () => p('bad-chunked'), 11205],
    ['500', () => p('status/500'), 11200],
    ['503', () => p('status/503'), 11200],
    ['404', () => p('status/404'), 11200],
    ['a 302 loop to itself', () => p('redirect-self'), 11200],
    ['a 302 ping-pong', () => p('redirect-pingpong/a'), 11200],
    ['a 302 to no URL', () => p('redirect-bad'), 11200],
    ['an empty body', () => p('empty'), 12100],
    ['a text/xml body that is not XML', () => p('non-xml'), 12100],
    ['XML whose root is not <Response>', () => p('not-twiml'), 12102],
    ['text/html that is no TwiML', () => p('html'), 12102],
    ['application/json', () => p('json'), 12300],
    ['no Content-Type', () => p('no-content-type'), 12300],
    ['1 MiB body (Content-Length)', () => p('huge'), 11750],
    ['1 MiB body (chunked)', () => p('huge-chunked'), 11750],
    ['TLS: name mismatch (IP 127.0.0.1 vs DNS:localhost)', () => tlsGood.url('ok'), 11235],
    ['TLS: expired certificate', () => tlsExpired.url('ok', { hostname: 'localhost' }), 11236],
    ['TLS: self-signed certificate', () => tlsSelf.url('ok', { hostname: 'localhost' }), 11237],
    ['TLS: https to a plain HTTP port', () => `https://127.0.0.1:${plain.port}/ok`, 11220],
    ['TLS: the handshake never completes', () => `https://127.0.0.1:${silent.port}/ok#ct=500&rc=0`, 11205],
    ['plain HTTP to a TLS port', () => `http://127.0.0.1:${tlsGood.port}/ok#${FAST}`, 11205],
  ];
}

const control = (method, path, form) => controlRequest(dt.baseUrl, method, path, form);

/** Creates a call on `url`, answers it, and waits until it completed; returns what happened. */
async function runCall(url, { fallback }) {
  const api = dt.api();
  const tag = fallback ? 'fb' : 'nofb';
  const form = { To: uniqueNumber(), From: FROM, Url: url,
    StatusCallback: sink.url(`/status/${tag}`), StatusCallbackEvent: 'completed' };
  if (fallback) Object.assign(form, { FallbackUrl: sink.url('/fallback'), FallbackMethod: 'POST' });
  const created = await api.create(form);
  assert.equal(created.status, 201, created.text);
  const sid = created.json.sid;
  // Manual clock: the dial itself is a timer due now.
  const advanced = await control('POST', '/clock/advance', { Seconds: '0' });
  assert.equal(advanced.status, 200, advanced.text);
  const ringing = await control('GET', `/calls/${sid}/events?wait_for=status:ringing&timeout=10`);
  assert.equal(ringing.status, 200, `ringing: ${ringing.text}`);
  const answered = await control('POST', `/calls/${sid}/answer`);
  assert.equal(answered.status, 200, `answer: ${answered.text}`);
  const done = await control('GET', `/calls/${sid}/events?wait_for=status:completed&timeout=30`);
  assert.equal(done.status, 200, `the call never completed: ${done.text.slice(0, 2000)}`);
  const call = (await api.fetchCall(sid)).json;
  const notes = (await api.request('GET', `${api.callsPath}/${sid}/Notifications.json`)).json;
  const events = (await control('GET', `/calls/${sid}/events`)).json.events;
  return { sid, call, notifications: notes.notifications, events };
}

const results = new Map();

before(async () => {
  certs = makeCerts();
  closedPort = await refusedPort();
  plain = await startFaultApp();
  tlsGood = await startFaultApp({ tls: certs.good });
  tlsExpired = await startFaultApp({ tls: certs.expired });
  tlsSelf = await startFaultApp({ tls: certs.self });
  silent = await startSilentServer();
  dt = await startDialtone({ args: ['--clock', 'manual', '--webhook-ca-file', certs.caFile], env });
  sink = await startWebhookServer({ authToken: dt.authToken });
  sink.route('/fallback', FALLBACK_TWIML);
  sink.setDefault('');
  // Every case at once: the slow faults overlap instead of adding up.
  for (const [name, url] of cases()) {
    const u = url();
    for (const fallback of [false, true]) {
      const p = runCall(u, { fallback });
      p.catch(() => {});  // reported by the case's own test
      results.set(`${name}/${fallback}`, { url: u, promise: p });
    }
  }
});

after(async () => {
  const exit = dt && await dt.stop();
  if (process.env.DIALTONE_E2E_LOG && dt) process.stderr.write(dt.log() + '\n');
  await Promise.all([sink, plain, tlsGood, tlsExpired, tlsSelf, silent].filter(Boolean)
    .map((s) => s.close()));
  if (certs) certs.cleanup();
  if (exit) assert.equal(exit.code, 0, `dialtone exited cleanly: ${JSON.stringify(exit)}`);
});

function statusCallbacks(sid, tag) {
  return sink.requests.filter((r) => r.path === `/status/${tag}` && r.fields.CallSid === sid);
}

async function checkCallback(sid, tag) {
  await sink.waitFor((r) => r.path === `/status/${tag}` && r.fields.CallSid === sid,
    { what: `the completed callback of ${sid}` });
  const cbs = statusCallbacks(sid, tag);
  assert.equal(cbs.length, 1, 'exactly one status callback (completed)');
  assert.equal(cbs[0].fields.CallStatus, 'completed');
  assert.equal(cbs[0].signatureValid, true, 'the callback is signed');
}

describe('broken app servers', () => {
  for (const [name, , code] of cases()) {
    it(`${name}: ${code}, the call completes, the callback is sent`, async () => {
      const { url, promise } = results.get(`${name}/false`);
      const r = await promise;
      assert.equal(r.call.status, 'completed');
      const errors = r.notifications.filter((n) => n.log === '0');
      assert.ok(errors.length >= 1, `a notification: ${JSON.stringify(r.notifications)}`);
      assert.equal(errors[0].error_code, String(code),
        `error code (message: ${decodeURIComponent(errors[0].message_text)})`);
      assert.equal(errors[0].request_url.split('#')[0], url.split('#')[0]);
      assert.equal(errors.length, 1, `one error notification: ${JSON.stringify(errors)}`);
      assert.ok(r.events.some((e) => e.type === 'webhook.response' || e.type === 'webhook.error' ||
        e.type.startsWith('webhook')), 'the journal shows the webhook');
      await checkCallback(r.sid, 'nofb');
    });

    it(`${name}, with a FallbackUrl: the fallback gets ErrorCode ${code} and ErrorUrl, and runs`, async () => {
      const { url, promise } = results.get(`${name}/true`);
      const r = await promise;
      assert.equal(r.call.status, 'completed');
      const [fb] = await sink.waitFor((q) => q.path === '/fallback' && q.fields.CallSid === r.sid,
        { what: `the fallback request of ${r.sid}` });
      assert.equal(fb.method, 'POST');
      assert.equal(fb.fields.ErrorCode, String(code));
      assert.equal(fb.fields.ErrorUrl.split('#')[0], url.split('#')[0]);
      assert.equal(fb.signatureValid, true, 'the fallback request is signed');
      assert.ok(r.events.some((e) => e.type === 'verb' && e.fields.verb === 'Hangup'),
        'the fallback\'s <Hangup/> ran');
      await checkCallback(r.sid, 'fb');
    });
  }

  it('the healthy TLS app works (the certificates and the CA are right)', async () => {
    const r = await runCall(tlsGood.url('ok', { hostname: 'localhost' }), { fallback: false });
    assert.equal(r.call.status, 'completed');
    assert.deepEqual(r.notifications, []);
    assert.ok(tlsGood.hits('ok').length >= 1);
  });

  it('nothing leaks: no connection to the app is left open, dialtone still serves', async () => {
    await Promise.all([...results.values()].map((x) => x.promise.catch(() => {})));
    // dialtone closes each broken connection; the app sees them all go.
    const deadline = Date.now() + 5000;
    while (plain.openSockets() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(plain.openSockets(), 0, 'open sockets on the fault app');
    const metrics = await (await fetch(`${dt.baseUrl}/_dialtone/metrics`)).text();
    assert.match(metrics, /dialtone_calls\{status="completed"\}/);
    const live = metrics.split('\n').filter((l) => /^dialtone_calls\{status="(queued|ringing|in-progress)"\} [1-9]/.test(l));
    assert.deepEqual(live, [], 'no call is left live');
    const health = await fetch(`${dt.baseUrl}/_dialtone/health`);
    assert.equal(health.status, 200);
  });
});
