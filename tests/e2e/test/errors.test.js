'use strict';
// Twilio's error responses for the Calls resource: HTTP status, code, message, envelope.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { useDialtone, uniqueNumber, rejectsRest, FROM } = require('../lib/common');
const { twilioClient, HOLD_TWIML } = require('../lib/dialtone');
const schema = require('../lib/schema');

const ctx = useDialtone();
const UNKNOWN = 'CA' + 'f'.repeat(32);

/** Asserts a raw JSON error response: HTTP status, Twilio code, envelope. */
function assertError(r, status, code, message) {
  const text = r.text.length > 400 ? `${r.text.slice(0, 400)}...` : r.text;
  assert.equal(r.status, status, `HTTP status; body: ${text}`);
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  assert.equal(schema.errorProblem(r.json, status), null, `error envelope: ${text}`);
  if (code !== undefined) assert.equal(r.json.code, code, `code; body: ${text}`);
  if (message instanceof RegExp) assert.match(r.json.message, message);
  else if (message) assert.equal(r.json.message, message);
}

describe('20404: unknown call', () => {
  it('fetch: RestException 404 / 20404 naming the requested path', async () => {
    const err = await rejectsRest(ctx.client.calls(UNKNOWN).fetch(), 404, 20404);
    assert.equal(err.message,
      `The requested resource /2010-04-01/Accounts/${ctx.dt.accountSid}/Calls/${UNKNOWN}.json was not found`);
  });

  it('update: RestException 404 / 20404', async () => {
    await rejectsRest(ctx.client.calls(UNKNOWN).update({ status: 'completed' }), 404, 20404);
  });

  it('a malformed sid is also 20404', async () => {
    const r = await ctx.api.fetchCall('CAnot-a-sid');
    assertError(r, 404, 20404);
  });
});

describe('21220: update of a call that has ended', () => {
  it('Status=completed on a canceled call', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
    await ctx.client.calls(call.sid).update({ status: 'canceled' });
    const err = await rejectsRest(ctx.client.calls(call.sid).update({ status: 'completed' }), 400, 21220);
    assert.equal(err.message, 'Call is not in-progress. Cannot redirect.');
  });

  it('Url redirect and Status=canceled on a completed call', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
    await ctx.client.calls(call.sid).update({ status: 'canceled' });
    await rejectsRest(ctx.client.calls(call.sid).update({ url: ctx.hooks.url('/late') }), 400, 21220);
    await rejectsRest(ctx.client.calls(call.sid).update({ status: 'canceled' }), 400, 21220);
    await rejectsRest(ctx.client.calls(call.sid).update({ twiml: HOLD_TWIML }), 400, 21220);
  });
});

describe('20003: authentication', () => {
  it('wrong token: RestException 401 / 20003', async () => {
    const bad = twilioClient(ctx.dt.baseUrl, ctx.dt.accountSid, 'f'.repeat(32));
    await rejectsRest(bad.calls.list(), 401, 20003);
    await rejectsRest(bad.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML }), 401, 20003);
    assert.deepEqual(bad.httpClient.schemaViolations, []);
  });

  it('wrong token over raw HTTP: 401 with WWW-Authenticate and the error envelope', async () => {
    const r = await ctx.dt.api(ctx.dt.accountSid, 'wrong').list();
    assertError(r, 401, 20003);
    assert.equal(r.headers.get('www-authenticate'), 'Basic realm="Twilio API"');
  });

  it('no credentials: 401 / 20003', async () => {
    const r = await ctx.api.request('GET', `${ctx.api.callsPath}.json`, { auth: null });
    assertError(r, 401, 20003);
  });

  it('unknown account sid with its own token: 401 / 20003', async () => {
    const other = 'AC' + '1'.repeat(32);
    const r = await ctx.dt.api(other, ctx.dt.authToken).list();
    assertError(r, 401, 20003);
  });
});

describe('400: bad parameters on create', () => {
  const base = () => ({ To: uniqueNumber(), From: FROM, Url: ctx.hooks.url('/x') });

  it('missing To: 21201', async () => {
    const { To, ...form } = base();
    assertError(await ctx.api.create(form), 400, 21201, "No 'To' number is specified");
  });

  it('missing From: 21213', async () => {
    const { From, ...form } = base();
    assertError(await ctx.api.create(form), 400, 21213);
  });

  it('none of Url, Twiml, ApplicationSid: 21205', async () => {
    const { Url, ...form } = base();
    assertError(await ctx.api.create(form), 400, 21205,
      'Url parameter is required. For more information, see http://www.twilio.com/docs/api/twiml');
  });

  it('Url that is not a URL: 21205', async () => {
    assertError(await ctx.api.create({ ...base(), Url: 'not a url' }), 400, 21205, /not a valid URL/);
  });

  it('Timeout that is not a number: 21208 (through the SDK too)', async () => {
    assertError(await ctx.api.create({ ...base(), Timeout: 'abc' }), 400, 21208);
    await rejectsRest(ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML,
      timeout: 'abc' }), 400, 21208);
  });

  it('Method other than GET/POST: 21209', async () => {
    assertError(await ctx.api.create({ ...base(), Method: 'PUT' }), 400, 21209);
  });

  it('empty To through the SDK: RestException 400 / 21201', async () => {
    await rejectsRest(ctx.client.calls.create({ to: '', from: FROM, twiml: HOLD_TWIML }), 400, 21201);
  });

  it('invalid Status on update: 400', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
    const r = await ctx.api.update(call.sid, { Status: 'ringing' });
    assertError(r, 400);
    await ctx.client.calls(call.sid).update({ status: 'canceled' });
  });

  it('invalid PageToken on list: 400 / 21481', async () => {
    assertError(await ctx.api.list('PageSize=2&Page=1&PageToken=garbage'), 400, 21481);
  });
});

describe('other HTTP errors', () => {
  it('a method the resource does not have (PUT): 405 / 20004', async () => {
    const r = await ctx.api.request('PUT', `${ctx.api.callsPath}.json`, { form: 'To=1' });
    assertError(r, 405, 20004);
  });

  it('an unknown Twilio path: 404 / 20404', async () => {
    const r = await ctx.api.request('GET', `/2010-04-01/Accounts/${ctx.dt.accountSid}/NoSuchThing.json`);
    assertError(r, 404, 20404);
  });
});
