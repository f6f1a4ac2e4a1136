'use strict';
// Twilio's failures on demand (docs/faults.md), through the official Node SDK: what the app
// sees for each fault kind, and that nothing else changed (or, for "applied, answer lost",
// exactly what did). Webhook signature faults and token rotation at the end.

const { describe, it, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const twilio = require('twilio');
const { useDialtone, uniqueNumber, rejectsRest, FROM } = require('../lib/common');
const { DialtoneRequestClient, controlRequest, startDialtone, HOLD_TWIML } = require('../lib/dialtone');

const ctx = useDialtone({ args: ['--clock', 'manual'] });

const control = (method, path, form) => controlRequest(ctx.dt.baseUrl, method, path, form);

async function addRule(rule) {
  const r = await control('POST', '/faults', rule);
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function rules() {
  const r = await control('GET', '/faults');
  assert.equal(r.status, 200, r.text);
  return r.json.rules;
}

async function journal(type) {
  const r = await control('GET', `/events${type ? `?type=${type}` : ''}`);
  assert.equal(r.status, 200, r.text);
  return r.json.events;
}

/** The calls of the account and every journal event but the faults' own. */
async function world() {
  const calls = await ctx.api.list('PageSize=1000');
  assert.equal(calls.status, 200, calls.text);
  const events = (await journal()).filter((e) => e.type !== 'fault.injected');
  return { calls: calls.json.calls.map((c) => `${c.sid} ${c.status}`), events: events.map((e) => e.seq) };
}

/** An SDK client on its own RequestClient, with RequestClient options (timeout, autoRetry). */
function sdk(opts = {}, sid = ctx.dt.accountSid, token = ctx.dt.authToken) {
  return twilio(sid, token, { httpClient: new DialtoneRequestClient(ctx.dt.baseUrl, opts) });
}

/** The error a promise rejects with (fails when it resolves). */
async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected the request to fail, but it succeeded');
}

beforeEach(async () => {
  assert.equal((await control('POST', '/reset')).status, 200);  // calls, journal, faults
});

describe('status faults', () => {
  it('429 / 20429 with Retry-After: the SDK throws, nothing is created, the next try works', async () => {
    await addRule({ Method: 'POST', Route: 'Calls', Kind: 'status', Status: '429', Times: '1' });
    const before = await world();
    const to = uniqueNumber();
    const err = await rejectsRest(ctx.client.calls.create({ to, from: FROM, twiml: HOLD_TWIML }),
      429, 20429);
    assert.equal(err.message, 'Too Many Requests');
    const exchange = ctx.client.httpClient.last;
    assert.equal(exchange.statusCode, 429);
    assert.equal(exchange.headers['retry-after'], '1');
    assert.deepEqual(await world(), before, 'nothing changed');
    const [fault] = await journal('fault.injected');
    assert.equal(fault.fields.kind, 'status');
    assert.equal(fault.fields.status, '429');
    assert.equal(fault.fields.code, '20429');
    assert.equal(fault.fields.applied, 'false');
    assert.equal(fault.fields.method, 'POST');
    assert.equal(fault.fields.path, `/2010-04-01/Accounts/${ctx.dt.accountSid}/Calls.json`);
    assert.equal(fault.call_sid, null);

    const call = await ctx.client.calls.create({ to, from: FROM, twiml: HOLD_TWIML });
    assert.match(call.sid, /^CA[0-9a-f]{32}$/);
    const [rule] = await rules();
    assert.deepEqual([rule.matched, rule.injected, rule.remaining], [1, 1, 0]);
  });

  it("twilio-node's autoRetry rides out 429s: one call, two faults", async () => {
    await addRule({ Method: 'POST', Route: 'Calls', Kind: 'status', Status: '429', Times: '2' });
    const client = sdk({ autoRetry: true, maxRetries: 3 });
    const to = uniqueNumber();
    const call = await client.calls.create({ to, from: FROM, twiml: HOLD_TWIML });
    assert.equal(call.to, to);
    assert.equal((await ctx.client.calls.list({ to })).length, 1);
    assert.equal((await journal('fault.injected')).length, 2);
  });

  it('500 / 20500 applied, answer lost: the SDK throws but the call exists (a retry doubles it)', async () => {
    await addRule({ Method: 'POST', Route: 'Calls', Kind: 'status', Status: '500', Applied: 'true',
      Times: '1' });
    const to = uniqueNumber();
    await rejectsRest(ctx.client.calls.create({ to, from: FROM, twiml: HOLD_TWIML }), 500, 20500);
    const listed = await ctx.client.calls.list({ to });
    assert.equal(listed.length, 1, 'the create took effect');
    const [fault] = await journal('fault.injected');
    assert.equal(fault.call_sid, listed[0].sid, 'the journal ties the fault to the call');
    assert.equal(fault.fields.applied, 'true');
    assert.equal(fault.fields.real_status, '201');
    // What twilio-java does on a 5xx: retry the create. Now there are two calls.
    await ctx.client.calls.create({ to, from: FROM, twiml: HOLD_TWIML });
    assert.equal((await ctx.client.calls.list({ to })).length, 2);
  });

  it('503 / 20503 not applied: the SDK throws and no call is created', async () => {
    await addRule({ Method: 'POST', Route: 'Calls', Kind: 'status', Status: '503' });
    const before = await world();
    const to = uniqueNumber();
    for (let i = 0; i < 2; i += 1) {  // no Times: every matching request
      await rejectsRest(ctx.client.calls.create({ to, from: FROM, twiml: HOLD_TWIML }), 503, 20503);
    }
    assert.equal(ctx.client.httpClient.last.headers['retry-after'], undefined);
    assert.deepEqual(await world(), before, 'nothing changed');
    assert.equal((await journal('fault.injected')).length, 2);
    // Other routes are untouched.
    assert.deepEqual(await ctx.client.calls.list({ to }), []);
  });

  it('an update fault leaves the call as it was', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
    await addRule({ Method: 'POST', Route: 'Calls/{Sid}', Kind: 'status', Status: '503', Times: '1' });
    await rejectsRest(ctx.client.calls(call.sid).update({ status: 'canceled' }), 503, 20503);
    assert.notEqual((await ctx.client.calls(call.sid).fetch()).status, 'canceled');
    assert.equal((await ctx.client.calls(call.sid).update({ status: 'canceled' })).status, 'canceled');
  });
});

