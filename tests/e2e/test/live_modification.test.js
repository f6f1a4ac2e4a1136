'use strict';
// Modifying live calls against a real local app, over plain HTTP and over HTTPS (a self-signed
// certificate for 127.0.0.1/localhost made at test time; dialtone trusts it through
// --webhook-ca-file, verification on): the official SDK's update redirects a call in the middle
// of a <Pause>, a <Gather> and a <Dial> (ringing and bridged), hangs up a call whose <Dial> is
// still ringing, and status callbacks arrive once each, in order, signed.
// The clock is manual: time moves only through /_dialtone/clock/advance, and every wait is a
// journal wait (wait_for) or a wait on the app's record of requests, never a sleep. Every
// request the app receives must pass twilio.validateRequest over the URL it was sent to.

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const twilio = require('twilio');
const { startDialtone } = require('../lib/dialtone');
const { startWebhookServer } = require('../lib/webhook_server');
const { uniqueNumber, FROM } = require('../lib/common');

const xml = (body) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

/** A self-signed certificate for IP:127.0.0.1 and DNS:localhost, valid one day. */
function makeSelfSignedCert() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dialtone-live-cert-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes',
    '-keyout', 'key.pem', '-out', 'cert.pem', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-days', '1'],
  { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  return {
    dir,
    certFile: path.join(dir, 'cert.pem'),
    key: fs.readFileSync(path.join(dir, 'key.pem')),
    cert: fs.readFileSync(path.join(dir, 'cert.pem')),
    cleanup() { fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

for (const scheme of ['http', 'https']) {
  describe(`live modification over ${scheme}`, () => {
    let dt;
    let app;
    let client;
    let cert;

    before(async () => {
      const args = ['--clock', 'manual'];
      if (scheme === 'https') {
        cert = makeSelfSignedCert();
        args.push('--webhook-ca-file', cert.certFile);  // verification stays on
      }
      dt = await startDialtone({ args });
      app = await startWebhookServer({ authToken: dt.authToken, tls: cert });
      client = dt.client();
    });

    afterEach(() => {
      const violations = client.httpClient.schemaViolations.splice(0);
      assert.deepEqual(violations, [], 'every JSON body the SDK received validates against Twilio\'s schema');
      const invalid = app.requests.filter((r) => r.signatureValid !== true)
        .map((r) => `${r.method} ${r.url} (${r.signature})`);
      assert.deepEqual(invalid, [], 'every webhook the app received has a valid X-Twilio-Signature');
    });

    after(async () => {
      if (dt) {
        await dt.stop();
        if (process.env.DIALTONE_E2E_LOG) process.stderr.write(dt.log() + '\n');
      }
      if (app) await app.close();
      if (cert) cert.cleanup();
    });

    async function control(method, p, body) {
      const init = { method, headers: {} };
      if (body !== undefined) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      const res = await fetch(`${dt.baseUrl}/_dialtone${p}`, init);
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    }

    /** Blocks (server side) until `condition` holds for the call; returns its journal. */
    async function waitFor(callSid, condition) {
      const r = await control('GET', `/calls/${callSid}/events?wait_for=${encodeURIComponent(condition)}&timeout=5`);
      assert.equal(r.status, 200, `${callSid}: wait_for ${condition}: ${JSON.stringify(r.json)}`);
      return r.json.events;
    }

    async function journal(callSid) {
      const r = await control('GET', `/calls/${callSid}/events`);
      assert.equal(r.status, 200);
      return r.json.events;
    }

    async function advance(seconds) {
      const r = await control('POST', '/clock/advance', { Seconds: seconds });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      return r.json;
    }

    async function nowMs() {
      return (await control('GET', '/clock')).json.now_ms;
    }

    async function behavior(number, rule) {
      const r = await control('POST', '/behaviors', { Number: number, ...rule });
      assert.equal(r.status, 201, JSON.stringify(r.json));
    }

    /** A call to a fresh number fetching `voicePath`, answered through the control API. */
    async function answeredCall(voicePath, extra = {}) {
      const call = await client.calls.create({ to: uniqueNumber(), from: FROM, url: app.url(voicePath),
        method: 'POST', ...extra });
      // On the manual clock the call waits queued until time moves or the callee acts:
      // answering places it (ringing) and connects it at the same virtual instant.
      const r = await control('POST', `/calls/${call.sid}/answer`);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      await waitFor(call.sid, 'status:in-progress');
      const [voice] = await app.waitFor((q) => q.path === voicePath && q.fields.CallSid === call.sid,
        { what: `${voicePath} for ${call.sid}` });
      assert.equal(voice.fields.CallStatus, 'in-progress');
      return call;
    }

    /** The verbs the journal shows for the call after journal seq `since`. */
    const verbsAfter = (events, since = 0) => events
      .filter((e) => e.type === 'verb' && e.seq > since).map((e) => e.fields.verb);

    /** The journal event of the (single) SDK update with a Url: the create is journaled too. */
    function redirectEvent(events) {
      const updates = events.filter((e) => e.type === 'api.request' && e.fields.Url !== undefined);
      assert.equal(updates.length, 1, `one redirect in the journal: ${JSON.stringify(updates)}`);
      return updates[0];
    }

    /** The only child leg of a <Dial>. */
    async function onlyChild(parentSid) {
      const legs = await client.calls.list({ parentCallSid: parentSid });
      assert.equal(legs.length, 1, `one Dial leg of ${parentSid}`);
      return legs[0];
    }

    it('redirect mid-<Pause>: /next is requested at once, the <Say> after the Pause never runs', async () => {
      app.route('/pause', xml('<Pause length="60"/><Say>never</Say>'));
      app.route('/pause-next', xml('<Pause length="10"/><Hangup/>'));
      const call = await answeredCall('/pause');
      await waitFor(call.sid, 'verb:verb=Pause');
      const answeredAt = await nowMs();

      await advance(5);
      const updated = await client.calls(call.sid).update({ url: app.url('/pause-next'), method: 'POST' });
      assert.equal(client.httpClient.last.statusCode, 200);
      assert.equal(updated.status, 'in-progress');
      // No clock movement needed: the redirect is fetched as soon as the update is accepted.
      const [next] = await app.waitFor((q) => q.path === '/pause-next' && q.fields.CallSid === call.sid,
        { what: 'the redirect to /pause-next' });
      assert.equal(next.method, 'POST');
      assert.equal(next.fields.CallStatus, 'in-progress');

      // /pause-next's own <Pause length="10"/>: still in-progress 1 s before it ends.
      await advance(9);
      assert.equal((await client.calls(call.sid).fetch()).status, 'in-progress');
      await advance(1);
      const events = await waitFor(call.sid, 'status:completed');
      const done = await client.calls(call.sid).fetch();
      assert.equal(done.status, 'completed');
      assert.equal(done.duration, '15', '5 s of the first Pause + 10 s of /pause-next');
      assert.equal(done.endTime.getTime() - answeredAt, 15000);

      const update = redirectEvent(events);
      assert.deepEqual(verbsAfter(events, update.seq).filter((v) => v !== '(end of document)'),
        ['Pause', 'Hangup'], 'only /pause-next\'s verbs ran after the update');
      assert.ok(!verbsAfter(events).includes('Say'), `no <Say> ever ran: ${verbsAfter(events).join(', ')}`);
      assert.equal(app.hits('/pause-next', call.sid).length, 1);
    });

    it('redirect mid-<Gather> without input: /next runs, the Gather action is never requested', async () => {
      app.route('/gather', xml(`<Gather timeout="10" numDigits="1" action="${app.url('/gather-action')}">` +
        '<Say>Press a key</Say></Gather><Say>no input</Say>'));
      app.route('/gather-action', xml('<Say>action</Say><Hangup/>'));
      app.route('/gather-next', xml('<Pause length="20"/><Hangup/>'));
      const call = await answeredCall('/gather');
      await waitFor(call.sid, 'verb:verb=Gather');

      await advance(3);
      const updated = await client.calls(call.sid).update({ url: app.url('/gather-next'), method: 'POST' });
      assert.equal(updated.status, 'in-progress');
      const [next] = await app.waitFor((q) => q.path === '/gather-next' && q.fields.CallSid === call.sid,
        { what: 'the redirect to /gather-next' });
      assert.equal(next.fields.CallStatus, 'in-progress');
      assert.equal(next.fields.Digits, undefined);

      // Well past the Gather's timeout: nothing from the old document wakes up.
      await advance(15);
      assert.equal((await client.calls(call.sid).fetch()).status, 'in-progress');
      await advance(5);
      const events = await waitFor(call.sid, 'status:completed');
      assert.equal(app.hits('/gather-action').length, 0, 'the Gather action is not requested');
      const update = redirectEvent(events);
      assert.deepEqual(verbsAfter(events, update.seq).filter((v) => v !== '(end of document)'),
        ['Pause', 'Hangup']);
      assert.equal((await client.calls(call.sid).fetch()).duration, '23');
    });

    for (const stage of ['ringing', 'bridged']) {
      it(`redirect mid-<Dial> while the child is ${stage}: the leg ends, the Dial action is ` +
        'requested, /next takes over', async () => {
        const callee = uniqueNumber();
        await behavior(callee, { Outcome: 'answer', AnswerAfter: stage === 'ringing' ? 30 : 2 });
        const voice = `/dial-${stage}`;
        const action = `/dial-${stage}-action`;
        const next = `/dial-${stage}-next`;
        app.route(voice, xml(`<Dial timeout="60" action="${app.url(action)}"><Number>${callee}</Number></Dial>` +
          '<Say>after the dial</Say>'));
        app.route(action, xml('<Say>the action document is not run</Say><Hangup/>'));
        app.route(next, xml('<Pause length="20"/><Hangup/>'));
        const call = await answeredCall(voice);
        await waitFor(call.sid, 'verb:verb=Dial');
        const child = await onlyChild(call.sid);
        if (stage === 'bridged') {
          await advance(2);  // the leg is placed, rings 2 s and answers
          await waitFor(child.sid, 'status:in-progress');
          await waitFor(call.sid, 'dial:bridged=' + child.sid);
          await advance(3);
        } else {
          await advance(5);
          assert.equal((await client.calls(child.sid).fetch()).status, 'ringing');
        }

        const updated = await client.calls(call.sid).update({ url: app.url(next), method: 'POST' });
        assert.equal(updated.status, 'in-progress');
        const childEnd = stage === 'ringing' ? 'canceled' : 'completed';
        await waitFor(child.sid, `status:${childEnd}`);
        assert.equal((await client.calls(child.sid).fetch()).status, childEnd);

        const [dialAction] = await app.waitFor((q) => q.path === action && q.fields.CallSid === call.sid,
          { what: 'the Dial action' });
        assert.equal(dialAction.fields.DialCallStatus, stage === 'ringing' ? 'canceled' : 'completed');
        assert.equal(dialAction.fields.DialCallSid, child.sid);
        if (stage === 'bridged') assert.equal(dialAction.fields.DialCallDuration, '3');
        const [nextReq] = await app.waitFor((q) => q.path === next && q.fields.CallSid === call.sid,
          { what: 'the redirect' });
        assert.equal(nextReq.fields.CallStatus, 'in-progress');

        // The journal: the action is sent before /next is fetched, and only /next's verbs run.
        const events = await journal(call.sid);
        const requests = events.filter((e) => e.type === 'webhook.request').map((e) => e.fields.url);
        assert.ok(requests.indexOf(app.url(action)) >= 0 &&
          requests.indexOf(app.url(action)) < requests.indexOf(app.url(next)),
        `Dial action before /next: ${requests.join(', ')}`);
        const parent = await client.calls(call.sid).fetch();
        assert.equal(parent.status, 'in-progress', 'the parent stays in-progress');

        await advance(20);
        const after = await waitFor(call.sid, 'status:completed');
        const update = redirectEvent(after);
        assert.deepEqual(verbsAfter(after, update.seq).filter((v) => v !== '(end of document)'),
          ['Pause', 'Hangup'], 'the action\'s TwiML is ignored, /next runs');
        assert.equal(app.hits(action, call.sid).length, 1);
        assert.equal((await client.calls(child.sid).fetch()).status, childEnd, 'the leg stays ended');
      });
    }

    it('Status=completed during a ringing <Dial>: parent completed, child canceled; ' +
      'Status=canceled before that is a no-op', async () => {
      const callee = uniqueNumber();
      await behavior(callee, { Outcome: 'no-answer' });
      app.route('/dial-hangup', xml(`<Dial timeout="30" action="${app.url('/dial-hangup-action')}">${callee}</Dial>`));
      const call = await answeredCall('/dial-hangup', { statusCallback: app.url('/dial-hangup-status') });
      await waitFor(call.sid, 'verb:verb=Dial');
      const child = await onlyChild(call.sid);
      await advance(5);
      await waitFor(child.sid, 'status:ringing');

      const canceled = await client.calls(call.sid).update({ status: 'canceled' });
      assert.equal(client.httpClient.last.statusCode, 200);
      assert.equal(canceled.status, 'in-progress', 'a call in a ringing <Dial> is in-progress');
      assert.equal(canceled.endTime, null);
      assert.equal((await client.calls(call.sid).fetch()).status, 'in-progress');
      assert.equal((await client.calls(child.sid).fetch()).status, 'ringing', 'the leg still rings');

      const completed = await client.calls(call.sid).update({ status: 'completed' });
      assert.equal(client.httpClient.last.statusCode, 200);
      assert.equal(completed.status, 'completed');
      assert.equal(completed.duration, '5');
      await waitFor(child.sid, 'status:canceled');
      const leg = await client.calls(child.sid).fetch();
      assert.equal(leg.status, 'canceled');
      const [status] = await app.waitFor((q) => q.path === '/dial-hangup-status' && q.fields.CallSid === call.sid,
        { what: 'the completed status callback' });
      assert.equal(status.fields.CallStatus, 'completed');

      // The ended <Dial> posts its action once (as Twilio does when the caller hangs up); the
      // answer is not run: past the Dial timeout nothing wakes up.
      const [dialAction] = await app.waitFor((q) => q.path === '/dial-hangup-action' &&
        q.fields.CallSid === call.sid, { what: 'the Dial action' });
      assert.equal(dialAction.fields.DialCallStatus, 'canceled');
      assert.equal(dialAction.fields.DialCallSid, child.sid);
      await advance(40);
      assert.equal((await client.calls(call.sid).fetch()).status, 'completed');
      assert.equal((await client.calls(child.sid).fetch()).status, 'canceled');
      assert.equal(app.hits('/dial-hangup-action', call.sid).length, 1);
      const verbs = verbsAfter(await journal(call.sid));
      assert.deepEqual(verbs, ['Dial'], `nothing ran after the hang-up: ${verbs.join(', ')}`);
    });

    it('status callbacks: initiated, ringing, answered, completed: once each, in order, signed', async () => {
      app.route('/cb-voice', xml('<Pause length="10"/>'));
      const call = await client.calls.create({ to: uniqueNumber(), from: FROM, url: app.url('/cb-voice'),
        statusCallback: app.url('/cb'), statusCallbackMethod: 'POST',
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'] });
      await advance(0);  // the call is placed: initiated, then ringing
      await waitFor(call.sid, 'status:ringing');
      const r = await control('POST', `/calls/${call.sid}/answer`);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      await waitFor(call.sid, 'verb:verb=Pause');
      await advance(10);
      await waitFor(call.sid, 'status:completed');
      const mine = (q) => q.path === '/cb' && q.fields.CallSid === call.sid;
      await app.waitFor(mine, { count: 4, what: 'four status callbacks' });
      await advance(1);  // an advance returns once every webhook it caused has come back

      const callbacks = app.requests.filter(mine);
      assert.deepEqual(callbacks.map((q) => q.fields.CallStatus),
        ['initiated', 'ringing', 'in-progress', 'completed']);
      assert.deepEqual(callbacks.map((q) => q.fields.SequenceNumber), ['0', '1', '2', '3']);
      for (const q of callbacks) {
        assert.equal(q.method, 'POST');
        assert.equal(q.signatureValid, true, `signature of the ${q.fields.CallStatus} callback`);
        assert.equal(q.url, app.url('/cb'));
        assert.equal(q.fields.CallbackSource, 'call-progress-events');
        assert.ok(q.fields.Timestamp, 'Timestamp');
      }
      assert.equal(callbacks[3].fields.CallDuration, '10');
      for (const q of callbacks.slice(0, 3)) assert.equal(q.fields.CallDuration, undefined, q.fields.CallStatus);
      const done = await client.calls(call.sid).fetch();
      assert.equal(done.duration, '10');
    });

    it('every webhook request the app received carried a valid signature', () => {
      assert.ok(app.requests.length >= 15, `${app.requests.length} webhook requests`);
      for (const q of app.requests) {
        assert.ok(q.url.startsWith(`${scheme}://127.0.0.1:`), q.url);
        assert.equal(q.signatureValid, true, `${q.method} ${q.url}`);
      }
    });
  });
}
