'use strict';
// Each account is a world of its own (docs/accounts.md): its clock, timers, scripted callees,
// numbers, limits, journal and reset. Several test workers share one dialtone, each in an
// account it made with POST /_dialtone/accounts, and never see each other.
// The last test is the proof the issue asks for: 8 workers run an IVR-and-queue scenario at
// once, 20 rounds, and each worker's journal is the one it gives running alone.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const twilio = require('twilio');
const { useDialtone, rejectsRest } = require('../lib/common');
const { twilioClient } = require('../lib/dialtone');
const { Dialtone } = require('../../../clients/node');

const ctx = useDialtone();

/** A control request with a JSON body (or a query for GET); returns {status, json}. */
async function control(method, path, body) {
  const init = { method, headers: {} };
  let url = `${ctx.dt.baseUrl}/_dialtone${path}`;
  if (body !== undefined && (method === 'GET' || method === 'DELETE')) {
    url += (url.includes('?') ? '&' : '?') + new URLSearchParams(body).toString();
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function ok(method, path, body, status = 200) {
  const r = await control(method, path, body);
  assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.json)}`);
  return r.json;
}

/** A fresh isolated account with a manual clock: what a test worker asks for first. */
async function newAccount(extra = {}) {
  const a = await ok('POST', '/accounts', { Clock: 'manual', ...extra }, 201);
  a.client = twilioClient(ctx.dt.baseUrl, a.sid, a.auth_token);
  return a;
}

const xml = (body) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

describe('accounts are isolated worlds', () => {
  it('a new account has its own manual clock, seed and world', async () => {
    const a = await newAccount({ Seed: '42' });
    assert.equal(a.clock.mode, 'manual');
    assert.equal(a.seed, '42');
    assert.equal(a.world_sid, a.sid);
    const sub = await ok('POST', '/accounts', { OwnerAccountSid: a.sid }, 201);
    assert.equal(sub.world_sid, a.sid, 'a subaccount lives in its owner\'s world');
    const listed = (await ok('GET', '/accounts')).accounts.find((x) => x.sid === a.sid);
    assert.equal(listed.clock.mode, 'manual');
    const one = await ok('GET', `/accounts/${a.sid}`);
    assert.equal(one.world_sid, a.sid);
    // The default account keeps the configured (real) clock.
    assert.equal((await ok('GET', '/clock')).mode, 'real');
  });

  it('advancing one account\'s clock moves only its time and fires only its timers', async () => {
    const a = await newAccount();
    const b = await newAccount();
    const hold = xml('<Pause length="600"/>');
    const ca = await a.client.calls.create({ to: '+14155550100', from: '+14155550199', twiml: hold });
    const cb = await b.client.calls.create({ to: '+14155550100', from: '+14155550199', twiml: hold });
    const tb = (await ok('GET', '/clock', { AccountSid: b.sid })).now_ms;
    const adv = await ok('POST', '/clock/advance', { AccountSid: a.sid, Seconds: 5 });
    // (A call dials the instant it is created; the advance fired A's answer.)
    assert.ok(adv.timers_fired >= 1, `A's answer fired (${adv.timers_fired})`);
    assert.equal((await a.client.calls(ca.sid).fetch()).status, 'in-progress');
    assert.equal((await b.client.calls(cb.sid).fetch()).status, 'ringing', 'B\'s callee waits for B\'s time');
    assert.equal((await ok('GET', '/clock', { AccountSid: b.sid })).now_ms, tb, 'B\'s time did not move');
    await ok('POST', '/clock/advance', { AccountSid: b.sid, Seconds: 5 });
    assert.equal((await b.client.calls(cb.sid).fetch()).status, 'in-progress');
    // A real clock for one account does not change another's.
    await ok('POST', '/clock', { AccountSid: a.sid, Mode: 'real' });
    assert.equal((await ok('GET', '/clock', { AccountSid: b.sid })).mode, 'manual');
  });

  it('scripted callees, numbers and limits are each account\'s own', async () => {
    const a = await newAccount();
    const b = await newAccount();
    await ok('POST', '/behaviors', { AccountSid: a.sid, Number: '+14155550111', Outcome: 'busy' }, 201);
    assert.equal((await ok('GET', '/behaviors', { AccountSid: b.sid })).behaviors.length, 0);
    // The same number in two worlds: each worker may script the same phone book.
    await ok('POST', '/numbers', { AccountSid: a.sid, PhoneNumber: '+14155550700', VoiceUrl: ctx.hooks.url('/a') }, 201);
    await ok('POST', '/numbers', { AccountSid: b.sid, PhoneNumber: '+14155550700', VoiceUrl: ctx.hooks.url('/b') }, 201);
    await ok('POST', '/limits', { AccountSid: a.sid, CallsPerSecond: 1 });
    assert.equal((await ok('GET', '/limits', { AccountSid: b.sid })).calls_per_second, 0);

    const ca = await a.client.calls.create({ to: '+14155550111', from: '+14155550199', twiml: xml('<Pause length="60"/>') });
    const cb = await b.client.calls.create({ to: '+14155550111', from: '+14155550199', twiml: xml('<Pause length="60"/>') });
    await ok('POST', '/clock/advance', { AccountSid: a.sid, Seconds: 3 });
    await ok('POST', '/clock/advance', { AccountSid: b.sid, Seconds: 3 });
    assert.equal((await a.client.calls(ca.sid).fetch()).status, 'busy');
    assert.equal((await b.client.calls(cb.sid).fetch()).status, 'in-progress');

    ctx.hooks.route('/a', xml('<Pause length="60"/>'));
    ctx.hooks.route('/b', xml('<Pause length="60"/>'));
    const inbound = await ok('POST', '/calls', { AccountSid: b.sid, From: '+14155550199', To: '+14155550700' }, 201);
    assert.equal(inbound.account_sid, b.sid);
    await ctx.hooks.waitFor((q) => q.path === '/b' && q.fields.CallSid === inbound.sid, { what: 'B\'s number' });
  });

  it('a reset names one account; without one it resets everything', async () => {
    const a = await newAccount();
    const b = await newAccount();
    const hold = xml('<Pause length="600"/>');
    const ca = await a.client.calls.create({ to: '+14155550100', from: '+14155550199', twiml: hold });
    const cb = await b.client.calls.create({ to: '+14155550100', from: '+14155550199', twiml: hold });
    await ok('POST', '/behaviors', { AccountSid: a.sid, Number: '+14155550111', Outcome: 'busy' }, 201);
    await ok('POST', '/clock/advance', { AccountSid: a.sid, Seconds: 30 });
    const ta = (await ok('GET', '/clock', { AccountSid: a.sid })).now_ms;
    await ok('POST', '/reset', { AccountSid: a.sid });
    await rejectsRest(a.client.calls(ca.sid).fetch(), 404, 20404);
    assert.equal((await b.client.calls(cb.sid).fetch()).sid, cb.sid, 'B kept its call');
    assert.equal((await ok('GET', '/behaviors', { AccountSid: a.sid })).behaviors.length, 0);
    assert.equal((await ok('GET', '/clock', { AccountSid: a.sid })).now_ms, ta, 'A\'s time stays');
    const journal = await ok('GET', '/events', { AccountSid: a.sid });
    assert.equal(journal.events.length, 0);
  });

  it('deleting an account frees everything it held', async () => {
    const a = await newAccount();
    const sub = await ok('POST', '/accounts', { OwnerAccountSid: a.sid }, 201);
    const call = await a.client.calls.create({ to: '+14155550100', from: '+14155550199', twiml: xml('<Pause length="600"/>') });
    await ok('POST', '/clock/advance', { AccountSid: a.sid, Seconds: 5 });
    await ok('DELETE', `/accounts/${a.sid}`);
    assert.equal((await control('GET', `/accounts/${a.sid}`)).status, 404);
    assert.equal((await control('GET', `/accounts/${sub.sid}`)).status, 404, 'its subaccount went too');
    await rejectsRest(a.client.calls(call.sid).fetch(), 401, 20003);
    assert.equal((await ok('GET', '/events', { call_sid: call.sid })).events.length, 0);
    assert.equal((await control('POST', '/clock/advance', { AccountSid: a.sid, Seconds: 1 })).status, 404);
    assert.equal((await control('DELETE', `/accounts/${ctx.dt.accountSid}`)).status, 400,
      'the default account stays');
  });
});