describe('latency, reset, hang', () => {
  it('latency: the real answer, LatencyMs late', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
    await addRule({ Method: 'GET', Route: 'Calls/{Sid}', Kind: 'latency', LatencyMs: '600', Times: '1' });
    let started = Date.now();
    const fetched = await ctx.client.calls(call.sid).fetch();
    const slow = Date.now() - started;
    assert.equal(fetched.sid, call.sid);
    assert.ok(slow >= 600, `answered after ${slow} ms`);
    started = Date.now();
    await ctx.client.calls(call.sid).fetch();
    const fast = Date.now() - started;
    assert.ok(fast < 300, `the next one is not delayed (${fast} ms)`);
    const [fault] = await journal('fault.injected');
    assert.equal(fault.fields.kind, 'latency');
    assert.equal(fault.fields.latency_ms, '600');
    assert.equal(fault.call_sid, call.sid);
  });

  it('reset: the SDK gets a connection error and nothing is created', async () => {
    await addRule({ Method: 'POST', Route: 'Calls', Kind: 'reset', Times: '1' });
    const before = await world();
    const err = await rejection(ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML }));
    assert.notEqual(err.constructor.name, 'RestException', String(err));
    assert.equal(err.code, 'ECONNRESET', `${err.code}: ${err.message}`);
    assert.deepEqual(await world(), before, 'nothing changed');
    assert.equal((await journal('fault.injected'))[0].fields.kind, 'reset');
    assert.ok(await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML }));
  });

  it('reset, applied: the connection drops but the update took effect', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
    await addRule({ Method: 'POST', Route: 'Calls/{Sid}', Kind: 'reset', Applied: 'true', Times: '1' });
    const err = await rejection(ctx.client.calls(call.sid).update({ status: 'canceled' }));
    assert.equal(err.code, 'ECONNRESET', `${err.code}: ${err.message}`);
    assert.equal((await ctx.client.calls(call.sid).fetch()).status, 'canceled');
  });

  it('hang: no answer until the SDK gives up; nothing changed', async () => {
    await addRule({ Method: 'POST', Route: 'Calls', Kind: 'hang', Times: '1' });
    const before = await world();
    const client = sdk({ timeout: 700 });
    const started = Date.now();
    const err = await rejection(client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML }));
    const waited = Date.now() - started;
    assert.notEqual(err.constructor.name, 'RestException', String(err));
    assert.match(`${err.code} ${err.message}`, /ECONNABORTED|ETIMEDOUT|timeout/i);
    assert.ok(waited >= 650, `gave up after ${waited} ms`);
    assert.deepEqual(await world(), before, 'nothing changed');
    assert.equal((await journal('fault.injected'))[0].fields.kind, 'hang');
    // The server is fine: the next request is answered.
    assert.ok(await client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML }));
  });
});

