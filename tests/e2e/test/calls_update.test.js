'use strict';
// Update a call (POST Calls/{Sid}.json): redirect with Url/Method or Twiml, and Status.
// The semantics follow the seed ("Modifying Live Calls") and DESIGN.md's update table.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { useDialtone, uniqueNumber, FROM } = require('../lib/common');
const { waitForStatus, HOLD_TWIML, sleep } = require('../lib/dialtone');

const ctx = useDialtone();

async function liveCall(extra = {}) {
  const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML, ...extra });
  await waitForStatus(ctx.api, call.sid, 'in-progress');
  return call;
}

describe('redirect a live call', () => {
  it('Url + Method=GET: 200, still in-progress, and the new URL is requested with GET', async () => {
    const call = await liveCall();
    const updated = await ctx.client.calls(call.sid).update({ url: ctx.hooks.url('/redirect-get'), method: 'GET' });
    assert.equal(ctx.client.httpClient.last.statusCode, 200);
    assert.equal(updated.sid, call.sid);
    assert.equal(updated.status, 'in-progress');
    const [req] = await ctx.hooks.waitFor((r) => r.path === '/redirect-get' && r.query.CallSid === call.sid,
      { what: 'the redirect (GET)' });
    assert.equal(req.method, 'GET');
    assert.equal(req.signatureValid, true);
    assert.equal(req.query.CallStatus, 'in-progress');
  });

  it('Url with Method=POST: the new URL is requested with POST', async () => {
    const call = await liveCall();
    await ctx.client.calls(call.sid).update({ url: ctx.hooks.url('/redirect-post'), method: 'POST' });
    const [req] = await ctx.hooks.waitFor((r) => r.path === '/redirect-post' && r.fields.CallSid === call.sid,
      { what: 'the redirect (POST)' });
    assert.equal(req.method, 'POST');
    assert.equal(req.signatureValid, true);
    assert.equal(req.fields.CallStatus, 'in-progress');
    const after = await ctx.client.calls(call.sid).fetch();
    assert.equal(after.status, 'in-progress', 'the redirect target holds the call');
  });

  it('Twiml replaces what runs: a <Redirect> in it is followed', async () => {
    const call = await liveCall();
    const twiml = `<Response><Redirect method="POST">${ctx.hooks.url('/from-twiml')}</Redirect></Response>`;
    const updated = await ctx.client.calls(call.sid).update({ twiml });
    assert.equal(updated.status, 'in-progress');
    await ctx.hooks.waitFor((r) => r.path === '/from-twiml' && r.fields.CallSid === call.sid,
      { what: 'the <Redirect> in the new TwiML' });
  });

  it('Twiml <Hangup/> ends the call: completed', async () => {
    const call = await liveCall();
    await ctx.client.calls(call.sid).update({ twiml: '<Response><Hangup/></Response>' });
    const done = await waitForStatus(ctx.api, call.sid, 'completed');
    assert.ok(done.end_time);
  });

  it('Url on a call that has not been answered yet is used when it answers', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, url: ctx.hooks.url('/first') });
    const updated = await ctx.client.calls(call.sid).update({ url: ctx.hooks.url('/second') });
    assert.ok(['queued', 'ringing'].includes(updated.status), updated.status);
    await ctx.hooks.waitFor((r) => r.path === '/second' && r.fields.CallSid === call.sid,
      { what: 'the replaced answer URL' });
    assert.equal(ctx.hooks.requests.filter((r) => r.path === '/first' && r.fields.CallSid === call.sid).length, 0);
  });
});

