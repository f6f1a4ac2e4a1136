'use strict';
// @dialtone/testing: a small client for dialtone's test control API (/_dialtone/...).
// No runtime dependency: Node's fetch and child_process; the official `twilio` SDK is an
// optional peer, loaded only when an account's `client` is first used.

const { spawn } = require('node:child_process');
const path = require('node:path');
const { createRequire } = require('node:module');

const CALL_SID = /^CA[0-9a-f]{32}$/;
const LISTENING = /dialtone listening on (http:\/\/(?:[^\s/:]+|\[[^\]]+\]):\d+)/;

/** Any answer of the control API that is not 2xx. */
class DialtoneError extends Error {
  constructor(message, { status, body, method, path: route } = {}) {
    super(message);
    this.name = 'DialtoneError';
    this.status = status;
    this.body = body;
    this.method = method;
    this.path = route;
  }
}

/** This dialtone has no such control route (404 "No control route ..."): an older build. */
class RouteMissingError extends DialtoneError {
  constructor(message, details) {
    super(message, details);
    this.name = 'RouteMissingError';
  }
}

/** A `waitFor` whose condition did not hold in time (dialtone answered 408). */
class WaitTimeoutError extends DialtoneError {
  constructor(message, details) {
    super(message, details);
    this.name = 'WaitTimeoutError';
    this.lastSeq = details && details.body ? details.body.last_seq : undefined;
  }
}

function isRouteMissing(status, body) {
  // dialtone's answer for a path it does not route; a 404 for an unknown call or account
  // carries another message.
  return status === 404 && !(body && typeof body.message === 'string' &&
    !body.message.startsWith('No control route'));
}

/** { answerAfter: 2, gather: ['1'] } -> { AnswerAfter: 2, Gather: ['1'] }; drops undefined/null. */
function pascal(params) {
  const out = {};
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null) continue;
    out[k.charAt(0).toUpperCase() + k.slice(1)] = v;
  }
  return out;
}

function toQuery(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) v.forEach((x) => q.append(k, String(x)));
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The `twilio` module: given, or resolved from this package, or from the working directory. */
function loadTwilio(given) {
  if (given) return given;
  const tries = [require, createRequire(path.join(process.cwd(), 'package.json'))];
  for (const req of tries) {
    try { return req('twilio'); } catch (e) { if (e.code !== 'MODULE_NOT_FOUND') throw e; }
  }
  throw new Error('@dialtone/testing: account.client needs the `twilio` package: npm install ' +
    'twilio, or pass it: new Dialtone({ baseUrl, twilio: require(\'twilio\') })');
}

const requestClientClasses = new WeakMap();

/** A twilio.RequestClient that sends what the SDK addresses to *.twilio.com to dialtone. */
function requestClientClass(twilio) {
  let cls = requestClientClasses.get(twilio);
  if (!cls) {
    cls = class DialtoneRequestClient extends twilio.RequestClient {
      constructor(baseUrl, opts) {
        super(opts);
        this.baseUrl = baseUrl;
      }

      request(opts) {
        // Any *.twilio.com host: api (Calls), accounts (/v1/AuthTokens), and the names an edge
        // or region setting makes of them.
        return super.request({ ...opts,
          uri: String(opts.uri).replace(/^https?:\/\/[^/]*twilio\.com(?=[/?]|$)/, this.baseUrl) });
      }
    };
    requestClientClasses.set(twilio, cls);
  }
  return cls;
}

class Dialtone {
  /**
   * @param {{baseUrl: string, controlToken?: string, twilio?: object}} options
   */
  constructor({ baseUrl, controlToken, twilio } = {}) {
    if (!baseUrl) throw new TypeError('new Dialtone({ baseUrl }): baseUrl is required');
    this.baseUrl = String(baseUrl).replace(/\/+$/, '');
    this.controlToken = controlToken;
    this.twilio = twilio;
    this.process = null;
    this._lines = [];
  }