// SplitMix64 as docs/faults.md defines the draw: request n of a rule (from 0) fails when
// (splitmix64(seed, n) >> 11) / 2^53 < probability.
function draw(seed, n, probability) {
  const mask = (1n << 64n) - 1n;
  let z = (BigInt(seed) + (BigInt(n) + 1n) * 0x9E3779B97F4A7C15n) & mask;
  z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & mask;
  z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & mask;
  z ^= z >> 31n;
  return Number(z >> 11n) / 2 ** 53 < probability;
}

describe('seeded probability', () => {
  async function run(callSid) {
    await control('DELETE', '/faults');
    await addRule({ Method: 'GET', Route: 'Calls/{Sid}', Kind: 'status', Status: '500',
      Probability: '0.5', Seed: '20260517' });
    const outcome = [];
    for (let i = 0; i < 24; i += 1) {
      try {
        await ctx.client.calls(callSid).fetch();
        outcome.push('ok');
      } catch (e) {
        assert.equal(e.status, 500, String(e));
        outcome.push('500');
      }
    }
    return outcome;
  }

  it('the same seed fails the same requests on every run, as the documented draw says', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
    const first = await run(call.sid);
    const second = await run(call.sid);
    assert.deepEqual(second, first);
    assert.ok(first.includes('ok') && first.includes('500'), first.join(' '));
    assert.deepEqual(first, first.map((_, n) => (draw(20260517, n, 0.5) ? '500' : 'ok')));
  });

  it('a rule without a seed gets one, shown so the run can be replayed', async () => {
    const rule = await addRule({ Kind: 'reset', Probability: '0.1' });
    assert.equal(typeof rule.seed, 'number');
    assert.ok(Number.isSafeInteger(rule.seed));
  });
});

describe('the control API refuses malformed rules', () => {
  it('400 naming the field; nothing is added', async () => {
    for (const [rule, field] of [
      [{ Kind: 'status' }, /^Status /],
      [{ Kind: 'status', Status: '600' }, /^Status /],
      [{ Kind: 'later' }, /^Kind /],
      [{ Kind: 'reset', Route: 'Calls/{CallSid}' }, /^Route /],
      [{ Kind: 'reset', Method: 'DELETE', Route: 'Calls' }, /^Method /],
      [{ Kind: 'reset', Probability: '1.5' }, /^Probability /],
      [{ Kind: 'reset', Times: 'three' }, /^Times /],
      [{ Kind: 'reset', Seed: '1' }, /^Seed /],
      [{ Kind: 'reset', Retries: '1' }, /Unknown parameter 'Retries'/],
    ]) {
      const r = await control('POST', '/faults', rule);
      assert.equal(r.status, 400, `${JSON.stringify(rule)}: ${r.text}`);
      assert.match(r.json.message, field, JSON.stringify(rule));
    }
    assert.deepEqual(await rules(), []);
  });
});

describe('webhook signature faults', () => {
  it('wrong-key: every webhook fails validation with the real token, until cleared', async () => {
    const signature = `/accounts/${ctx.dt.accountSid}/signature`;
    assert.equal((await control('POST', signature, { Fault: 'wrong-key' })).status, 200);
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM,
      url: ctx.hooks.url('/wrong-key'), statusCallback: ctx.hooks.url('/wrong-key-status'),
      statusCallbackEvent: ['ringing'] });
    const [hook] = await ctx.hooks.waitFor((r) => r.path === '/wrong-key-status' && r.fields.CallSid === call.sid);
    assert.equal(hook.signatureValid, false, 'the app must reject it');
    assert.equal(twilio.validateRequest(ctx.dt.authToken, hook.signature, hook.url, hook.params), false);
    assert.equal(twilio.validateRequest(`${ctx.dt.authToken}-wrong-key`, hook.signature, hook.url,
      hook.params), true, 'signed with the documented wrong key');

    assert.equal((await control('POST', signature, { Fault: 'none' })).status, 200);
    assert.equal((await control('POST', `/calls/${call.sid}/answer`)).status, 200);
    const [voice] = await ctx.hooks.waitFor((r) => r.path === '/wrong-key' && r.fields.CallSid === call.sid);
    assert.equal(voice.signatureValid, true);
  });
});

