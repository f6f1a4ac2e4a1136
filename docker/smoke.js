'use strict';
// The container's end-to-end checks, run by docker/smoke.sh against dialtone in the container
// (host network). Reuses the e2e suite's helpers and its node_modules (scripts/install-deps.sh
// --test).
//   node docker/smoke.js http://127.0.0.1:PORT         the official twilio SDK creates a call,
//       redirects it to a new URL (dialtone fetches it from the webhook app below, signed) and
//       hangs it up
//   node docker/smoke.js certs                         makes a test CA and a certificate for
//       localhost signed by it (tests/e2e/lib/fault_app.js); prints their directory
//   node docker/smoke.js tls http://127.0.0.1:PORT DIR  a call whose webhook is HTTPS with DIR's
//       certificate: dialtone must verify it with the CA bundle at the image's default path
//       (smoke.sh mounts DIR/ca.pem there), so it finds the bundle where the image keeps it
//   node docker/smoke.js compose http://127.0.0.1:APP_PORT   docker/compose.yaml's example app
//       places a call with the SDK through dialtone; dialtone fetches the app's TwiML and posts
//       its status callbacks at http://app:3000 (service names), signed; the app hangs up
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { twilioClient, rawApi, waitForStatus } = require('../tests/e2e/lib/dialtone');
const { startWebhookServer } = require('../tests/e2e/lib/webhook_server');
const { makeCerts } = require('../tests/e2e/lib/fault_app');

const [mode, ...rest] = process.argv.slice(2);
const SID = process.env.SMOKE_ACCOUNT_SID || 'ACd1a170e0000000000000000000000000';
const TOKEN = process.env.SMOKE_AUTH_TOKEN || 'dialtone-auth-token';
const HOLD = '<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="600"/></Response>';

function step(msg) { console.log(`smoke.js: ${msg}`); }

async function sdkRoundTrip(base) {
  // The container shares the host's network (run --network host), so it reaches this server
  // on 127.0.0.1.
  const hooks = await startWebhookServer({ authToken: TOKEN });
  hooks.route('/voice', HOLD);
  hooks.route('/redirected', HOLD);
  const client = twilioClient(base, SID, TOKEN);
  const api = rawApi(base, SID, TOKEN);
  try {
    const call = await client.calls.create({
      to: '+14153855708', from: '+14158141819', url: hooks.url('/voice'),
    });
    assert.match(call.sid, /^CA[0-9a-f]{32}$/);
    assert.equal(call.status, 'queued');
    assert.equal(call.accountSid, SID);
    step(`created ${call.sid} (${call.status})`);

    const [answer] = await hooks.waitFor((r) => r.path === '/voice', { timeoutMs: 10000, what: 'the answer webhook' });
    assert.equal(answer.fields.CallSid, call.sid);
    assert.equal(answer.signatureValid, true, 'X-Twilio-Signature of the answer webhook');
    await waitForStatus(api, call.sid, 'in-progress', { timeoutMs: 10000 });
    step('answered, in-progress');

    const redirected = await client.calls(call.sid).update({ url: hooks.url('/redirected'), method: 'POST' });
    assert.equal(redirected.sid, call.sid);
    assert.equal(redirected.status, 'in-progress');
    const [hit] = await hooks.waitFor((r) => r.path === '/redirected', { timeoutMs: 10000, what: 'the redirect webhook' });
    assert.equal(hit.method, 'POST');
    assert.equal(hit.fields.CallSid, call.sid);
    assert.equal(hit.signatureValid, true, 'X-Twilio-Signature of the redirect webhook');
    step('redirected: dialtone fetched the new URL, signed');

    const ended = await client.calls(call.sid).update({ status: 'completed' });
    assert.equal(ended.status, 'completed');
    const fetched = await client.calls(call.sid).fetch();
    assert.equal(fetched.status, 'completed');
    assert.ok(fetched.endTime, 'end_time is set');
    step(`hung up: ${fetched.status}, duration ${fetched.duration} s`);

    let err;
    try { await client.calls(call.sid).update({ status: 'completed' }); } catch (e) { err = e; }
    assert.ok(err, 'updating an ended call must fail');
    assert.equal(err.status, 400);
    assert.equal(err.code, 21220);

    assert.deepEqual(client.httpClient.schemaViolations, [],
      'every JSON body the SDK received validates against twilio_api_v2010.json');
    step('ok');
  } finally {
    await hooks.close();
  }
}

