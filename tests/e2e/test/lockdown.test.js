'use strict';
// Staging lock-down: the control API off by default off loopback, a Bearer token, secrets
// never in the log, request ids in the journal, a webhook host allowlist, slow clients cut off.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { startDialtone, HOLD_TWIML, AUTH_TOKEN, sleep } = require('../lib/dialtone');
const { uniqueNumber, FROM } = require('../lib/common');

const TOKEN = 'ctl-token-5f1e0c9a7b';

describe('lock-down', () => {
  it('auto: the control API is off when listening beyond loopback, health stays on', async () => {
    const dt = await startDialtone({ args: ['--host', '0.0.0.0'] });
    try {
      const base = dt.baseUrl.replace('0.0.0.0', '127.0.0.1');
      assert.equal((await fetch(`${base}/_dialtone/health`)).status, 200);
      assert.equal((await fetch(`${base}/_dialtone/accounts`)).status, 404);
    } finally {
      await dt.stop();
    }
  });

  it('a token guards the control API; tokens never reach the log; request ids are journaled',
    async () => {
      const dt = await startDialtone({ args: ['--control-api-token', TOKEN, '--log-level', 'trace'] });
      try {
        const ctl = (p, auth) => fetch(`${dt.baseUrl}/_dialtone${p}`,
          { headers: auth ? { Authorization: auth } : {} });
        assert.equal((await ctl('/health')).status, 200);
        assert.equal((await ctl('/clock')).status, 401);
        assert.equal((await ctl('/clock', 'Bearer wrong')).status, 401);
        assert.equal((await ctl('/clock', `Bearer ${TOKEN}`)).status, 200);

        const api = dt.api();
        const created = await api.create({ To: uniqueNumber(), From: FROM, Twiml: HOLD_TWIML });
        assert.equal(created.status, 201);
        const sid = created.json.sid;
        const updated = await api.update(sid, { Status: 'completed' });
        assert.equal(updated.status, 200);
        const rid = updated.headers.get('twilio-request-id');
        assert.match(rid, /^RQ[0-9a-f]{32}$/);
        const ev = await ctl(`/calls/${sid}/events?type=api.request`, `Bearer ${TOKEN}`);
        const events = (await ev.json()).events;
        assert.ok(events.some((e) => e.fields.request_id === rid),
          `the update's request id ${rid} is in the journal: ${JSON.stringify(events)}`);
        assert.ok(events.some((e) => e.fields.request_id === created.headers.get('twilio-request-id')));
        await sleep(100);  // the access log line of the last request
        const log = dt.log();
        assert.ok(!log.includes(TOKEN), 'the control token is not logged');
        assert.ok(!log.includes(AUTH_TOKEN), 'the auth token is not logged');
        const basic = Buffer.from(`${dt.accountSid}:${AUTH_TOKEN}`).toString('base64');
        assert.ok(!log.includes(basic), 'the Basic credentials are not logged');
        assert.ok(log.includes(rid), 'the access log names the request id');
      } finally {
        await dt.stop();
      }
    });

  it('webhook.allowed_hosts: another host fails with 11205 without a connection', async () => {
    const dt = await startDialtone({ args: ['--webhook-allowed-hosts', '*.example.com,localhost'] });
    try {
      const api = dt.api();
      const created = await api.create({ To: uniqueNumber(), From: FROM,
        Url: 'http://127.0.0.1:9/voice' });
      assert.equal(created.status, 201);
      const sid = created.json.sid;
      const r = await fetch(`${dt.baseUrl}/_dialtone/calls/${sid}/events?wait_for=` +
        encodeURIComponent('status:completed') + '&timeout=5');
      assert.equal(r.status, 200);
      const n = await api.request('GET', `${api.callsPath}/${sid}/Notifications.json`);
      assert.equal(n.status, 200);
      const codes = n.json.notifications.map((x) => x.error_code);
      assert.ok(codes.includes('11205'), `notifications: ${n.text}`);
      assert.match(JSON.stringify(n.json.notifications), /not\+allowed/);
    } finally {
      await dt.stop();
    }
  });

  // Known gap: the session's first read goes through the parser, which wants the whole
  // header, so the read timeout starts only then; until it does, idle_timeout_s applies.
  it('limits.read_timeout_s: a client sending one header byte a second is cut off',
    { todo: 'http_server.cpp do_read: start read_timeout_s at the first byte' }, async () => {
    const dt = await startDialtone({ args: ['--limits-read-timeout-s', '2'] });
    try {
      const { port } = new URL(dt.baseUrl);
      const started = Date.now();
      const closedAfter = await new Promise((resolve, reject) => {
        const sock = net.connect(Number(port), '127.0.0.1');
        const text = 'GET /_dialtone/health HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(100);
        let i = 0;
        const timer = setInterval(() => {
          if (sock.writable && i < text.length) sock.write(text[i++]);
        }, 1000);
        sock.on('close', () => { clearInterval(timer); resolve(Date.now() - started); });
        sock.on('error', () => {});
        setTimeout(() => { clearInterval(timer); sock.destroy(); reject(new Error('never cut off')); },
          15000);
      });
      assert.ok(closedAfter < 6000, `cut off after ${closedAfter} ms (read_timeout_s = 2)`);
      assert.equal((await fetch(`${dt.baseUrl}/_dialtone/health`)).status, 200);
    } finally {
      await dt.stop();
    }
  });
});
