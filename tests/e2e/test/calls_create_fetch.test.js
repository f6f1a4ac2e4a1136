'use strict';
// Create and fetch through the official SDK, and the webhooks a created call produces.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { useDialtone, uniqueNumber, FROM } = require('../lib/common');
const { waitForStatus, HOLD_TWIML } = require('../lib/dialtone');

const ctx = useDialtone();

describe('create a call (POST Calls.json)', () => {
  it('returns 201 and a queued outbound-api call', async () => {
    const to = uniqueNumber();
    const call = await ctx.client.calls.create({ to, from: FROM, url: ctx.hooks.url('/answer') });
    const { last } = ctx.client.httpClient;
    assert.equal(last.method, 'POST');
    assert.equal(last.statusCode, 201);
    assert.match(call.sid, /^CA[0-9a-f]{32}$/);
    assert.equal(call.accountSid, ctx.dt.accountSid);
    assert.equal(call.status, 'queued');
    assert.equal(call.direction, 'outbound-api');
    assert.equal(call.to, to);
    assert.equal(call.from, FROM);
    assert.equal(call.apiVersion, '2010-04-01');
    assert.equal(call.parentCallSid, null);
    assert.equal(call.endTime, null);
    assert.equal(call.duration, null);
    assert.equal(call.uri, `/2010-04-01/Accounts/${ctx.dt.accountSid}/Calls/${call.sid}.json`);
    assert.ok(call.subresourceUris && typeof call.subresourceUris === 'object');
    assert.equal(call.subresourceUris.notifications,
      `/2010-04-01/Accounts/${ctx.dt.accountSid}/Calls/${call.sid}/Notifications.json`);
    const raw = last.body;
    assert.equal(typeof raw, 'object');
    assert.equal(raw.status, 'queued');
  });

  it('also accepts inline Twiml instead of Url', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
    assert.equal(ctx.client.httpClient.last.statusCode, 201);
    assert.equal(call.status, 'queued');
  });

  it('sends the JSON as application/json with the documented key order', async () => {
    const r = await ctx.api.create({ To: uniqueNumber(), From: FROM, Twiml: HOLD_TWIML });
    assert.equal(r.status, 201);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    const keys = Object.keys(r.json);
    const { callProperties } = require('../lib/schema').load();
    assert.deepEqual(keys, callProperties, 'keys in the spec\'s property order');
  });
});

describe('fetch a call (GET Calls/{Sid}.json)', () => {
  it('returns the call and, after the default ring time, shows it in-progress', async () => {
    const created = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
    const fetched = await ctx.client.calls(created.sid).fetch();
    assert.equal(ctx.client.httpClient.last.statusCode, 200);
    assert.equal(fetched.sid, created.sid);
    assert.equal(fetched.to, created.to);
    assert.ok(['queued', 'ringing', 'in-progress'].includes(fetched.status), fetched.status);

    const live = await waitForStatus(ctx.api, created.sid, 'in-progress', { timeoutMs: 5000 });
    assert.ok(live.start_time, 'start_time is set once the call is answered');
    const sdk = await ctx.client.calls(created.sid).fetch();
    assert.equal(sdk.status, 'in-progress');
    assert.ok(sdk.startTime instanceof Date && !Number.isNaN(sdk.startTime.getTime()));
    assert.equal(sdk.endTime, null);
  });

  it('a call that ends has end_time and a string duration', async () => {
    const created = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM,
      twiml: '<Response><Pause length="1"/><Hangup/></Response>' });
    const done = await waitForStatus(ctx.api, created.sid, 'completed', { timeoutMs: 8000 });
    assert.ok(done.end_time);
    assert.equal(typeof done.duration, 'string');
    assert.match(done.duration, /^\d+$/);
    const sdk = await ctx.client.calls(created.sid).fetch();
    assert.equal(sdk.status, 'completed');
  });
});