async function tlsWebhook(base, dir) {
  const tls = { key: fs.readFileSync(path.join(dir, 'leaf.key')), cert: fs.readFileSync(path.join(dir, 'good.pem')) };
  // The certificate names localhost: the webhook URL does too.
  const hooks = await startWebhookServer({ authToken: TOKEN, host: 'localhost', tls });
  hooks.route('/voice', HOLD);
  const client = twilioClient(base, SID, TOKEN);
  try {
    const call = await client.calls.create({ to: '+14153855708', from: '+14158141819', url: hooks.url('/voice') });
    const [answer] = await hooks.waitFor((r) => r.path === '/voice', { timeoutMs: 10000, what: 'the HTTPS answer webhook' });
    assert.equal(answer.fields.CallSid, call.sid);
    assert.equal(answer.signatureValid, true, 'X-Twilio-Signature of the HTTPS webhook');
    await client.calls(call.sid).update({ status: 'completed' });
    step(`HTTPS webhook ${hooks.url('/voice')} verified against the image's CA bundle path`);
  } finally {
    await hooks.close();
  }
}

async function composeApp(app) {
  const get = async (p) => {
    const res = await fetch(app + p);
    return { status: res.status, body: await res.text() };
  };
  for (let i = 0; ; i++) {  // the app container may still be starting
    try { if ((await get('/')).status === 200) break; } catch { /* not yet */ }
    assert.ok(i < 300, `the example app at ${app} did not answer within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const placed = await get('/call?to=%2B14155550123');
  assert.equal(placed.status, 201, `GET /call: ${placed.body}`);
  const call = JSON.parse(placed.body);
  assert.match(call.sid, /^CA[0-9a-f]{32}$/);
  step(`the app placed ${call.sid} through dialtone (${call.status})`);

  const seen = async (pred, what) => {
    for (let i = 0; ; i++) {
      const events = JSON.parse((await get('/events')).body).filter((e) => e.callSid === call.sid);
      const bad = events.filter((e) => e.signatureValid !== true);
      assert.deepEqual(bad, [], 'every webhook the app got has a valid X-Twilio-Signature');
      if (events.some(pred)) return events;
      assert.ok(i < 150, `the app saw no ${what} within 15 s; it saw ${JSON.stringify(events)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await seen((e) => e.path === '/voice', 'request for its TwiML (/voice)');
  await seen((e) => e.path === '/status' && e.callStatus === 'in-progress', 'in-progress status callback');
  step('dialtone fetched http://app:3000/voice and posted the answered callback, both signed');
  const hung = await get(`/hangup?sid=${call.sid}`);
  assert.equal(hung.status, 200, `GET /hangup: ${hung.body}`);
  assert.equal(JSON.parse(hung.body).status, 'completed');
  const events = await seen((e) => e.path === '/status' && e.callStatus === 'completed', 'completed status callback');
  step(`hung up; the app got ${events.length} signed webhooks: ` +
    events.map((e) => `${e.path} ${e.callStatus}`).join(', '));
}

async function main() {
  if (mode === 'compose') {
    assert.ok(rest.length === 1, 'usage: node docker/smoke.js compose http://HOST:APP_PORT');
    await composeApp(rest[0]);
  } else if (mode === 'certs') {
    console.log(makeCerts().dir);
  } else if (mode === 'tls') {
    assert.ok(rest.length === 2, 'usage: node docker/smoke.js tls http://HOST:PORT CERTDIR');
    await tlsWebhook(rest[0], rest[1]);
  } else {
    assert.ok(mode && /^https?:/.test(mode), 'usage: node docker/smoke.js http://HOST:PORT');
    await sdkRoundTrip(mode);
  }
}

const deadline = setTimeout(() => { console.error('smoke.js: timed out after 60 s'); process.exit(1); }, 60000);
deadline.unref();
main().then(() => process.exit(0), (e) => { console.error(`smoke.js: FAILED: ${e.stack || e}`); process.exit(1); });
