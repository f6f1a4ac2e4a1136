'use strict';
// The container's end-to-end check, run by docker/smoke.sh: the official twilio SDK creates a
// call through dialtone in the container, redirects it to a new URL (dialtone fetches that URL
// from the webhook app below, signed) and hangs it up. Reuses the e2e suite's helpers and its
// node_modules (scripts/install-deps.sh --test).
//   node docker/smoke.js http://127.0.0.1:PORT
const assert = require('node:assert/strict');
const { twilioClient, rawApi, waitForStatus } = require('../tests/e2e/lib/dialtone');
const { startWebhookServer } = require('../tests/e2e/lib/webhook_server');

const base = process.argv[2];
const SID = process.env.SMOKE_ACCOUNT_SID || 'ACd1a170e0000000000000000000000000';
const TOKEN = process.env.SMOKE_AUTH_TOKEN || 'dialtone-auth-token';
const HOLD = '<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="600"/></Response>';

function step(msg) { console.log(`smoke.js: ${msg}`); }

async function main() {
  assert.ok(base, 'usage: node docker/smoke.js http://HOST:PORT');
  // The container shares the host's network (local-oci run --network host), so it reaches
  // this server on 127.0.0.1.
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

const deadline = setTimeout(() => { console.error('smoke.js: timed out after 60 s'); process.exit(1); }, 60000);
deadline.unref();
main().then(() => process.exit(0), (e) => { console.error(`smoke.js: FAILED: ${e.stack || e}`); process.exit(1); });