  /**
   * One control request. GET and DELETE send `params` as the query, other methods as a JSON
   * body. Resolves {status, json, text}; never throws on an HTTP status.
   */
  async request(method, route, params) {
    const init = { method, headers: {} };
    if (this.controlToken) init.headers.Authorization = `Bearer ${this.controlToken}`;
    let url = `${this.baseUrl}/_dialtone${route}`;
    if (method === 'GET' || method === 'DELETE') {
      const q = toQuery(params);
      if (q) url += (url.includes('?') ? '&' : '?') + q.slice(1);
    } else if (params !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(params);
    }
    const res = await fetch(url, init);
    const text = await res.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: res.status, json, text };
  }

  /** A control request that must succeed (2xx): resolves its JSON, else throws DialtoneError. */
  async control(method, route, params) {
    const r = await this.request(method, route, params);
    if (r.status >= 200 && r.status < 300) return r.json;
    const details = { status: r.status, body: r.json === undefined ? r.text : r.json, method, path: route };
    const said = r.json && r.json.message ? r.json.message : r.text;
    if (isRouteMissing(r.status, r.json)) {
      throw new RouteMissingError(`${method} /_dialtone${route}: this dialtone has no such ` +
        `route (404: ${said})`, details);
    }
    throw new DialtoneError(`${method} /_dialtone${route}: ${r.status} ${said}`, details);
  }

  /** GET /_dialtone/health. */
  health() { return this.control('GET', '/health'); }

  /**
   * A fresh isolated account (its own world: clock, timers, callees, numbers, sids).
   * `clock` defaults to 'manual'; `ownerAccountSid` makes a subaccount (in its owner's world).
   */
  async account({ clock = 'manual', speed, seed, friendlyName, ownerAccountSid } = {}) {
    const params = ownerAccountSid
      ? pascal({ ownerAccountSid, friendlyName })
      : pascal({ clock, speed, seed: seed === undefined ? undefined : String(seed), friendlyName });
    const info = await this.control('POST', '/accounts', params);
    return new Account(this, info);
  }

  /** The fault rules of every account (GET/DELETE without AccountSid); see Account#faults. */
  faults() { return new Faults(this, undefined); }

  /**
   * Starts a dialtone binary on a free port (`--port 0` plus `args`) and resolves a Dialtone
   * for it once its first log line named the address and /_dialtone/health answered.
   * `binary` defaults to $DIALTONE_BIN, else `dialtone` on the PATH. Call `stop()` after.
   */
  static async start({ binary, args = [], env, cwd, timeoutMs = 10000, controlToken, twilio } = {}) {
    const bin = binary || process.env.DIALTONE_BIN || 'dialtone';
    const childEnv = { ...process.env, ...(env || {}) };
    for (const [k, v] of Object.entries(childEnv)) if (v === undefined || v === null) delete childEnv[k];
    const child = spawn(bin, ['--port', '0', ...args], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = [];
    let pending = '';
    let address = null;
    let onAddress;
    const addressSeen = new Promise((resolve) => { onAddress = resolve; });
    // The log is drained for the life of the process (a full pipe would block dialtone); the
    // last 2000 lines are kept for `log()`.
    const onData = (chunk) => {
      pending += chunk.toString('utf8');
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).replace(/\r$/, '');
        pending = pending.slice(nl + 1);
        lines.push(line);
        if (lines.length > 2000) lines.shift();
        const hit = !address && line.match(LISTENING);
        if (hit) { address = hit[1]; onAddress(address); }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal }));
      child.on('error', (error) => resolve({ code: null, signal: null, error }));
    });
    const killOnExit = () => { try { child.kill('SIGKILL'); } catch { /* gone */ } };
    process.on('exit', killOnExit);

    const log = () => lines.concat(pending ? [pending] : []).join('\n');
    let timer;
    const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
    try {
      const first = await Promise.race([addressSeen, exited, timeout]);
      if (first === 'timeout') {
        throw new Error(`${bin} printed no "dialtone listening on http://HOST:PORT" within ${timeoutMs} ms. Output:\n${log()}`);
      }
      if (typeof first !== 'string') {
        throw new Error(`${bin} exited (${first.error ? first.error.message : JSON.stringify(first)}) ` +
          `before it listened. Output:\n${log()}`);
      }
      const dt = new Dialtone({ baseUrl: first, controlToken, twilio });
      dt.process = child;
      dt._lines = lines;
      dt._log = log;
      dt._exited = exited;
      dt._killOnExit = killOnExit;
      // The line comes once the socket listens; health normally answers at once.
      for (;;) {
        try {
          const r = await dt.request('GET', '/health');
          if (r.status === 200) break;
        } catch { /* not accepting yet */ }
        if (await Promise.race([exited.then(() => true), timeout.then(() => true),
          new Promise((r) => setTimeout(() => r(false), 20))])) {
          throw new Error(`GET ${first}/_dialtone/health never answered 200. Output:\n${log()}`);
        }
      }
      return dt;
    } catch (e) {
      killOnExit();
      process.removeListener('exit', killOnExit);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The log of a dialtone this object started (its last 2000 lines). */
  log() { return this._log ? this._log() : ''; }

  /** Stops a dialtone started with Dialtone.start (SIGTERM, SIGKILL after 5 s); resolves its exit. */
  async stop() {
    if (!this.process) return undefined;
    const child = this.process;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => { try { child.kill('SIGKILL'); } catch { /* gone */ } }, 5000);
    const result = await this._exited;
    clearTimeout(timer);
    process.removeListener('exit', this._killOnExit);
    return result;
  }
}