// ---------------------------------------------------------------- 8 workers, 20 rounds

const WORKERS = 8;
const ROUNDS = 20;
const IVR_NUMBER = '+14155550800';  // every worker's IVR has the same number, in its own world
const CALLER = '+14155550801';
const AGENT = '+14155550802';

/** Webhook routes of worker `w`, under its own path prefix on the shared webhook app. */
function routeWorker(w) {
  const { hooks } = ctx;
  const p = (s) => `/w${w}${s}`;
  hooks.route(p('/voice'), xml(`<Gather numDigits="1" timeout="5" action="${hooks.url(p('/menu'))}">` +
    '<Say>Press 2 for sales.</Say></Gather><Say>Goodbye.</Say>'));
  hooks.route(p('/menu'), (req) => (req.fields.Digits === '2'
    ? xml(`<Enqueue waitUrl="${hooks.url(p('/hold'))}" action="${hooks.url(p('/left'))}">sales</Enqueue>`)
    : xml('<Hangup/>')));
  hooks.route(p('/hold'), xml('<Play>https://example.com/hold.mp3</Play>'));
  hooks.route(p('/left'), xml('<Say>Goodbye.</Say><Hangup/>'));
  hooks.route(p('/agent'), xml(`<Dial><Queue>sales</Queue></Dial>`));
  hooks.route(p('/status'), '');
  return p;
}