describe('Status=canceled / Status=completed', () => {
  it('canceled on a queued or ringing call ends it: canceled', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
    const updated = await ctx.client.calls(call.sid).update({ status: 'canceled' });
    assert.equal(ctx.client.httpClient.last.statusCode, 200);
    assert.equal(updated.status, 'canceled');
    const fetched = await ctx.client.calls(call.sid).fetch();
    assert.equal(fetched.status, 'canceled');
    await sleep(1500);  // past the default ring time: a canceled call never answers
    assert.equal((await ctx.client.calls(call.sid).fetch()).status, 'canceled');
  });

  it('canceled on an in-progress call: 200, and the call stays in-progress', async () => {
    const call = await liveCall();
    const updated = await ctx.client.calls(call.sid).update({ status: 'canceled' });
    assert.equal(ctx.client.httpClient.last.statusCode, 200);
    assert.equal(updated.status, 'in-progress');
    const fetched = await ctx.client.calls(call.sid).fetch();
    assert.equal(fetched.status, 'in-progress');
    assert.equal(fetched.endTime, null);
  });

  it('completed on an in-progress call hangs it up: completed, with end_time and duration', async () => {
    const call = await liveCall();
    const updated = await ctx.client.calls(call.sid).update({ status: 'completed' });
    assert.equal(ctx.client.httpClient.last.statusCode, 200);
    assert.equal(updated.status, 'completed');
    assert.ok(updated.endTime instanceof Date);
    assert.match(updated.duration, /^\d+$/);
    assert.equal((await ctx.client.calls(call.sid).fetch()).status, 'completed');
  });

  it('completed on a call that never connected ends it as canceled', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
    const updated = await ctx.client.calls(call.sid).update({ status: 'completed' });
    assert.equal(updated.status, 'canceled');
  });

  it('hanging up posts the completed status callback', async () => {
    const call = await liveCall({ statusCallback: ctx.hooks.url('/hangup-status') });
    await ctx.client.calls(call.sid).update({ status: 'completed' });
    const [req] = await ctx.hooks.waitFor((r) => r.path === '/hangup-status' && r.fields.CallSid === call.sid,
      { what: 'the completed callback' });
    assert.equal(req.fields.CallStatus, 'completed');
    assert.equal(req.signatureValid, true);
  });
});

describe('update details', () => {
  it('a redirect interrupts the running verb at once (well before the 600 s <Pause> ends)', async () => {
    const call = await liveCall();
    const sent = Date.now();
    await ctx.client.calls(call.sid).update({ url: ctx.hooks.url('/prompt') });
    const [req] = await ctx.hooks.waitFor((r) => r.path === '/prompt' && r.fields.CallSid === call.sid,
      { what: 'the redirect' });
    assert.ok(req.at - sent < 1000, `redirect requested ${req.at - sent} ms after the update`);
  });

  it('canceling a queued call posts a canceled status callback', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML,
      statusCallback: ctx.hooks.url('/cancel-status') });
    await ctx.client.calls(call.sid).update({ status: 'canceled' });
    const [req] = await ctx.hooks.waitFor((r) => r.path === '/cancel-status' && r.fields.CallSid === call.sid,
      { what: 'the canceled callback' });
    assert.equal(req.fields.CallStatus, 'canceled');
  });

  it('an update of a deleted call is 20404', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
    await ctx.client.calls(call.sid).update({ status: 'canceled' });
    await ctx.client.calls(call.sid).remove();
    const { rejectsRest } = require('../lib/common');
    await rejectsRest(ctx.client.calls(call.sid).update({ status: 'completed' }), 404, 20404);
  });
});

describe('webhook signatures on tricky URLs', () => {
  const twilio = require('twilio');

  it('POST to a URL with a query string: signed over the URL with its query plus the body', async () => {
    const url = ctx.hooks.url('/q?b=2&a=1');
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, url });
    const [req] = await ctx.hooks.waitFor((r) => r.path === '/q' && r.fields.CallSid === call.sid,
      { what: 'the answer webhook' });
    assert.equal(req.url, url, 'the URL is requested exactly as given');
    assert.equal(req.signature, twilio.getExpectedTwilioSignature(ctx.dt.authToken, url, req.params));
  });

  it('percent-encoded characters in the URL are signed exactly as configured', async () => {
    const url = ctx.hooks.url('/enc?name=a%20b&path=%2Fx%2Fy&plus=1%2B1');
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, url });
    const [req] = await ctx.hooks.waitFor((r) => r.path === '/enc' && r.fields.CallSid === call.sid,
      { what: 'the answer webhook' });
    assert.equal(req.url, url, 'the URL is requested exactly as given');
    assert.equal(req.signature, twilio.getExpectedTwilioSignature(ctx.dt.authToken, url, req.params));
    assert.equal(req.query.name, 'a b');
  });

  it('a client: endpoint can be called', async () => {
    const call = await ctx.client.calls.create({ to: 'client:alice', from: FROM, twiml: HOLD_TWIML });
    assert.equal(call.to, 'client:alice');
    await ctx.client.calls(call.sid).update({ status: 'canceled' });
  });
});