/** An isolated account made by Dialtone#account; every method adds its AccountSid. */
class Account {
  constructor(dialtone, info) {
    this.dialtone = dialtone;
    this.info = info;
    this.sid = info.sid;
    this.authToken = info.auth_token;
    this.apiKeySid = info.api_key_sid;
    this.apiKeySecret = info.api_key_secret;
    this.worldSid = info.world_sid;
    this.seed = info.seed;
    this.friendlyName = info.friendly_name;
    this._client = null;
  }

  _params(extra) { return { AccountSid: this.sid, ...extra }; }

  /** The official twilio SDK client for this account, pointed at dialtone (made on first use). */
  get client() {
    if (!this._client) this._client = this.createClient();
    return this._client;
  }

  /** A new SDK client for this account; `options` go to twilio() (e.g. { autoRetry: true }). */
  createClient({ httpClientOptions, ...options } = {}) {
    const twilio = loadTwilio(this.dialtone.twilio);
    const RequestClient = requestClientClass(twilio);
    return twilio(this.sid, this.authToken, {
      ...options,
      httpClient: new RequestClient(this.dialtone.baseUrl, httpClientOptions),
    });
  }

  /** Moves the account's manual clock; resolves once every timer due fired (`timers_fired`). */
  advance(seconds) {
    return this.dialtone.control('POST', '/clock/advance', this._params({ Seconds: seconds }));
  }

  /** GET the account's clock, or with {mode, speed} set it. */
  clock(settings) {
    if (settings === undefined) return this.dialtone.control('GET', '/clock', this._params());
    return this.dialtone.control('POST', '/clock', this._params(pascal(settings)));
  }

  /**
   * Blocks (in dialtone) until `condition` holds for the call: `status:completed`, an event
   * type (`webhook.request`), or `type:field=value` (`verb:verb=Gather`), met by any event of
   * the call, or only by those after the seq `since`. Resolves the call's journal (an array of
   * events, after `since` if given); throws WaitTimeoutError after `timeout` seconds (default 5).
   */
  async waitFor(callSid, condition, { timeout = 5, since } = {}) {
    const route = `/calls/${callSid}/events`;
    const r = await this.dialtone.request('GET', route, this._params({ wait_for: condition, timeout, since }));
    if (r.status === 200) return r.json.events;
    const details = { status: r.status, body: r.json === undefined ? r.text : r.json, method: 'GET', path: route };
    const said = r.json && r.json.message ? r.json.message : r.text;
    if (r.status === 408) {
      let last = '';
      try {
        const events = await this.events({ callSid });
        const status = events.filter((e) => e.type === 'status').pop();
        last = `; the call is ${status ? status.fields.status : 'without a status event'}` +
          `, its last event: ${events.length ? events[events.length - 1].type : 'none'}`;
      } catch { /* the message stays without it */ }
      throw new WaitTimeoutError(`waitFor(${callSid}, ${JSON.stringify(condition)}): ${said} ` +
        `(408 after ${timeout} s${last})`, details);
    }
    throw new DialtoneError(`waitFor(${callSid}, ${JSON.stringify(condition)}): ${r.status} ${said}`, details);
  }

  /** The account's journal: {callSid, type (string or array), since} filter it. Resolves events. */
  async events({ callSid, type, since } = {}) {
    const route = callSid ? `/calls/${callSid}/events` : '/events';
    return (await this.dialtone.control('GET', route, this._params({ type, since }))).events;
  }

  /**
   * A callee: a phone number (E.164, a regular expression starting with `^`, or `*` for every
   * other number) to script with `.behaves({...})`, or a live call's sid to act on with
   * `.answer()`, `.busy()`, `.noAnswer()`, `.fail()`, `.hangup()`, `.digits()`, `.speech()`.
   */
  callee(target) {
    if (CALL_SID.test(String(target))) return new LiveCallee(this, target);
    return new ScriptedCallee(this, String(target));
  }

  /** The scripted callees of the account's world: {default, behaviors}. */
  behaviors() { return this.dialtone.control('GET', '/behaviors', this._params()); }

  /** Clears the scripted callees and restores the default one. */
  clearBehaviors() { return this.dialtone.control('DELETE', '/behaviors', this._params()); }

  /** Registers (or updates) a phone number of the account for inbound calls. */
  number(phoneNumber, { voiceUrl, voiceMethod, voiceFallbackUrl, voiceFallbackMethod,
    statusCallback, statusCallbackMethod } = {}) {
    return this.dialtone.control('POST', '/numbers', this._params(pascal({ phoneNumber, voiceUrl,
      voiceMethod, voiceFallbackUrl, voiceFallbackMethod, statusCallback, statusCallbackMethod })));
  }

  /** The account's numbers. */
  numbers() { return this.dialtone.control('GET', '/numbers', this._params()); }