/**
 * The whole scenario of one worker in a fresh account; returns its journal, normalized. Written
 * with the client library (clients/node), as a suite's worker would.
 */
async function runWorker(w) {
  const p = routeWorker(w);
  const dt = new Dialtone({ baseUrl: ctx.dt.baseUrl, twilio });
  const a = await dt.account({ clock: 'manual', seed: 1000 + w });
  const waitFor = (sid, cond) => a.waitFor(sid, cond, { timeout: 10 });
  await a.number(IVR_NUMBER, { voiceUrl: ctx.hooks.url(p('/voice')), statusCallback: ctx.hooks.url(p('/status')) });
  await a.callee(CALLER).behaves({ gather: ['2'] });
  await a.callee(AGENT).behaves({ answerAfter: 2 });

  const caller = await a.inbound({ from: CALLER, to: IVR_NUMBER });
  await waitFor(caller.sid, 'verb:verb=Gather');
  await a.advance(5);
  await waitFor(caller.sid, 'verb:verb=Enqueue');
  await a.advance(12);  // hold music loops
  const agent = await a.client.calls.create({ to: AGENT, from: '+14155550803', url: ctx.hooks.url(p('/agent')) });
  await a.advance(5);  // the agent answers and takes the caller from the queue
  await waitFor(caller.sid, 'queue:result=bridged');
  await a.advance(30);
  await a.client.calls(agent.sid).update({ status: 'completed' });
  await a.advance(5);
  await waitFor(caller.sid, 'status:completed');
  await waitFor(agent.sid, 'status:completed');

  const journal = await a.events();
  await a.close();
  return normalize(journal, a);
}

/**
 * What must be the same run after run: everything but what is not the account's own to decide
 * (its sid, token and so signatures; the process-wide seq, webhook ids and request ids; wall
 * time and latencies).
 */
function normalize(events, account) {
  const drop = new Set(['id', 'latency_ms', 'signature', 'request_id']);
  return events.map((e) => {
    const fields = {};
    for (const [k, v] of Object.entries(e.fields)) {
      if (!drop.has(k)) fields[k] = String(v).split(account.sid).join('<account>');
    }
    return { call_sid: e.call_sid, type: e.type, at_ms: e.at_ms, fields };
  });
}

describe('parallel test workers, one dialtone', () => {
  it(`${WORKERS} workers x ${ROUNDS} rounds: each journal equals the worker's journal alone`, async () => {
    const alone = [];
    for (let w = 0; w < WORKERS; w += 1) alone.push(await runWorker(w));
    for (let w = 0; w < WORKERS; w += 1) {
      assert.ok(alone[w].length > 30, `worker ${w}: ${alone[w].length} events`);
      assert.ok(alone[w].some((e) => e.type === 'queue' && e.fields.result === 'bridged'));
    }
    // Same seed, same scenario, another account: the same sids and times (only the account differs).
    assert.deepEqual(alone[0].map((e) => e.call_sid).filter(Boolean).slice(0, 3),
      (await runWorker(0)).map((e) => e.call_sid).filter(Boolean).slice(0, 3));
    const started = Date.now();
    for (let round = 0; round < ROUNDS; round += 1) {
      const journals = await Promise.all([...Array(WORKERS).keys()].map((w) => runWorker(w)));
      for (let w = 0; w < WORKERS; w += 1) {
        assert.deepEqual(journals[w], alone[w], `round ${round}, worker ${w}: the journal differs from its run alone`);
      }
    }
    process.stderr.write(`# ${WORKERS} workers x ${ROUNDS} rounds in ${Date.now() - started} ms\n`);
  });
});
