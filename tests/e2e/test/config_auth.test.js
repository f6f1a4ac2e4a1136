'use strict';
// Configuration as a user meets it (defaults, DIALTONE_* environment, flags, --config file)
// and the credentials it defines (accounts, subaccounts, API keys).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startDialtone, runToExit, repoRoot } = require('../lib/dialtone');
const { uniqueNumber, rejectsRest, FROM } = require('../lib/common');

const HOLD = '<Response><Pause length="600"/></Response>';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dialtone-e2e-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function readDefaults() {
  const file = path.join(repoRoot, 'config', 'dialtone.json');
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

describe('configuration', () => {
  it('with no DIALTONE_* credentials, the defaults in config/dialtone.json work', async () => {
    const defaults = readDefaults();
    const dt = await startDialtone({ env: { DIALTONE_ACCOUNT_SID: null, DIALTONE_AUTH_TOKEN: null } });
    try {
      const client = dt.client(defaults.account_sid, defaults.auth_token);
      const call = await client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD });
      assert.equal(call.accountSid, defaults.account_sid);
      assert.deepEqual(client.httpClient.schemaViolations, []);
    } finally {
      await dt.stop();
    }
  });

  it('a flag beats the environment', async () => {
    const dt = await startDialtone({ args: ['--auth-token', 'from-flag'], env: { DIALTONE_AUTH_TOKEN: 'from-env' } });
    try {
      assert.equal((await dt.api(dt.accountSid, 'from-flag').list()).status, 200);
      assert.equal((await dt.api(dt.accountSid, 'from-env').list()).status, 401);
    } finally {
      await dt.stop();
    }
  });

  it('an invalid setting stops dialtone at startup with exit status 2 naming it', async () => {
    const r = await runToExit(['--port', 'not-a-port']);
    assert.equal(r.code, 2, r.output);
    assert.match(r.output, /port/);
    const bad = await runToExit(['--port', '0'], { env: { DIALTONE_ACCOUNT_SID: 'not-a-sid' } });
    assert.equal(bad.code, 2, bad.output);
    assert.match(bad.output, /account_sid|ACCOUNT_SID/);
  });

  it('a missing --config file is a startup error', async () => {
    const r = await runToExit(['--port', '0', '--config', path.join(tmp, 'nope.json')]);
    assert.equal(r.code, 2, r.output);
  });

  it('--help prints the settings and exits 0', async () => {
    const r = await runToExit(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.output, /--port/);
    assert.match(r.output, /DIALTONE_AUTH_TOKEN/);
  });
});

describe('accounts from a --config file', () => {
  const main = 'AC' + 'a1'.repeat(16);
  const sub = 'AC' + 'b2'.repeat(16);
  const keySid = 'SK' + 'c3'.repeat(16);
  const config = {
    account_sid: main,
    auth_token: 'main-token',
    accounts: [
      { sid: sub, auth_token: 'sub-token', owner_account_sid: main, friendly_name: 'sub' },
      { sid: 'AC' + 'd4'.repeat(16), auth_token: 'keyed-token', api_keys: [{ sid: keySid, secret: 'key-secret' }] },
    ],
  };
  let dt;

  before(async () => {
    const file = path.join(tmp, 'accounts.json');
    fs.writeFileSync(file, JSON.stringify(config));
    // The file's account_sid/auth_token apply only when the environment does not override them.
    dt = await startDialtone({ args: ['--config', file], env: { DIALTONE_ACCOUNT_SID: null, DIALTONE_AUTH_TOKEN: null } });
  });
  after(async () => { if (dt) await dt.stop(); });

  it('the file\'s main account authenticates', async () => {
    assert.equal((await dt.api(main, 'main-token').list()).status, 200);
  });

  it('a second account authenticates with its own token and sees only its calls', async () => {
    const subClient = dt.client(sub, 'sub-token');
    const call = await subClient.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD });
    assert.equal(call.accountSid, sub);
    const mainCalls = await dt.client(main, 'main-token').calls.list();
    assert.ok(!mainCalls.some((c) => c.sid === call.sid), 'the main account list does not show a subaccount call');
    await rejectsRest(dt.client(main, 'main-token').calls(call.sid).fetch(), 404, 20404);
  });

  it('subaccount credentials cannot use the main account: 401 / 20003', async () => {
    const r = await dt.api(main, 'sub-token').list();
    assert.equal(r.status, 401);
    const asSub = await dt.api(sub, 'sub-token').request('GET', `/2010-04-01/Accounts/${main}/Calls.json`);
    assert.equal(asSub.status, 401, asSub.text);
    assert.equal(asSub.json && asSub.json.code, 20003);
  });

  it('an API key (SK + secret) authenticates for its account, via the SDK accountSid option', async () => {
    const twilio = require('twilio');
    const { DialtoneRequestClient } = require('../lib/dialtone');
    const keyed = 'AC' + 'd4'.repeat(16);
    const client = twilio(keySid, 'key-secret', { accountSid: keyed, httpClient: new DialtoneRequestClient(dt.baseUrl) });
    const call = await client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD });
    assert.equal(call.accountSid, keyed);
    await rejectsRest(twilio(keySid, 'wrong', { accountSid: keyed, httpClient: new DialtoneRequestClient(dt.baseUrl) })
      .calls.list(), 401, 20003);
  });

  it('main account credentials may use a subaccount', async () => {
    const r = await dt.api(main, 'main-token').request('GET', `/2010-04-01/Accounts/${sub}/Calls.json`);
    assert.equal(r.status, 200, r.text);
  });
});
