'use strict';
// A local Media Streams app: a real WebSocket server (npm `ws`) that dialtone connects to for
// <Start><Stream>, <Connect><Stream> and REST Streams. It records every connection: the upgrade
// request (and whether its X-Twilio-Signature verifies over the ws:// URL), every message as
// parsed JSON, and how the socket closed. Tests wait on what arrived, never on a sleep.

const { WebSocketServer } = require('ws');
const twilio = require('twilio');

async function startStreamServer({ authToken, host = '127.0.0.1' } = {}) {
  const wss = new WebSocketServer({ host, port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const port = wss.address().port;
  const connections = [];
  const waiters = new Set();
  const poke = () => { for (const w of waiters) w.check(); };
  // What each path does once a socket opens there (the test's app logic).
  const behaviours = new Map();

  wss.on('connection', (ws, req) => {
    const url = `ws://${host}:${port}${req.url}`;
    const signature = req.headers['x-twilio-signature'];
    const conn = {
      ws,
      path: req.url,
      url,
      headers: req.headers,
      signatureValid: authToken ? twilio.validateRequest(authToken, signature || '', url, {}) : null,
      messages: [],
      closed: null,  // {code, reason} once closed
      of(event) { return this.messages.filter((m) => m.event === event); },
      send(obj) { ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)); },
    };
    connections.push(conn);
    ws.on('message', (data, isBinary) => {
      conn.messages.push(isBinary ? { event: '(binary)' } : JSON.parse(data.toString('utf8')));
      poke();
    });
    ws.on('close', (code, reason) => {
      conn.closed = { code, reason: reason.toString() };
      poke();
    });
    ws.on('error', () => {});
    const behave = behaviours.get(req.url.split('?')[0]);
    if (behave) behave(conn);
    poke();
  });

  return {
    port,
    url(p = '/') { return `ws://${host}:${port}${p}`; },
    connections,
    on(path, behave) { behaviours.set(path, behave); },
    /** Resolves with the first value `fn` returns that is truthy; rejects after timeoutMs. */
    waitFor(fn, { timeoutMs = 5000, what = 'stream condition' } = {}) {
      return new Promise((resolve, reject) => {
        const w = {
          check() {
            let v;
            try { v = fn(); } catch { v = undefined; }
            if (v) {
              clearTimeout(w.timer);
              waiters.delete(w);
              resolve(v);
            }
          },
        };
        w.timer = setTimeout(() => {
          waiters.delete(w);
          const seen = connections.map((c) => `${c.path}: ${c.messages.map((m) => m.event).join(',')}` +
            (c.closed ? ` closed ${c.closed.code}` : ''));
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; connections:\n` +
            seen.join('\n')));
        }, timeoutMs);
        waiters.add(w);
        w.check();
      });
    },
    close() {
      for (const c of connections) c.ws.terminate();
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}

/** `ms` of 8 kHz μ-law: a 440 Hz tone (the bot "speaking"), base64 for a media payload. */
function mulawTone(ms) {
  const n = ms * 8;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i += 1) {
    let s = Math.round(10000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
    const sign = s < 0 ? 0x80 : 0;
    if (s < 0) s = -s;
    s = Math.min(s, 32635) + 0x84;
    let exp = 7;
    for (let mask = 0x4000; (s & mask) === 0 && exp > 0; mask >>= 1) exp -= 1;
    const mant = (s >> (exp + 3)) & 0x0f;
    out[i] = ~(sign | (exp << 4) | mant) & 0xff;
  }
  return out;
}

module.exports = { startStreamServer, mulawTone };
