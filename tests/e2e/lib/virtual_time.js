'use strict';
// What a test on a manual clock needs from dialtone's control API: move the clock, block until
// a call's journal says something happened (never a fixed sleep), and press the callee's keys.

const assert = require('node:assert/strict');
const { Dialtone } = require('../../../clients/node');

/** Helpers bound to the dialtone of `ctx` (from useDialtone). */
function virtualTime(ctx) {
  const control = () => new Dialtone({ baseUrl: ctx.dt.baseUrl });
  return {
    control,
    async advance(seconds) {
      await control().control('POST', '/clock/advance', { Seconds: seconds });
    },
    /** Blocks in dialtone until the call's journal meets `condition` (`type:field=value`). */
    async waitFor(callSid, condition) {
      const r = await control().request('GET', `/calls/${callSid}/events`, { wait_for: condition, timeout: 5 });
      assert.equal(r.status, 200, `wait_for ${condition}: ${r.text}`);
      return r.json.events;
    },
  };
}

module.exports = { virtualTime };
