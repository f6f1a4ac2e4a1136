'use strict';
// `dialtone healthcheck`, the container image's HEALTHCHECK: exit 0 when the dialtone its
// settings describe answers GET /_dialtone/health with 200, exit 1 otherwise, quickly.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { startDialtone, runToExit } = require('../lib/dialtone');

// Settings from the runner's own environment must not leak into the healthcheck.
const CLEAN = { DIALTONE_PORT: null, DIALTONE_HOST: null, DIALTONE_CONFIG: null };

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

let dt;
let port;
before(async () => {
  dt = await startDialtone();
  port = Number(new URL(dt.baseUrl).port);
});
after(async () => { await dt.stop(); });

test('healthy: --port, DIALTONE_PORT, a --config file, and host 0.0.0.0 meaning loopback', async () => {
  const byFlag = await runToExit(['healthcheck', '--port', String(port)], { env: CLEAN });
  assert.equal(byFlag.code, 0, byFlag.output);
  assert.match(byFlag.output, /healthy: http:\/\/127\.0\.0\.1:\d+\/_dialtone\/health: HTTP\/1\.1 200/);

  const byEnv = await runToExit(['healthcheck'], { env: { ...CLEAN, DIALTONE_PORT: String(port) } });
  assert.equal(byEnv.code, 0, byEnv.output);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dialtone-hc-'));
  try {
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, JSON.stringify({ host: '0.0.0.0', port }));
    const byFile = await runToExit(['healthcheck', '--config', file], { env: CLEAN });
    assert.equal(byFile.code, 0, byFile.output);
    assert.match(byFile.output, /127\.0\.0\.1/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('unhealthy: nothing listens on the port', async () => {
  const probe = net.createServer();
  const closed = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  const r = await runToExit(['healthcheck', '--port', String(closed)], { env: CLEAN });
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, /unhealthy: .*cannot connect/);
});

test('unhealthy: a server that answers 503, and one that never answers (2 s timeout)', async () => {
  const sick = http.createServer((req, res) => { res.writeHead(503); res.end('{}'); });
  const held = new Set();
  const silent = net.createServer((socket) => { held.add(socket); });  // accept, say nothing
  const sickPort = await listen(sick);
  const silentPort = await listen(silent);
  try {
    const r503 = await runToExit(['healthcheck', '--port', String(sickPort)], { env: CLEAN });
    assert.equal(r503.code, 1, r503.output);
    assert.match(r503.output, /HTTP\/1\.1 503/);

    const t0 = Date.now();
    const hung = await runToExit(['healthcheck', '--port', String(silentPort)], { env: CLEAN });
    const ms = Date.now() - t0;
    assert.equal(hung.code, 1, hung.output);
    assert.match(hung.output, /no answer within 2000 ms/);
    assert.ok(ms >= 1900 && ms < 5000, `took ${ms} ms`);
  } finally {
    for (const socket of held) socket.destroy();
    sick.closeAllConnections();
    await Promise.all([sick, silent].map((s) => new Promise((resolve) => s.close(resolve))));
  }
});

test('unhealthy, exit 1 (not 2): port 0 and a configuration error', async () => {
  const zero = await runToExit(['healthcheck', '--port', '0'], { env: CLEAN });
  assert.equal(zero.code, 1, zero.output);
  assert.match(zero.output, /port 0/);
  const bad = await runToExit(['healthcheck', '--no-such-option', 'x'], { env: CLEAN });
  assert.equal(bad.code, 1, bad.output);
  assert.match(bad.output, /configuration error/);
});