describe('token rotation', () => {
  it("Twilio's endpoints: the secondary is accepted, promoted, then webhooks use it and the old token is 20003", async () => {
    const created = await control('POST', '/accounts', { FriendlyName: 'rotation' });
    assert.equal(created.status, 201, created.text);
    const { sid, auth_token: oldToken } = created.json;
    const oldClient = sdk({}, sid, oldToken);

    const secondary = await oldClient.accounts.v1.secondaryAuthToken().create();
    assert.equal(secondary.accountSid, sid);
    assert.match(secondary.secondaryAuthToken, /^[0-9a-f]{32}$/);
    assert.equal(secondary.url, 'https://accounts.twilio.com/v1/AuthTokens/Secondary');
    const newToken = secondary.secondaryAuthToken;
    const newClient = sdk({}, sid, newToken);
    assert.deepEqual(await newClient.calls.list(), [], 'the secondary token authenticates');
    assert.deepEqual(await oldClient.calls.list(), [], 'and so does the primary, still');

    const promoted = await newClient.accounts.v1.authTokenPromotion().update();
    assert.equal(promoted.authToken, newToken);
    await rejectsRest(oldClient.calls.list(), 401, 20003);

    const call = await newClient.calls.create({ to: uniqueNumber(), from: FROM,
      url: ctx.hooks.url('/rotated') });
    assert.equal((await control('POST', `/calls/${call.sid}/answer`)).status, 200);
    const [hook] = await ctx.hooks.waitFor((r) => r.path === '/rotated' && r.fields.CallSid === call.sid);
    assert.equal(twilio.validateRequest(newToken, hook.signature, hook.url, hook.params), true,
      'signed with the new primary');
    assert.equal(twilio.validateRequest(oldToken, hook.signature, hook.url, hook.params), false);
  });

  it('the control API: set a secondary token, promote it', async () => {
    const created = await control('POST', '/accounts', { FriendlyName: 'rotation 2' });
    const { sid, auth_token: oldToken } = created.json;
    const set = await control('POST', `/accounts/${sid}/secondary-token`, { Token: 'next-token-2' });
    assert.equal(set.status, 201, set.text);
    assert.deepEqual(await sdk({}, sid, 'next-token-2').calls.list(), []);
    const promoted = await control('POST', `/accounts/${sid}/promote`);
    assert.equal(promoted.status, 200, promoted.text);
    assert.equal(promoted.json.auth_token, 'next-token-2');
    await rejectsRest(sdk({}, sid, oldToken).calls.list(), 401, 20003);
    assert.equal((await control('POST', `/accounts/${sid}/promote`)).status, 409);
  });
});

describe('token rotation with --data-dir', () => {
  it('a token promoted through /v1/AuthTokens is the one that works after a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dialtone-rotation-'));
    const args = ['--data-dir', dir];
    try {
      const first = await startDialtone({ args });
      const created = await controlRequest(first.baseUrl, 'POST', '/accounts', { FriendlyName: 'kept' });
      const { sid, auth_token: oldToken } = created.json;
      const client = (dt, token) => twilio(sid, token, { httpClient: new DialtoneRequestClient(dt.baseUrl) });
      const { secondaryAuthToken: newToken } = await client(first, oldToken).accounts.v1.secondaryAuthToken().create();
      await client(first, newToken).accounts.v1.authTokenPromotion().update();
      const { secondaryAuthToken: nextToken } = await client(first, newToken).accounts.v1.secondaryAuthToken().create();
      await first.stop();

      const second = await startDialtone({ args });
      try {
        assert.deepEqual(await client(second, newToken).calls.list(), [], 'the promoted primary');
        assert.deepEqual(await client(second, nextToken).calls.list(), [], 'the new secondary');
        await rejectsRest(client(second, oldToken).calls.list(), 401, 20003);
      } finally {
        await second.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
