'use strict';
// HTTP/1.1 by hand over `net` sockets, for tests that must send what no HTTP client would.

const net = require('node:net');

/**
 * Opens a socket to baseUrl, writes `parts` (strings/Buffers; a number means "pause this many
 * ms"), and collects what comes back until the server closes, `stopWhen(data)` holds, or
 * `idleMs` pass without data after the last write. Resolves
 * {data (latin1), closed (the server closed or reset), error, elapsedMs, closedAfterMs}.
 */
function exchange(baseUrl, parts, { idleMs = 1500, stopWhen, totalMs = 60000 } = {}) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const started = Date.now();
    const sock = net.connect({ host: hostname, port: Number(port) });
    const chunks = [];
    let done = false;
    let timer;
    const total = setTimeout(() => finish(false), totalMs);
    function finish(closed, error) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(total);
      sock.destroy();
      resolve({ data: Buffer.concat(chunks).toString('latin1'), closed, error: error && error.code,
        elapsedMs: Date.now() - started, closedAfterMs: closed ? Date.now() - started : null });
    }
    const arm = () => { clearTimeout(timer); timer = setTimeout(() => finish(false), idleMs); };
    sock.on('data', (d) => {
      chunks.push(d);
      if (stopWhen && stopWhen(Buffer.concat(chunks).toString('latin1'))) finish(false);
      else if (writesDone) arm();
    });
    let writesDone = false;
    sock.on('end', () => finish(true));
    sock.on('close', () => finish(true));
    sock.on('error', (e) => finish(true, e));
    sock.on('connect', async () => {
      for (const p of parts) {
        if (done) return;
        if (typeof p === 'number') await new Promise((r) => setTimeout(r, p));
        else if (!sock.write(p)) await new Promise((r) => sock.once('drain', r).once('close', r));
      }
      writesDone = true;
      arm();
    });
  });
}

/**
 * The HTTP responses in `data`, in order (pipelined ones included), framed by Content-Length
 * or chunked encoding: [{status, headers (lower-case names), body}]. A response without
 * framing takes the rest of the data.
 */
function responses(data) {
  const out = [];
  let i = 0;
  while (i < data.length) {
    const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(data.slice(i, i + 200));
    if (!m) break;
    const headEnd = data.indexOf('\r\n\r\n', i);
    if (headEnd < 0) break;
    const headers = {};
    for (const line of data.slice(i, headEnd).split('\r\n').slice(1)) {
      const c = line.indexOf(':');
      if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
    }
    const status = Number(m[1]);
    i = headEnd + 4;
    let body = '';
    if (/chunked/i.test(headers['transfer-encoding'] || '')) {
      for (;;) {
        const lineEnd = data.indexOf('\r\n', i);
        if (lineEnd < 0) { i = data.length; break; }
        const size = parseInt(data.slice(i, lineEnd), 16);
        body += data.slice(lineEnd + 2, lineEnd + 2 + size);
        i = lineEnd + 2 + size + 2;
        if (!size) break;
      }
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      body = data.slice(i, i + n);
      i += n;
    } else if (status !== 204 && status !== 304 && status >= 200) {
      body = data.slice(i);
      i = data.length;
    }
    out.push({ status, headers, body });
  }
  return out;
}

const statuses = (data) => responses(data).map((r) => r.status);

/** The start of a raw response, for failure messages. */
const show = (data) => JSON.stringify(data.length > 600 ? `${data.slice(0, 600)}...` : data);

module.exports = { exchange, responses, statuses, show };
