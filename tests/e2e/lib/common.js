'use strict';
// Shared test setup: one dialtone + one webhook app per test file, the official SDK client,
// and an afterEach that fails any test whose SDK responses broke Twilio's schema.

const { before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { startDialtone } = require('./dialtone');
const { startWebhookServer } = require('./webhook_server');

/** Registers before/after hooks; returns an object filled in once `before` ran. */
function useDialtone(options = {}) {
  const ctx = {};
  before(async () => {
    ctx.dt = await startDialtone(options);
    ctx.hooks = await startWebhookServer({ authToken: ctx.dt.authToken });
    ctx.client = ctx.dt.client();
    ctx.api = ctx.dt.api();
  });
  afterEach(() => {
    if (!ctx.client) return;
    const violations = ctx.client.httpClient.schemaViolations.splice(0);
    assert.deepEqual(violations, [], 'every JSON body the SDK received validates against ' +
      'twilio_api_v2010.json');
  });
  after(async () => {
    if (ctx.dt) {
      const exit = await ctx.dt.stop();
      if (process.env.DIALTONE_E2E_LOG) process.stderr.write(ctx.dt.log() + '\n');
      ctx.exit = exit;
    }
    if (ctx.hooks) await ctx.hooks.close();
  });
  return ctx;
}

let counter = 0;
/** A fresh NANP number per call so that tests never see each other's calls. */
function uniqueNumber() {
  counter += 1;
  const n = (process.pid % 1000) * 10000 + counter;
  return `+1415${String(n).padStart(7, '0')}`;
}

const FROM = '+14155550100';

/** Asserts that `promise` rejects with a twilio RestException of this status and code. */
async function rejectsRest(promise, status, code) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected a RestException ${status}/${code}, but the request succeeded`);
  assert.equal(err.constructor.name, 'RestException', `not a RestException: ${err && err.stack}`);
  assert.equal(err.status, status, `HTTP status (message: ${err.message})`);
  assert.equal(err.code, code, `Twilio error code (message: ${err.message})`);
  assert.equal(err.moreInfo, `https://www.twilio.com/docs/errors/${code}`);
  return err;
}

module.exports = { useDialtone, uniqueNumber, rejectsRest, FROM };