  /** A simulated inbound call from `from` to one of the account's numbers; resolves the call. */
  inbound({ from, to }) {
    return this.dialtone.control('POST', '/calls', this._params({ From: from, To: to }));
  }

  /** GET the world's limits, or with {callsPerSecond} set them. */
  limits(settings) {
    if (settings === undefined) return this.dialtone.control('GET', '/limits', this._params());
    return this.dialtone.control('POST', '/limits', this._params(pascal(settings)));
  }

  /** Forgets the account's calls, journal and numbers (and its world's callees and limit); the clock stays. */
  reset() { return this.dialtone.control('POST', '/reset', this._params()); }

  /** Deletes the account: its subaccounts, world, calls, journal and timers are freed. */
  close() { return this.dialtone.control('DELETE', `/accounts/${this.sid}`); }

  /** This account's fault rules (needs a dialtone with /_dialtone/faults). */
  faults() { return new Faults(this.dialtone, this.sid); }

  /**
   * GET /_dialtone/accounts/{sid}/snapshot: the account's whole state as one JSON document
   * (calls, live calls' TwiML and timers, journal, notifications, callees, numbers, limit, sid
   * sequence, clock), to keep as a fixture. Rejects with a 409 DialtoneError while webhooks of
   * the account are out (an advance of its manual clock waits for them).
   */
  async snapshot() {
    try {
      return await this.dialtone.control('GET', `/accounts/${this.sid}/snapshot`);
    } catch (e) {
      throw snapshotMissing(e);
    }
  }

  /**
   * POST /_dialtone/accounts/{sid}/snapshot: replaces this account's state with a document of
   * snapshot() (of this account or another: its account sid becomes this one's). Resolves
   * {restored, from, calls, live_calls, notifications, events, numbers}; 400 names what does
   * not read, 409
   * the call sids another account still holds.
   */
  async restore(snapshot) {
    try {
      return await this.dialtone.control('POST', `/accounts/${this.sid}/snapshot`, snapshot);
    } catch (e) {
      throw snapshotMissing(e);
    }
  }
}

function snapshotMissing(e) {
  if (!(e instanceof RouteMissingError)) return e;
  return new RouteMissingError('this dialtone predates the snapshot route ' +
    `(${e.method} /_dialtone${e.path} answered 404)`, e);
}

class ScriptedCallee {
  constructor(account, number) {
    this.account = account;
    this.number = number;
  }

  /**
   * How calls to this number go: {outcome ('answer'|'busy'|'no-answer'|'fail'), answerAfter,
   * answeredBy, gather (digits, or 'speech:TEXT', one per <Gather>), hangupAfter,
   * recordSeconds}. Resolves the rule dialtone stored.
   */
  behaves(behavior = {}) {
    const target = this.number === '*' ? { Default: true } : { Number: this.number };
    return this.account.dialtone.control('POST', '/behaviors',
      this.account._params({ ...target, ...pascal(behavior) }));
  }
}

class LiveCallee {
  constructor(account, callSid) {
    this.account = account;
    this.callSid = callSid;
  }

  _act(action, params) {
    return this.account.dialtone.control('POST', `/calls/${this.callSid}/${action}`,
      this.account._params(params));
  }

  answer() { return this._act('answer'); }
  busy() { return this._act('busy'); }
  noAnswer() { return this._act('no-answer'); }
  fail() { return this._act('fail'); }
  hangup() { return this._act('hangup'); }
  /** Presses keys during a <Gather>. */
  digits(digits) { return this._act('digits', { Digits: String(digits) }); }
  /** Says something during a <Gather input="speech">. */
  speech(text) { return this._act('speech', { SpeechResult: text }); }
}

/** Fault rules (POST/GET/DELETE /_dialtone/faults); needs a dialtone with that route. */
class Faults {
  constructor(dialtone, accountSid) {
    this.dialtone = dialtone;
    this.accountSid = accountSid;
  }

  _params(extra) { return this.accountSid ? { AccountSid: this.accountSid, ...extra } : { ...extra }; }

  /** Adds a rule: {method, route, kind, status, code, retryAfter, latencyMs, times, ...}. */
  add(rule) { return this.dialtone.control('POST', '/faults', this._params(pascal(rule))); }

  /** The rules: {rules: [...], ...}. */
  list() { return this.dialtone.control('GET', '/faults', this._params()); }

  /** Clears the rules (all of the account's, or the one with this id: dialtone takes Id alone). */
  clear(id) {
    return this.dialtone.control('DELETE', '/faults', id === undefined ? this._params() : { Id: id });
  }
}

module.exports = {
  Dialtone,
  Account,
  ScriptedCallee,
  LiveCallee,
  Faults,
  DialtoneError,
  RouteMissingError,
  WaitTimeoutError,
};
