'use strict';
// The console page (/_dialtone/) in a real browser: Debian's Chromium, headless, driven by
// playwright-core (which downloads no browser). The page loads, a call created through the API
// shows up within a second (Server-Sent Events, no polling), a click on "Hang up" ends it and
// the timeline shows the completed state. Screenshots go to tests/e2e/artifacts/; with
// DIALTONE_DOCS_SCREENSHOT=1 the realistic one also replaces docs/console.png (the README's).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { useDialtone, uniqueNumber, FROM } = require('../lib/common');
const { repoRoot } = require('../lib/dialtone');

const CHROMIUM = process.env.DIALTONE_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = path.join(__dirname, '..', 'artifacts');
const HOLD = '<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="600"/></Response>';

const ctx = useDialtone();

/** A control API request with a form body; returns the parsed JSON (asserting `status`). */
async function control(method, p, form, status = 200) {
  const init = { method };
  if (form) {
    init.headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    init.body = new URLSearchParams(form).toString();
  }
  const res = await fetch(`${ctx.dt.baseUrl}/_dialtone${p}`, init);
  const text = await res.text();
  assert.equal(res.status, status, `${method} ${p}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Blocks server-side until the call's journal satisfies `condition`. */
function waitFor(callSid, condition) {
  return control(
    'GET',
    `/calls/${callSid}/events?wait_for=${encodeURIComponent(condition)}&timeout=10`,
  );
}

describe('console', { skip: !fs.existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM}` }, () => {
  let context;
  let page;
  let profile;

  before(async () => {
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dialtone-chromium-'));
    // A persistent context is how a fresh --user-data-dir is given to Chromium.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1440, height: 900 },
    });
    page = context.pages()[0] || (await context.newPage());
    page.on('pageerror', (e) => {
      throw e;
    });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    if (context) await context.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it('serves the page and its files with content types and ETags', async () => {
    const index = await fetch(`${ctx.dt.baseUrl}/_dialtone/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type'), /^text\/html/);
    assert.match(index.headers.get('content-security-policy'), /default-src 'self'/);
    assert.match(await index.text(), /console\/console\.js/);
    const js = await fetch(`${ctx.dt.baseUrl}/_dialtone/console/console.js`);
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
    assert.equal(js.headers.get('cache-control'), 'no-cache');
    const etag = js.headers.get('etag');
    await js.arrayBuffer();
    const again = await fetch(`${ctx.dt.baseUrl}/_dialtone/console/console.js`, {
      headers: { 'If-None-Match': etag },
    });
    assert.equal(again.status, 304);
    const css = await fetch(`${ctx.dt.baseUrl}/_dialtone/console/console.css`);
    assert.match(css.headers.get('content-type'), /^text\/css/);
    await css.arrayBuffer();
    const missing = await fetch(`${ctx.dt.baseUrl}/_dialtone/console/nope.js`);
    assert.equal(missing.status, 404);
    await missing.arrayBuffer();
  });

  it('shows a new call within a second, hangs it up on a click, draws its timeline', async () => {
    const { hooks, client } = ctx;
    hooks.route('/hold', HOLD);
    await page.goto(`${ctx.dt.baseUrl}/_dialtone/`);
    await page.locator('#conn[data-state="live"]').waitFor({ timeout: 5000 });

    const call = await client.calls.create({
      to: uniqueNumber(),
      from: FROM,
      url: hooks.url('/hold'),
    });
    // Within a second of the API's answer, pushed by the stream (the page never polls).
    const row = page.locator(`#calls-body tr[data-call-sid="${call.sid}"]`);
    await row.waitFor({ timeout: 1000 });

    await waitFor(call.sid, 'status:in-progress');
    await page
      .locator(`#calls-body tr[data-call-sid="${call.sid}"][data-status="in-progress"]`)
      .waitFor({ timeout: 2000 });
    await row.click();
    await page.locator('#timeline [data-status="in-progress"]').waitFor({ timeout: 2000 });

    await page.getByRole('button', { name: 'Hang up' }).click();
    await page
      .locator(`#calls-body tr[data-call-sid="${call.sid}"][data-status="completed"]`)
      .waitFor({ timeout: 2000 });
    await page.locator('#timeline [data-status="completed"]').waitFor({ timeout: 2000 });
    const fetched = await client.calls(call.sid).fetch();
    assert.equal(fetched.status, 'completed');
    const callee = await control('GET', `/calls/${call.sid}/events?type=callee`);
    assert.deepEqual(
      callee.events.map((e) => e.fields.action),
      ['hang up'],
    );

    // Clicking a webhook marker shows the request and its response.
    await page.locator('#timeline [data-type="webhook.request"]').first().click();
    await page.locator('#inspector h4', { hasText: 'Response body' }).waitFor({ timeout: 2000 });
    assert.match(await page.locator('#inspector').innerText(), /Pause/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console.png') });
  });

  it('drives a call as the app (redirect to TwiML) and filters by status', async () => {
    const { hooks, client } = ctx;
    const call = await client.calls.create({
      to: uniqueNumber(),
      from: FROM,
      url: hooks.url('/hold'),
    });
    await waitFor(call.sid, 'status:in-progress');
    await page.locator(`#calls-body tr[data-call-sid="${call.sid}"]`).click();
    await page.getByRole('button', { name: 'Redirect…' }).click();
    await page.locator('#redirect-form input[value="twiml"]').check();
    await page.locator('#redirect-twiml').fill('<Response><Say>Bye</Say><Hangup/></Response>');
    await page.getByRole('button', { name: 'Update call' }).click();
    await waitFor(call.sid, 'status:completed');
    await page.locator('#timeline [data-status="completed"]').waitFor({ timeout: 2000 });
    const api = await control('GET', `/calls/${call.sid}/events?type=api.request`);
    assert.ok(
      api.events.some(
        (e) => e.fields.Twiml || e.fields.twiml || /Twiml/i.test(JSON.stringify(e.fields)),
      ),
      `the update went through Twilio's API: ${JSON.stringify(api.events)}`,
    );

    await page.locator('#status-filter [data-status="in-progress"]').click();
    await page
      .locator(`#calls-body tr[data-call-sid="${call.sid}"]`)
      .waitFor({ state: 'detached' });
    await page.locator('#status-filter [data-status=""]').click();
  });

  it('a realistic flow for the README: calls, a <Dial> child leg, the timeline open', async () => {
    const { hooks, client } = ctx;
    const xml = (body) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
    const agent = '+14155550142';
    hooks.route(
      '/ivr',
      xml(
        `<Say>Thanks for calling Acme.</Say><Gather numDigits="1" action="${hooks.url('/menu')}">` +
          '<Say>For sales press 1, for support press 2.</Say></Gather>',
      ),
    );
    hooks.route(
      '/menu',
      xml(`<Say>Connecting you to sales.</Say><Dial timeout="20">${agent}</Dial>`),
    );
    hooks.route('/status', '');
    hooks.route('/broken', { status: 500, contentType: 'text/plain', body: 'boom' });
    await control('POST', '/behaviors', { Number: '+14155550199', Outcome: 'busy' }, 201);

    const done = await client.calls.create({
      to: '+14155550123',
      from: '+14155550100',
      url: hooks.url('/hold'),
    });
    await waitFor(done.sid, 'status:in-progress');
    await control('POST', `/calls/${done.sid}/hangup`);
    const busy = await client.calls.create({
      to: '+14155550199',
      from: '+14155550100',
      url: hooks.url('/hold'),
    });
    await waitFor(busy.sid, 'status:busy');
    const broken = await client.calls.create({
      to: '+14155550177',
      from: '+14155550100',
      url: hooks.url('/broken'),
    });
    await waitFor(broken.sid, 'notification');

    const ivr = await client.calls.create({
      to: '+14155550100',
      from: '+14155550111',
      url: hooks.url('/ivr'),
      statusCallback: hooks.url('/status'),
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    await waitFor(ivr.sid, 'verb:verb=Gather');
    await control('POST', `/calls/${ivr.sid}/digits`, { Digits: '1' });
    await waitFor(ivr.sid, 'verb:verb=Dial');
    const legs = await control('GET', '/events?type=status');
    const child = legs.events.find((e) => e.fields.parent === ivr.sid);
    assert.ok(child, 'the <Dial> started a child leg');
    await waitFor(child.call_sid, 'status:in-progress');
    const ringing = await client.calls.create({
      to: uniqueNumber(),
      from: '+14155550100',
      url: hooks.url('/hold'),
      timeout: 60,
    });
    await waitFor(ringing.sid, 'status:ringing');

    await page.goto(`${ctx.dt.baseUrl}/_dialtone/#${ivr.sid}`);
    await page
      .locator(`#calls-body tr[data-call-sid="${child.call_sid}"].child`)
      .waitFor({ timeout: 2000 });
    await page.locator('#timeline [data-status="in-progress"]').waitFor({ timeout: 2000 });
    const fetches = await control('GET', `/calls/${ivr.sid}/events?type=webhook.request`);
    const menu = fetches.events.find((e) => e.fields.url.endsWith('/menu'));
    await page.locator(`#timeline [data-seq="${menu.seq}"]`).click();
    await page
      .locator('#inspector h4', { hasText: 'Request parameters' })
      .waitFor({ timeout: 2000 });
    const shot = path.join(ARTIFACTS, 'console-flow.png');
    await page.screenshot({ path: shot });
    if (process.env.DIALTONE_DOCS_SCREENSHOT === '1') {
      fs.mkdirSync(path.join(repoRoot, 'docs'), { recursive: true });
      fs.copyFileSync(shot, path.join(repoRoot, 'docs', 'console.png'));
    }
  });
});
