'use strict';
// How calls end, as the Calls resource shows it: the callee is busy, does not answer, fails,
// or hangs up. The callee is driven through the control API (/_dialtone/calls/{sid}/...), and
// the test waits on the call's journal (a blocking wait on the server), not on sleeps.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { useDialtone, uniqueNumber, rejectsRest, FROM } = require('../lib/common');
const { HOLD_TWIML, controlRequest } = require('../lib/dialtone');

const ctx = useDialtone();

const control = (method, path, form) => controlRequest(ctx.dt.baseUrl, method, path, form);

/** Server-side wait until the call reaches `status` (journal wait, 5 s cap). */
async function waitStatus(sid, status) {
  const r = await control('GET', `/calls/${sid}/events?wait_for=${encodeURIComponent(`status:${status}`)}&timeout=5`);
  assert.equal(r.status, 200, `waiting for ${sid} to be ${status}: ${r.text.slice(0, 300)}`);
}

async function ended(outcome, expectedStatus) {
  const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML,
    statusCallback: ctx.hooks.url(`/end-${outcome}`) });
  const r = await control('POST', `/calls/${call.sid}/${outcome}`);
  assert.ok(r.status >= 200 && r.status < 300, `POST /_dialtone/calls/{sid}/${outcome}: ${r.status} ${r.text}`);
  await waitStatus(call.sid, expectedStatus);
  const fetched = await ctx.client.calls(call.sid).fetch();
  assert.equal(fetched.status, expectedStatus);
  const [cb] = await ctx.hooks.waitFor((q) => q.path === `/end-${outcome}` && q.fields.CallSid === call.sid,
    { what: `the ${expectedStatus} callback` });
  assert.equal(cb.fields.CallStatus, expectedStatus);
  assert.equal(cb.signatureValid, true);
  return fetched;
}

describe('how a call ends', () => {
  for (const [outcome, status] of [['busy', 'busy'], ['no-answer', 'no-answer'], ['fail', 'failed']]) {
    it(`callee ${outcome}: the call is ${status}, never started, and cannot be updated`, async () => {
      const call = await ended(outcome, status);
      assert.equal(call.startTime, null, 'start_time stays null');
      assert.equal(call.price, null);
      await rejectsRest(ctx.client.calls(call.sid).update({ status: 'completed' }), 400, 21220);
      assert.equal(await ctx.client.calls(call.sid).remove(), true, 'an ended call can be deleted');
    });
  }

  it('callee answers and hangs up: completed, with a duration', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
    assert.equal((await control('POST', `/calls/${call.sid}/answer`)).status, 200);
    await waitStatus(call.sid, 'in-progress');
    assert.equal((await control('POST', `/calls/${call.sid}/hangup`)).status, 200);
    await waitStatus(call.sid, 'completed');
    const fetched = await ctx.client.calls(call.sid).fetch();
    assert.equal(fetched.status, 'completed');
    assert.ok(fetched.startTime instanceof Date);
    assert.ok(fetched.endTime instanceof Date);
    assert.match(fetched.duration, /^\d+$/);
  });

  it('Timeout elapses with no answer: no-answer (scripted callee that never answers)', async () => {
    const to = uniqueNumber();
    const b = await control('POST', '/behaviors', { Number: to, Outcome: 'no-answer' });
    assert.ok(b.status >= 200 && b.status < 300, `POST /_dialtone/behaviors: ${b.status} ${b.text}`);
    const call = await ctx.client.calls.create({ to, from: FROM, twiml: HOLD_TWIML, timeout: 1 });
    await waitStatus(call.sid, 'no-answer');
    assert.equal((await ctx.client.calls(call.sid).fetch()).status, 'no-answer');
  });

  it('a callee action on an unknown call is 404', async () => {
    const r = await control('POST', `/calls/CA${'0'.repeat(32)}/answer`);
    assert.equal(r.status, 404);
  });
});
