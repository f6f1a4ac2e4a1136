'use strict';
// Hostile and malformed input over raw sockets. Each case checks what comes back (a 4xx, or
// a clean close where HTTP allows it, never a 5xx or a hang) and then that the server still
// answers health and a normal create.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { useDialtone, uniqueNumber, FROM } = require('../lib/common');
const { HOLD_TWIML, encodeForm } = require('../lib/dialtone');
const { exchange: rawExchange } = require('../lib/raw_http');

const ctx = useDialtone();

const exchange = (parts, opts) => rawExchange(ctx.dt.baseUrl, parts, opts);

/** The start of a raw response, for failure messages. */
const show = (data) => (data.length > 600 ? `${data.slice(0, 600)}...` : data);

/**
 * The status codes of the HTTP responses in `data`, in order (pipelined responses included):
 * walks each response by its Content-Length or chunked framing.
 */
function statuses(data) {
  const out = [];
  let i = 0;
  while (i < data.length) {
    const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(data.slice(i));
    if (!m) break;
    out.push(Number(m[1]));
    const headEnd = data.indexOf('\r\n\r\n', i);
    if (headEnd < 0) break;
    const head = data.slice(i, headEnd).toLowerCase();
    i = headEnd + 4;
    const len = /\r\ncontent-length:\s*(\d+)/.exec(head);
    if (/\r\ntransfer-encoding:\s*chunked/.test(head)) {
      for (;;) {
        const lineEnd = data.indexOf('\r\n', i);
        if (lineEnd < 0) return out;
        const size = parseInt(data.slice(i, lineEnd), 16);
        i = lineEnd + 2 + size + 2;
        if (!size) break;
      }
    } else if (len) {
      i += Number(len[1]);
    } else if (Number(m[1]) !== 204 && Number(m[1]) !== 304) {
      break;  // body until close
    }
  }
  return out;
}

const auth = () => 'Basic ' + Buffer.from(`${ctx.dt.accountSid}:${ctx.dt.authToken}`).toString('base64');

function post(body, { headers = {}, path } = {}) {
  const h = {
    Host: 'localhost',
    Authorization: auth(),
    'Content-Type': 'application/x-www-form-urlencoded',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
    ...headers,
  };
  const head = `POST ${path || `/2010-04-01/Accounts/${ctx.dt.accountSid}/Calls.json`} HTTP/1.1\r\n` +
    Object.entries(h).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
  return head + body;
}

async function assertAlive(what) {
  const health = await fetch(`${ctx.dt.baseUrl}/_dialtone/health`);
  assert.equal(health.status, 200, `health after ${what}`);
  await health.arrayBuffer();
  const r = await ctx.api.create({ To: uniqueNumber(), From: FROM, Twiml: HOLD_TWIML });
  assert.equal(r.status, 201, `a normal create after ${what}: ${r.text}`);
  assert.equal(ctx.dt.exited, null, 'the process is still running');
}

const valid = () => encodeForm({ To: uniqueNumber(), From: FROM, Twiml: HOLD_TWIML });