describe('webhooks of a created call', () => {
  it('requests Url with signed call parameters when the call is answered', async () => {
    const to = uniqueNumber();
    const call = await ctx.client.calls.create({ to, from: FROM, url: ctx.hooks.url('/answer-post') });
    const [req] = await ctx.hooks.waitFor((r) => r.path === '/answer-post' && r.fields.CallSid === call.sid,
      { what: 'the answer webhook' });
    assert.equal(req.method, 'POST');
    assert.equal(req.signatureValid, true, `X-Twilio-Signature ${req.signature} for ${req.url}`);
    assert.equal(req.fields.AccountSid, ctx.dt.accountSid);
    assert.equal(req.fields.To, to);
    assert.equal(req.fields.From, FROM);
    assert.equal(req.fields.CallStatus, 'in-progress');
    assert.equal(req.fields.Direction, 'outbound-api');
    assert.equal(req.fields.ApiVersion, '2010-04-01');
  });

  it('uses GET with the parameters in the query string when Method=GET', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM,
      url: ctx.hooks.url('/answer-get?app=1'), method: 'GET' });
    const [req] = await ctx.hooks.waitFor((r) => r.path === '/answer-get' && r.query.CallSid === call.sid,
      { what: 'the GET answer webhook' });
    assert.equal(req.method, 'GET');
    assert.equal(req.query.app, '1', 'the URL\'s own query string is kept');
    assert.equal(req.signatureValid, true, `X-Twilio-Signature ${req.signature} for ${req.url}`);
  });

  it('posts every requested StatusCallbackEvent in order', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM,
      twiml: '<Response><Hangup/></Response>',
      statusCallback: ctx.hooks.url('/status'),
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'] });
    const reqs = await ctx.hooks.waitFor((r) => r.path === '/status' && r.fields.CallSid === call.sid,
      { count: 4, what: 'four status callbacks' });
    assert.deepEqual(reqs.map((r) => r.fields.CallStatus),
      ['initiated', 'ringing', 'in-progress', 'completed']);
    assert.deepEqual(reqs.map((r) => r.fields.SequenceNumber), ['0', '1', '2', '3']);
    for (const r of reqs) {
      assert.equal(r.method, 'POST');
      assert.equal(r.signatureValid, true, `signature of ${r.fields.CallStatus} callback`);
      assert.equal(r.fields.CallbackSource, 'call-progress-events');
    }
    assert.match(reqs[3].fields.CallDuration, /^\d+$/);
  });

  it('posts only the completed event when StatusCallbackEvent is not given', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM,
      twiml: '<Response><Hangup/></Response>', statusCallback: ctx.hooks.url('/status-default') });
    await waitForStatus(ctx.api, call.sid, 'completed', { timeoutMs: 5000 });
    const [req] = await ctx.hooks.waitFor((r) => r.path === '/status-default' && r.fields.CallSid === call.sid,
      { what: 'the completed callback' });
    assert.equal(req.fields.CallStatus, 'completed');
    const all = ctx.hooks.requests.filter((r) => r.path === '/status-default' && r.fields.CallSid === call.sid);
    assert.equal(all.length, 1);
  });
});

describe('Twilio fidelity details', () => {
  it('formats NANP numbers, populates dates, and sends Twilio\'s headers', async () => {
    const r = await ctx.api.create({ To: '+14158675309', From: '+14155550100', Twiml: HOLD_TWIML });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.match(r.headers.get('twilio-request-id') || '', /^RQ[0-9a-f]{32}$/);
    assert.equal(r.json.to_formatted, '(415) 867-5309');
    assert.equal(r.json.from_formatted, '(415) 555-0100');
    assert.ok(r.json.date_created, 'date_created is populated');
    assert.ok(r.json.date_updated, 'date_updated is populated');
    assert.equal(r.json.price_unit, 'USD');
    await ctx.api.update(r.json.sid, { Status: 'canceled' });
  });

  it('the answer webhook carries the legacy Called/Caller duplicates', async () => {
    const to = uniqueNumber();
    const call = await ctx.client.calls.create({ to, from: FROM, url: ctx.hooks.url('/answer-legacy') });
    const [req] = await ctx.hooks.waitFor((r) => r.path === '/answer-legacy' && r.fields.CallSid === call.sid,
      { what: 'the answer webhook' });
    assert.equal(req.fields.Called, to);
    assert.equal(req.fields.Caller, FROM);
    assert.match(req.headers['content-type'], /^application\/x-www-form-urlencoded/);
  });

  it('a completed status callback has Timestamp, CallDuration and Duration', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM,
      twiml: '<Response><Pause length="1"/></Response>', statusCallback: ctx.hooks.url('/status-fields') });
    const [req] = await ctx.hooks.waitFor((r) => r.path === '/status-fields' && r.fields.CallSid === call.sid,
      { timeoutMs: 8000, what: 'the completed callback' });
    const schema = require('../lib/schema');
    assert.equal(req.fields.CallStatus, 'completed');
    assert.ok(schema.isRfc2822(req.fields.Timestamp), `Timestamp ${req.fields.Timestamp}`);
    assert.match(req.fields.CallDuration, /^\d+$/);
    assert.match(req.fields.Duration, /^\d+$/);
    assert.equal(req.fields.SequenceNumber, '0');
  });

  it('when Url fails, FallbackUrl is requested with ErrorCode and ErrorUrl', async () => {
    ctx.hooks.route('/broken', { status: 500, body: 'oops', contentType: 'text/plain' });
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM,
      url: ctx.hooks.url('/broken'), fallbackUrl: ctx.hooks.url('/fallback') });
    const [req] = await ctx.hooks.waitFor((r) => r.path === '/fallback' && r.fields.CallSid === call.sid,
      { what: 'the fallback request' });
    assert.equal(req.signatureValid, true);
    assert.equal(req.fields.ErrorUrl, ctx.hooks.url('/broken'));
    assert.match(req.fields.ErrorCode, /^1\d{4}$/);
    assert.equal((await ctx.client.calls(call.sid).fetch()).status, 'in-progress', 'the fallback TwiML holds the call');
  });

  it('40 concurrent creates through the SDK all succeed with distinct sids', async () => {
    const calls = await Promise.all(Array.from({ length: 40 }, () =>
      ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML })));
    assert.equal(new Set(calls.map((c) => c.sid)).size, 40);
    await Promise.all(calls.map((c) => ctx.client.calls(c.sid).update({ status: 'canceled' })));
  });
});
