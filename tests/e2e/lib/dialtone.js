'use strict';
// Test harness: starts the real dialtone binary on a free port, points the official Twilio SDK
// at it, and offers a few raw-HTTP helpers. One dialtone process per test file (or per test
// that needs a clean world); no fixed sleeps: everything waits on a condition with a deadline.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const twilio = require('twilio');
const schema = require('./schema');

const repoRoot = path.resolve(__dirname, '..', '..', '..');
// Twilio's reference data the tests compare against, kept in the repository (a clone stands on
// its own): tests/fixtures/twilio/README.md says where each file came from.
const fixturesDir = path.join(repoRoot, 'tests', 'fixtures', 'twilio');

function binaryPath() {
  const bin = process.env.DIALTONE_BIN || 'build/ci/server/dialtone';
  return path.isAbsolute(bin) ? bin : path.resolve(repoRoot, bin);
}

// Fixed test credentials, passed to every dialtone we start through its environment, so the
// tests never depend on the defaults in config/.
const ACCOUNT_SID = 'AC' + 'e2e0'.repeat(8);
const AUTH_TOKEN = '0123456789abcdef0123456789abcdef';

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

/**
 * Starts dialtone with `--port 0` plus `args`, and `env` on top of DIALTONE_ACCOUNT_SID /
 * DIALTONE_AUTH_TOKEN. Resolves once the first log line named the address and
 * GET /_dialtone/health answered 200.
 */
async function startDialtone({ args = [], env = {}, timeoutMs = 10000 } = {}) {
  const bin = binaryPath();
  if (!fs.existsSync(bin)) {
    throw new Error(`dialtone binary not found at ${bin}: build it (cmake --preset ci && ` +
      'cmake --build --preset ci) or set DIALTONE_BIN');
  }
  // `env` goes on top of the test credentials; a null value removes a variable.
  const childEnv = { ...process.env, DIALTONE_ACCOUNT_SID: ACCOUNT_SID, DIALTONE_AUTH_TOKEN: AUTH_TOKEN, ...env };
  for (const [k, v] of Object.entries(childEnv)) if (v === null || v === undefined) delete childEnv[k];
  const child = spawn(bin, ['--port', '0', ...args], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);

  const lines = [];  // every log line, stdout and stderr interleaved as they arrive
  let pending = '';
  const onData = (chunk) => {
    pending += chunk.toString('utf8');
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      lines.push(pending.slice(0, nl).replace(/\r$/, ''));
      pending = pending.slice(nl + 1);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(child);
      resolve(exited);
    });
  });

  const log = () => lines.concat(pending ? [pending] : []).join('\n');
  const deadline = Date.now() + timeoutMs;
  let baseUrl = null;
  while (!baseUrl) {
    const hit = lines.map((l) => l.match(/http:\/\/([^\s/:]+|\[[^\]]+\]):(\d+)/)).find(Boolean);
    if (hit) baseUrl = `http://${hit[1]}:${hit[2]}`;
    else if (exited) throw new Error(`dialtone exited (${JSON.stringify(exited)}) before ` +
      `printing its address. Output:\n${log()}`);
    else if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`dialtone printed no http://HOST:PORT within ${timeoutMs} ms. ` +
        `Output:\n${log()}`);
    } else await sleep(10);
  }

  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/_dialtone/health`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch { /* not accepting yet */ }
    if (exited) throw new Error(`dialtone exited before health answered. Output:\n${log()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`GET ${baseUrl}/_dialtone/health never answered 200. Output:\n${log()}`);
    }
    await sleep(20);
  }

  return {
    baseUrl,
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    child,
    lines,
    log,
    get exited() { return exited; },
    client(sid = ACCOUNT_SID, token = AUTH_TOKEN) { return twilioClient(baseUrl, sid, token); },
    api(sid = ACCOUNT_SID, token = AUTH_TOKEN) { return rawApi(baseUrl, sid, token); },
    async stop() {
      if (exited) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const result = await exitPromise;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Runs dialtone to completion (e.g. a configuration error); resolves {code, signal, output}. */
function runToExit(args, { env = {}, timeoutMs = 10000 } = {}) {
  const childEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(childEnv)) if (v === null || v === undefined) delete childEnv[k];
  return new Promise((resolve, reject) => {
    const child = spawn(binaryPath(), args, { cwd: repoRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dialtone ${args.join(' ')} did not exit within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, signal, output });
    });
  });
}

/**
 * The official SDK's HTTP client, pointed at dialtone: every request Twilio would send to
 * https://api.twilio.com (or https://accounts.twilio.com) goes to baseUrl instead. This is
 * the pattern the README documents; on top of it the test version records each exchange and
 * checks every JSON body it gets against Twilio's OpenAPI schema (see `schemaViolations`).
 */
class DialtoneRequestClient extends twilio.RequestClient {
  constructor(baseUrl, opts) {
    super(opts);
    this.baseUrl = baseUrl;
    this.exchanges = [];
    this.schemaViolations = [];
  }