describe('bad input over raw sockets', () => {
  it('malformed percent-encoding (To=%ZZ): 400', async () => {
    const r = await exchange([post(`To=%ZZ&From=${encodeURIComponent(FROM)}&Twiml=${encodeURIComponent(HOLD_TWIML)}`)]);
    assert.deepEqual(statuses(r.data), [400], show(r.data));
    assert.match(r.data, /"status":\s*400/, show(r.data));
    await assertAlive('To=%ZZ');
  });

  it('a truncated escape at the end of the body (From=%2): 400', async () => {
    const r = await exchange([post(`To=${encodeURIComponent(uniqueNumber())}&Twiml=x&From=%2`)]);
    assert.deepEqual(statuses(r.data), [400], show(r.data));
    await assertAlive('From=%2');
  });

  it('duplicate parameters: a definite answer (201 or 400), never a 5xx', async () => {
    const body = `${valid()}&To=${encodeURIComponent(uniqueNumber())}&From=${encodeURIComponent(FROM)}`;
    const r = await exchange([post(body)]);
    const s = statuses(r.data);
    assert.equal(s.length, 1, show(r.data));
    assert.ok(s[0] === 201 || s[0] === 400, `status ${s[0]}`);
    await assertAlive('duplicate parameters');
  });

  it('unknown parameters are ignored: 201', async () => {
    const r = await exchange([post(`${valid()}&NoSuchParam=1&IfMachine=Continue&x=%F0%9F%93%9E`)]);
    assert.deepEqual(statuses(r.data), [201], show(r.data));
    await assertAlive('unknown parameters');
  });

  it('invalid UTF-8 and NUL in values: no 5xx', async () => {
    const r = await exchange([post(`To=%FF%FE%00&From=${encodeURIComponent(FROM)}&Twiml=%00`)]);
    const s = statuses(r.data);
    assert.equal(s.length, 1, show(r.data));
    assert.ok(s[0] >= 400 && s[0] < 500, `status ${s[0]}`);
    await assertAlive('invalid UTF-8');
  });

  it('a body over 1 MiB (Content-Length): 413', async () => {
    const size = 2 * 1024 * 1024;
    const head = post('', { headers: { 'Content-Length': size } });
    // Headers first: a server that checks Content-Length answers before the body is sent.
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const parts = [head, 200];
    for (let i = 0; i < size / chunk.length; i++) parts.push(chunk);
    const r = await exchange(parts, { stopWhen: (d) => /\r\n\r\n/.test(d) });
    assert.deepEqual(statuses(r.data), [413], `response: ${JSON.stringify(r.data.slice(0, 300))} ` +
      `closed=${r.closed} error=${r.error}`);
    await assertAlive('an oversized body');
  });

  it('a body over 1 MiB (chunked): 413 or a clean close, never a 2xx/5xx', async () => {
    const head = `POST /2010-04-01/Accounts/${ctx.dt.accountSid}/Calls.json HTTP/1.1\r\nHost: x\r\n` +
      `Authorization: ${auth()}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
      'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
    const chunk = 'a'.repeat(64 * 1024);
    const parts = [head];
    for (let i = 0; i < 40; i++) parts.push(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    parts.push('0\r\n\r\n');
    const r = await exchange(parts, { stopWhen: (d) => /\r\n\r\n/.test(d) });
    const s = statuses(r.data);
    assert.ok(s.length === 0 ? r.closed : s[0] === 413, `statuses ${s} closed=${r.closed}`);
    await assertAlive('an oversized chunked body');
  });

  it('a valid chunked create works: 201', async () => {
    const body = valid();
    const half = Math.floor(body.length / 2);
    const head = `POST /2010-04-01/Accounts/${ctx.dt.accountSid}/Calls.json HTTP/1.1\r\nHost: x\r\n` +
      `Authorization: ${auth()}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
      'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
    const c = (s) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
    const r = await exchange([head, c(body.slice(0, half)), 50, c(body.slice(half)), '0\r\n\r\n']);
    assert.deepEqual(statuses(r.data), [201], show(r.data));
  });

  it('a garbage request line: 400 or a clean close', async () => {
    const r = await exchange(['GARBAGE\r\n\r\n']);
    const s = statuses(r.data);
    assert.ok(s.length === 0 ? r.closed : s[0] === 400, `statuses ${s} closed=${r.closed} data=${show(r.data)}`);
    await assertAlive('a garbage request line');
  });

  it('binary noise: 400 or a clean close', async () => {
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    const r = await exchange([noise]);
    const s = statuses(r.data);
    assert.ok(s.length === 0 ? r.closed : s[0] === 400, `statuses ${s} closed=${r.closed}`);
    await assertAlive('binary noise');
  });

  it('a header line without a colon: 400 or a clean close', async () => {
    const r = await exchange([`GET /_dialtone/health HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n`]);
    const s = statuses(r.data);
    assert.ok(s.length === 0 ? r.closed : s[0] === 400, `statuses ${s} closed=${r.closed}`);
    await assertAlive('a bad header line');
  });

  it('a non-numeric Content-Length: 400 or a clean close', async () => {
    const r = await exchange([post(valid(), { headers: { 'Content-Length': 'abc' } })]);
    const s = statuses(r.data);
    assert.ok(s.length === 0 ? r.closed : s[0] === 400, `statuses ${s} closed=${r.closed}`);
    await assertAlive('Content-Length: abc');
  });

  it('huge headers (64 KiB, over limits.max_header_bytes): 431', async () => {
    const r = await exchange([`GET /_dialtone/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(64 * 1024)}\r\n\r\n`]);
    const s = statuses(r.data);
    assert.deepEqual(s, [431], `statuses ${s} closed=${r.closed}`);
    await assertAlive('huge headers');
  });

  it('a client that disconnects mid-body leaves the server unharmed', async () => {
    const body = valid();
    const r = await exchange([post(body).slice(0, -10)], { idleMs: 200 });
    assert.deepEqual(statuses(r.data), []);
    await assertAlive('a half-sent body');
  });

  it('pipelined requests on one connection are answered in order', async () => {
    const get = (p) => `GET ${p} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth()}\r\n\r\n`;
    const unknown = `/2010-04-01/Accounts/${ctx.dt.accountSid}/Calls/CA${'0'.repeat(32)}.json`;
    const r = await exchange([get('/_dialtone/health') + get(unknown) + get('/_dialtone/health')],
      { stopWhen: (d) => statuses(d).length === 3 });
    assert.deepEqual(statuses(r.data), [200, 404, 200], show(r.data));
  });

  it('a JSON body on create: 400 (a form is required), not a 5xx', async () => {
    const r = await exchange([post(JSON.stringify({ To: uniqueNumber(), From: FROM, Twiml: HOLD_TWIML }),
      { headers: { 'Content-Type': 'application/json' } })]);
    const s = statuses(r.data);
    assert.equal(s.length, 1, show(r.data));
    assert.equal(s[0], 400, show(r.data));
    await assertAlive('a JSON body');
  });
});
