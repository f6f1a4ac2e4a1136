'use strict';
// The seed's curl examples ("REST API: Modifying Live Calls"), sent as raw HTTP with Basic
// auth exactly as curl sends them: redirect with Url+Method, hang up with Status=completed,
// as JSON (.json) and as XML (no suffix, and .xml).

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { useDialtone, uniqueNumber, FROM } = require('../lib/common');
const { waitForStatus, HOLD_TWIML, fixturesDir } = require('../lib/dialtone');
const schema = require('../lib/schema');
const xml = require('../lib/xml');

const ctx = useDialtone();

// The element names of the seed's XML response, in its order.
const seedText = fs.readFileSync(path.join(fixturesDir, 'modifying-live-calls.txt'), 'utf8');
const seedXml = xml.parse(seedText.slice(seedText.lastIndexOf('<TwilioResponse>')));
const SEED_ELEMENTS = seedXml.children[0].children.map((c) => c.name);

const pascal = (k) => k.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join('');

async function liveCall() {
  const r = await ctx.api.create({ To: uniqueNumber(), From: FROM, Twiml: HOLD_TWIML });
  assert.equal(r.status, 201, r.text);
  await waitForStatus(ctx.api, r.json.sid, 'in-progress');
  return r.json.sid;
}

function parseCallXml(r) {
  assert.match(r.headers.get('content-type') || '', /^(application|text)\/xml/, 'XML content type');
  const doc = xml.parse(r.text);
  assert.equal(doc.name, 'TwilioResponse');
  assert.equal(doc.children.length, 1);
  const call = doc.children[0];
  assert.equal(call.name, 'Call');
  const fields = {};
  for (const c of call.children) fields[c.name] = c;
  return { doc, call, fields, text: (n) => fields[n] && fields[n].text };
}

describe('Example 1: redirect a running call to a new URL', () => {
  it('JSON (.json): 200, the call in-progress, and the new URL is fetched with POST', async () => {
    const sid = await liveCall();
    const r = await ctx.api.update(sid, { Url: ctx.hooks.url('/voice.xml'), Method: 'POST' });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.equal(schema.callProblem(r.json), null);
    assert.equal(r.json.sid, sid);
    assert.equal(r.json.status, 'in-progress');
    assert.equal(r.json.direction, 'outbound-api');
    assert.equal(r.json.account_sid, ctx.dt.accountSid);
    const [req] = await ctx.hooks.waitFor((q) => q.path === '/voice.xml' && q.fields.CallSid === sid,
      { what: 'the redirect to /voice.xml' });
    assert.equal(req.method, 'POST');
    assert.equal(req.signatureValid, true);
  });

  it('XML (no suffix): 200, <TwilioResponse><Call> with the seed\'s elements', async () => {
    const sid = await liveCall();
    const r = await ctx.api.update(sid, { Url: ctx.hooks.url('/voice.xml'), Method: 'POST' }, '');
    assert.equal(r.status, 200, r.text);
    const { fields, text } = parseCallXml(r);
    for (const name of SEED_ELEMENTS) assert.ok(name in fields, `<${name}> present`);
    assert.equal(text('Sid'), sid);
    assert.equal(text('Status'), 'in-progress');
    assert.equal(text('Direction'), 'outbound-api');
    assert.equal(text('ApiVersion'), '2010-04-01');
    assert.equal(text('ParentCallSid'), '', 'null is an empty element');
    assert.equal(text('Uri'), `/2010-04-01/Accounts/${ctx.dt.accountSid}/Calls/${sid}`, 'Uri without .json');
    const subs = fields.SubresourceUris.children;
    const notif = subs.find((c) => c.name === 'Notifications');
    assert.ok(notif, '<SubresourceUris><Notifications>');
    assert.equal(notif.text, `/2010-04-01/Accounts/${ctx.dt.accountSid}/Calls/${sid}/Notifications`);
  });
});

