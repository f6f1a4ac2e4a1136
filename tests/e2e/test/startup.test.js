'use strict';
// Process conventions: --port 0, the first log line names the address, health, SIGTERM.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { startDialtone } = require('../lib/dialtone');

test('the first log line names the bound address; health answers; SIGTERM exits 0', async () => {
  const dt = await startDialtone();
  try {
    assert.match(dt.lines[0], /dialtone listening on http:\/\/127\.0\.0\.1:(\d+)/,
      `first log line: ${JSON.stringify(dt.lines[0])}`);
    const port = Number(new URL(dt.baseUrl).port);
    assert.ok(port > 0, 'port 0 was replaced by a real port');

    const health = await fetch(`${dt.baseUrl}/_dialtone/health`);
    assert.equal(health.status, 200);
    await health.arrayBuffer();

  } finally {
    const exit = await dt.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `exit on SIGTERM. Output:\n${dt.log()}`);
  }
});

test('two instances on --port 0 get different ports', async () => {
  const [a, b] = await Promise.all([startDialtone(), startDialtone()]);
  try {
    assert.notEqual(a.baseUrl, b.baseUrl);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('an unknown /_dialtone/ route is 404 (control routes need no Twilio credentials)', async () => {
  const dt = await startDialtone();
  try {
    const nope = await fetch(`${dt.baseUrl}/_dialtone/no-such-route`);
    await nope.arrayBuffer();
    assert.equal(nope.status, 404);
  } finally {
    await dt.stop();
  }
});
