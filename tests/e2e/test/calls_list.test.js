'use strict';
// List calls (GET Calls.json) through pages, with a dialtone of its own so that it holds
// exactly the calls this file creates.

const { describe, it, before } = require('node:test');
const assert = require('node:assert/strict');
const { useDialtone, uniqueNumber, FROM } = require('../lib/common');
const { HOLD_TWIML, waitUntil } = require('../lib/dialtone');
const schema = require('../lib/schema');

const ctx = useDialtone();
const created = [];  // oldest first
const N = 7;

function pagingQuery(uri) {
  const q = new URL(uri, 'http://x').searchParams;
  return { PageSize: q.get('PageSize'), Page: q.get('Page'), PageToken: q.get('PageToken') };
}

describe('list calls', () => {
  before(async () => {
    for (let i = 0; i < N; i++) {
      const call = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
      created.push(call.sid);
    }
  });

  it('list({pageSize: 3}) walks every page and returns all calls, newest first', async () => {
    const before = ctx.client.httpClient.exchanges.length;
    const calls = await ctx.client.calls.list({ pageSize: 3 });
    assert.deepEqual(calls.map((c) => c.sid), [...created].reverse());
    const gets = ctx.client.httpClient.exchanges.slice(before).filter((e) => e.method === 'GET');
    assert.equal(gets.length, 3, 'three pages of 3, 3 and 1');
    assert.deepEqual(gets.map((e) => e.body.calls.length), [3, 3, 1]);
  });

  it('page()/nextPage() see every call once, with a consistent envelope', async () => {
    const seen = [];
    let page = await ctx.client.calls.page({ pageSize: 3 });
    const bodies = [];
    for (let i = 0; page; i++) {
      assert.ok(i < 5, 'paging terminates');
      bodies.push(ctx.client.httpClient.last.body);
      seen.push(...page.instances.map((c) => c.sid));
      page = await page.nextPage();
    }
    assert.deepEqual(seen, [...created].reverse());
    assert.equal(bodies.length, 3);

    const base = `/2010-04-01/Accounts/${ctx.dt.accountSid}/Calls.json`;
    bodies.forEach((b, i) => {
      assert.equal(b.page, i, 'page');
      assert.equal(b.page_size, 3, 'page_size');
      assert.equal(b.start, i * 3, 'start');
      assert.equal(b.end, i * 3 + b.calls.length - 1, 'end');
      assert.ok(b.uri.startsWith(base), `uri ${b.uri}`);
      assert.ok(b.first_page_uri.startsWith(base), `first_page_uri ${b.first_page_uri}`);
      assert.deepEqual(pagingQuery(b.first_page_uri), { PageSize: '3', Page: '0', PageToken: null });
      if (i === 0) assert.equal(b.previous_page_uri, null);
      else {
        assert.ok(b.previous_page_uri.startsWith(base));
        assert.equal(pagingQuery(b.previous_page_uri).Page, String(i - 1));
      }
      if (i === bodies.length - 1) assert.equal(b.next_page_uri, null);
      else {
        assert.ok(b.next_page_uri.startsWith(base), `next_page_uri ${b.next_page_uri}`);
        const q = pagingQuery(b.next_page_uri);
        assert.equal(q.Page, String(i + 1));
        assert.equal(q.PageSize, '3');
        assert.ok(q.PageToken, 'next_page_uri carries a PageToken');
      }
    });
  });

  it('previousPage() goes back to the same calls', async () => {
    const first = await ctx.client.calls.page({ pageSize: 3 });
    const second = await first.nextPage();
    const back = await second.previousPage();
    assert.ok(back, 'previousPage() of page 1 returns a page');
    assert.deepEqual(back.instances.map((c) => c.sid), first.instances.map((c) => c.sid));
  });

  it('the raw list body validates against the ListCall schema', async () => {
    const r = await ctx.api.list('PageSize=3');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.equal(schema.listProblem(r.json), null);
    assert.deepEqual(Object.keys(r.json).sort(), schema.load().listProperties.slice().sort());
  });

  it('defaults to 50 per page', async () => {
    const r = await ctx.api.list('');
    assert.equal(r.status, 200);
    assert.equal(r.json.page_size, 50);
    assert.equal(r.json.calls.length, N);
    assert.equal(r.json.next_page_uri, null);
  });

  it('filters by To', async () => {
    const target = await ctx.client.calls(created[2]).fetch();
    const calls = await ctx.client.calls.list({ to: target.to });
    assert.deepEqual(calls.map((c) => c.sid), [created[2]]);
  });

  it('an empty result is an empty page', async () => {
    const calls = await ctx.client.calls.list({ to: '+19995550123' });
    assert.deepEqual(calls, []);
    const r = await ctx.api.list('To=%2B19995550123');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.calls, []);
    assert.equal(r.json.next_page_uri, null);
    assert.equal(r.json.previous_page_uri, null);
  });

  it('filters by Status and by StartTime', async () => {
    const extra = await ctx.client.calls.create({ to: uniqueNumber(), from: FROM, twiml: HOLD_TWIML });
    await ctx.client.calls(extra.sid).update({ status: 'canceled' });
    const canceled = await ctx.client.calls.list({ status: 'canceled' });
    assert.deepEqual(canceled.map((c) => c.sid), [extra.sid]);
    // The seven hold calls answer after the ring time.
    const live = await waitUntil(async () => {
      const l = await ctx.client.calls.list({ status: 'in-progress' });
      return l.length === N ? l : null;
    }, { what: `${N} in-progress calls` });
    assert.deepEqual(live.map((c) => c.sid), [...created].reverse());
    // Calls that started since yesterday: the answered ones, not the canceled one.
    const since = await ctx.client.calls.list({ startTimeAfter: new Date(Date.now() - 86400e3) });
    assert.deepEqual(since.map((c) => c.sid).sort(), [...created].sort());
    const before = await ctx.client.calls.list({ startTimeBefore: new Date(Date.now() - 86400e3) });
    assert.deepEqual(before, []);
    await ctx.client.calls(extra.sid).remove();
  });

  it('limit stops early', async () => {
    const calls = await ctx.client.calls.list({ limit: 4, pageSize: 3 });
    assert.deepEqual(calls.map((c) => c.sid), [...created].reverse().slice(0, 4));
  });
});
