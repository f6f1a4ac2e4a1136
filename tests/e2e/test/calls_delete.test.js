'use strict';
// Delete a call (DELETE Calls/{Sid}.json): 204 for an ended call, 20009 for a live one.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { useDialtone, uniqueNumber, rejectsRest, FROM } = require('../lib/common');
const { waitForStatus, HOLD_TWIML } = require('../lib/dialtone');

const ctx = useDialtone();

describe('delete a call', () => {
  it('an ended call: remove() is true (204, empty body), then it is gone', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
    await ctx.client.calls(call.sid).update({ status: 'canceled' });
    const removed = await ctx.client.calls(call.sid).remove();
    assert.equal(removed, true);
    const { last } = ctx.client.httpClient;
    assert.equal(last.statusCode, 204);
    assert.ok(last.body === '' || last.body === undefined || last.body === null, `body ${JSON.stringify(last.body)}`);
    await rejectsRest(ctx.client.calls(call.sid).fetch(), 404, 20404);
    const list = await ctx.client.calls.list({ to: call.to });
    assert.deepEqual(list, []);
  });

  it('a completed call can be deleted', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM,
      twiml: '<Response><Hangup/></Response>' });
    await waitForStatus(ctx.api, call.sid, 'completed');
    assert.equal(await ctx.client.calls(call.sid).remove(), true);
  });

  it('a live (in-progress) call: RestException 20009, and the call is still there', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
    await waitForStatus(ctx.api, call.sid, 'in-progress');
    const err = await rejectsRest(ctx.client.calls(call.sid).remove(), 400, 20009);
    assert.match(err.message, /Cannot delete this resource before it is complete/);
    assert.equal((await ctx.client.calls(call.sid).fetch()).status, 'in-progress');
  });

  it('a queued call: RestException 20009', async () => {
    const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
    await rejectsRest(ctx.client.calls(call.sid).remove(), 400, 20009);
  });

  it('an unknown sid: RestException 404 / 20404', async () => {
    await rejectsRest(ctx.client.calls('CA' + '0'.repeat(32)).remove(), 404, 20404);
  });
});
