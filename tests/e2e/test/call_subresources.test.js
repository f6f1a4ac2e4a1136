'use strict';
// Every subresource a Call links in subresource_uris answers (issue 16 §3), through the
// official SDK: Siprec, Transcriptions, Payments, UserDefinedMessages and their Subscriptions
// are kept with Twilio's shapes and status codes, and a Notification of the call says what
// dialtone does not emulate (docs/streams.md). Lists the spec gives no GET answer 405, not 404.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { useDialtone, rejectsRest, FROM, uniqueNumber } = require('../lib/common');

const ctx = useDialtone({ args: ['--clock', 'manual'] });

async function liveCall() {
  const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM,
    twiml: '<Response><Pause length="600"/></Response>' });
  const r = await fetch(`${ctx.dt.baseUrl}/_dialtone/clock/advance`, { method: 'POST',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ Seconds: 1 }) });
  assert.equal(r.status, 200);
  return call.sid;
}

describe('Call subresources', () => {
  it('Siprec and Transcriptions: create 200, stop by name 200, unknown 404', async () => {
    const sid = await liveCall();
    const sr = await ctx.client.calls(sid).siprec.create({ connectorName: 'c', name: 'rec' });
    assert.match(sr.sid, /^SR[0-9a-f]{32}$/);
    assert.equal(sr.status, 'in-progress');
    assert.equal(sr.name, 'rec');
    const stopped = await ctx.client.calls(sid).siprec('rec').update({ status: 'stopped' });
    assert.equal(stopped.sid, sr.sid);
    assert.equal(stopped.status, 'stopped');
    const gt = await ctx.client.calls(sid).transcriptions.create({ track: 'both_tracks' });
    assert.match(gt.sid, /^GT[0-9a-f]{32}$/);
    assert.equal(gt.name, null);
    assert.equal((await ctx.client.calls(sid).transcriptions(gt.sid).update({ status: 'stopped' })).status,
      'stopped');
    await rejectsRest(ctx.client.calls(sid).transcriptions('nope').update({ status: 'stopped' }), 404, 20404);
    const notes = await ctx.client.calls(sid).notifications.list();
    assert.equal(notes.filter((n) => n.errorCode === '12200' && n.log === '1').length, 1,
      'Siprec, not emulated, is a warning of the call; a Transcription transcribes ' +
      '(docs/conversations.md)');
  });

  it('Payments: create 201, update 202, both need IdempotencyKey and StatusCallback', async () => {
    const sid = await liveCall();
    const cb = ctx.hooks.url('/pay');
    const pk = await ctx.client.calls(sid).payments.create({ idempotencyKey: 'k1', statusCallback: cb });
    assert.match(pk.sid, /^PK[0-9a-f]{32}$/);
    const updated = await ctx.client.calls(sid).payments(pk.sid).update({ idempotencyKey: 'k2',
      statusCallback: cb, status: 'complete' });
    assert.equal(updated.sid, pk.sid);
    const raw = await ctx.api.request('POST', `${ctx.api.callsPath}/${sid}/Payments.json`,
      { form: { IdempotencyKey: 'k3' } });
    assert.equal(raw.status, 400);
    assert.equal(raw.json.code, 20001);
  });

  it('UserDefinedMessages 201; Subscriptions 201 and delete 204; an ended call is 21220', async () => {
    const sid = await liveCall();
    const kx = await ctx.client.calls(sid).userDefinedMessages.create({ content: '{"hi":1}' });
    assert.match(kx.sid, /^KX[0-9a-f]{32}$/);
    const zy = await ctx.client.calls(sid).userDefinedMessageSubscriptions.create({
      callback: ctx.hooks.url('/udm') });
    assert.match(zy.sid, /^ZY[0-9a-f]{32}$/);
    assert.equal(await ctx.client.calls(sid).userDefinedMessageSubscriptions(zy.sid).remove(), true);
    await ctx.client.calls(sid).update({ status: 'completed' });
    await rejectsRest(ctx.client.calls(sid).userDefinedMessages.create({ content: '{}' }), 400, 21220);
  });

  it('no URI in subresource_uris answers 404 to the method the spec gives it', async () => {
    const sid = await liveCall();
    const call = await ctx.client.calls(sid).fetch();
    const uris = call.subresourceUris;
    const specMethod = {
      notifications: 'GET', events: 'GET', recordings: 'GET', streams: 'POST', siprec: 'POST', transcriptions: 'POST',
      payments: 'POST', user_defined_messages: 'POST', user_defined_message_subscriptions: 'POST',
    };
    for (const [key, method] of Object.entries(specMethod)) {
      const r = await ctx.api.request(method, uris[key], method === 'POST' ? { form: {} } : {});
      assert.notEqual(r.status, 404, `${method} ${key}: ${r.text}`);
      if (method === 'POST') {
        // Siprec and Transcriptions have no required parameter; the others answer 400 20001.
        assert.ok([200, 400].includes(r.status), `${key}: ${r.status} ${r.text}`);
        const get = await ctx.api.request('GET', uris[key]);
        assert.equal(get.status, 405, `GET ${key} is not in the spec`);
        assert.equal(get.headers.get('allow'), 'POST');
      } else {
        assert.equal(r.status, 200, `${key}`);
      }
    }
  });
});