describe('Example 2: hang up a call (Status=completed)', () => {
  it('JSON (.json): 200, completed, end_time and duration set', async () => {
    const sid = await liveCall();
    const r = await ctx.api.update(sid, { Status: 'completed' });
    assert.equal(r.status, 200, r.text);
    assert.equal(schema.callProblem(r.json), null);
    assert.equal(r.json.status, 'completed');
    assert.equal(r.json.direction, 'outbound-api');
    assert.ok(schema.isRfc2822(r.json.end_time), `end_time ${r.json.end_time}`);
    assert.ok(schema.isRfc2822(r.json.start_time), `start_time ${r.json.start_time}`);
    assert.match(r.json.duration, /^\d+$/);
  });

  it('XML (no suffix): 200, <Status>completed</Status>', async () => {
    const sid = await liveCall();
    const r = await ctx.api.update(sid, { Status: 'completed' }, '');
    assert.equal(r.status, 200, r.text);
    const { text } = parseCallXml(r);
    assert.equal(text('Status'), 'completed');
    assert.ok(schema.isRfc2822(text('EndTime')), `EndTime ${text('EndTime')}`);
    assert.match(text('Duration'), /^\d+$/);
  });
});

describe('representations', () => {
  it('.xml and no suffix give the same document; its fields match the JSON', async () => {
    const sid = await liveCall();
    const json = (await ctx.api.fetchCall(sid)).json;
    const a = await ctx.api.fetchCall(sid, '.xml');
    const b = await ctx.api.fetchCall(sid, '');
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(a.text, b.text);
    const { call, text } = parseCallXml(a);
    for (const [k, v] of Object.entries(json)) {
      if (k === 'uri' || k === 'subresource_uris') continue;
      const name = pascal(k);
      assert.ok(call.children.some((c) => c.name === name), `<${name}> for ${k}`);
      assert.equal(text(name), v === null ? '' : String(v), `<${name}>`);
    }
    await ctx.api.update(sid, { Status: 'completed' });
  });

  it('create answers XML without a suffix: 201 <TwilioResponse><Call>', async () => {
    const r = await ctx.api.create({ To: uniqueNumber(), From: FROM, Twiml: HOLD_TWIML }, '');
    assert.equal(r.status, 201, r.text);
    const { text } = parseCallXml(r);
    assert.equal(text('Status'), 'queued');
    await ctx.api.update(text('Sid'), { Status: 'canceled' });
  });

  it('errors in XML: <TwilioResponse><RestException>', async () => {
    const unknown = 'CA' + 'e'.repeat(32);
    const r = await ctx.api.fetchCall(unknown, '');
    assert.equal(r.status, 404);
    assert.match(r.headers.get('content-type') || '', /^(application|text)\/xml/);
    const doc = xml.parse(r.text);
    assert.equal(doc.name, 'TwilioResponse');
    const ex = xml.child(doc, 'RestException');
    assert.ok(ex, '<RestException>');
    const val = (n) => xml.child(ex, n) && xml.child(ex, n).text;
    assert.equal(val('Code'), '20404');
    assert.equal(val('Status'), '404');
    assert.equal(val('MoreInfo'), 'https://www.twilio.com/docs/errors/20404');
    assert.ok(val('Message'));
  });

  it('DELETE without a suffix is 204 too', async () => {
    const r = await ctx.api.create({ To: uniqueNumber(), From: FROM, Twiml: HOLD_TWIML });
    await ctx.api.update(r.json.sid, { Status: 'canceled' });
    const d = await ctx.api.remove(r.json.sid, '');
    assert.equal(d.status, 204);
    assert.equal(d.text, '');
  });

  it('list in XML: <TwilioResponse><Calls page=.. pagesize=..>', async () => {
    const r = await ctx.api.list('PageSize=2', '');
    assert.equal(r.status, 200, r.text);
    const doc = xml.parse(r.text);
    const calls = xml.child(doc, 'Calls');
    assert.ok(calls, '<Calls>');
    assert.equal(calls.attrs.page, '0');
    assert.equal(calls.attrs.pagesize, '2');
    for (const a of ['firstpageuri', 'nextpageuri', 'previouspageuri', 'uri']) {
      assert.ok(a in calls.attrs, `<Calls ${a}=...>`);
    }
    assert.equal(calls.attrs.previouspageuri, '', 'no previous page: empty attribute');
    assert.ok(calls.children.every((c) => c.name === 'Call'));
    assert.ok(calls.children.length <= 2);
  });
});