  async request(opts) {
    // api.twilio.com serves Calls; accounts.twilio.com the auth tokens (docs/faults.md).
    const uri = opts.uri.replace(/^https:\/\/(api|accounts)\.twilio\.com/, this.baseUrl);
    const res = await super.request({ ...opts, uri });
    const exchange = { method: String(opts.method).toUpperCase(), uri, data: opts.data,
      params: opts.params, statusCode: res.statusCode, body: res.body, headers: res.headers };
    this.exchanges.push(exchange);
    const problem = schema.checkExchange(exchange);
    if (problem) this.schemaViolations.push(`${exchange.method} ${uri} -> ${res.statusCode}: ${problem}`);
    return res;
  }

  get last() { return this.exchanges[this.exchanges.length - 1]; }
}

function twilioClient(baseUrl, sid = ACCOUNT_SID, token = AUTH_TOKEN) {
  return twilio(sid, token, { httpClient: new DialtoneRequestClient(baseUrl) });
}

/** Raw HTTP against the Twilio paths (fetch API), for what the SDK does not expose. */
function rawApi(baseUrl, sid = ACCOUNT_SID, token = AUTH_TOKEN) {
  const auth = 'Basic ' + Buffer.from(`${sid}:${token}`).toString('base64');
  const callsPath = `/2010-04-01/Accounts/${sid}/Calls`;
  async function request(method, pathAndQuery, { form, headers = {}, auth: authHeader } = {}) {
    const h = { ...headers };
    if (authHeader !== null) h.Authorization = authHeader === undefined ? auth : authHeader;
    let body;
    if (form !== undefined) {
      h['Content-Type'] = 'application/x-www-form-urlencoded';
      body = typeof form === 'string' ? form : encodeForm(form);
    }
    const res = await fetch(baseUrl + pathAndQuery, { method, headers: h, body });
    const text = await res.text();
    let json;
    if ((res.headers.get('content-type') || '').includes('json') && text) {
      try { json = JSON.parse(text); } catch { json = undefined; }
    }
    return { status: res.status, headers: res.headers, text, json };
  }
  return {
    sid,
    callsPath,
    request,
    create(form, suffix = '.json') { return request('POST', `${callsPath}${suffix}`, { form }); },
    fetchCall(callSid, suffix = '.json') { return request('GET', `${callsPath}/${callSid}${suffix}`); },
    update(callSid, form, suffix = '.json') {
      return request('POST', `${callsPath}/${callSid}${suffix}`, { form });
    },
    remove(callSid, suffix = '.json') { return request('DELETE', `${callsPath}/${callSid}${suffix}`); },
    list(query = '', suffix = '.json') {
      return request('GET', `${callsPath}${suffix}${query ? '?' + query : ''}`);
    },
  };
}

/** Form encoding with repeated keys for arrays, as twilio-node sends it. */
function encodeForm(obj) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(obj)) {
    if (Array.isArray(v)) v.forEach((x) => p.append(k, String(x)));
    else if (v !== undefined) p.append(k, String(v));
  }
  return p.toString();
}

/** Polls `fn` until it returns a truthy value; fails with `what` after timeoutMs. */
async function waitUntil(fn, { timeoutMs = 5000, intervalMs = 25, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Polls GET Calls/{sid}.json until the call's status is one of `statuses`; returns the body. */
async function waitForStatus(api, callSid, statuses, { timeoutMs = 5000 } = {}) {
  const want = Array.isArray(statuses) ? statuses : [statuses];
  let seen;
  try {
    return await waitUntil(async () => {
      const r = await api.fetchCall(callSid);
      seen = r.json && r.json.status;
      return r.status === 200 && want.includes(seen) ? r.json : null;
    }, { timeoutMs, what: `call ${callSid} to be ${want.join('|')}` });
  } catch (e) {
    e.message += ` (last status: ${seen})`;
    throw e;
  }
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

/**
 * A control API request (`/_dialtone${path}`) with an optional form body; returns
 * {status, json, text}. `json` is undefined when the body is not JSON, unless `strictJson`,
 * which parses any non-empty body and throws on one that is not JSON.
 */
async function controlRequest(baseUrl, method, path, form, { strictJson = false } = {}) {
  const init = { method, headers: {} };
  if (form) {
    init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
    init.body = new URLSearchParams(form).toString();
  }
  const res = await fetch(`${baseUrl}/_dialtone${path}`, init);
  const text = await res.text();
  let json;
  if (strictJson) {
    json = text ? JSON.parse(text) : undefined;
  } else {
    try { json = JSON.parse(text); } catch { json = undefined; }
  }
  return { status: res.status, json, text };
}

/** A TwiML document that keeps an answered call in-progress for 10 minutes. */
const HOLD_TWIML = '<Response><Pause length="600"/></Response>';

module.exports = {
  repoRoot,
  fixturesDir,
  binaryPath,
  ACCOUNT_SID,
  AUTH_TOKEN,
  HOLD_TWIML,
  startDialtone,
  runToExit,
  twilioClient,
  DialtoneRequestClient,
  rawApi,
  encodeForm,
  controlRequest,
  waitUntil,
  waitForStatus,
  sleep,
};
