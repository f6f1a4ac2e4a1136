'use strict';
// A tiny stand-in for the customer's web app: records every webhook dialtone sends, serves
// configurable TwiML per path, and checks each request's X-Twilio-Signature with the official
// `twilio.validateRequest`.

const http = require('node:http');
const https = require('node:https');
const twilio = require('twilio');

const DEFAULT_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="600"/></Response>';

/** Parses a query string or form body; repeated keys become arrays (as Twilio signs them). */
function parseParams(s) {
  const out = {};
  for (const [k, v] of new URLSearchParams(s)) {
    if (k in out) out[k] = [].concat(out[k], v);
    else out[k] = v;
  }
  return out;
}

/**
 * startWebhookServer({authToken, tls}) -> {url(path), requests, route(path, response), hits,
 * waitFor, close}. A route's response is a string (TwiML, 200 text/xml) or {status, contentType,
 * body, delayMs}, or a function(request) returning either. With `tls` ({key, cert}) the app
 * serves HTTPS, and signatures are checked over the https URL dialtone requested.
 */
async function startWebhookServer({ authToken, host = '127.0.0.1', tls } = {}) {
  const scheme = tls ? 'https' : 'http';
  const requests = [];
  const routes = new Map();
  const waiters = new Set();
  let defaultResponse = DEFAULT_TWIML;

  const handler = (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const parsed = new URL(req.url, `http://${req.headers.host || host}`);
      // The URL Twilio signed is the one it requested: this server's own address plus the
      // request target exactly as received.
      const url = `${scheme}://${host}:${server.address().port}${req.url}`;
      const isForm = (req.headers['content-type'] || '').startsWith('application/x-www-form-urlencoded');
      const params = req.method === 'POST' && isForm ? parseParams(body) : {};
      const query = parseParams(parsed.search);
      const signature = req.headers['x-twilio-signature'];
      const record = {
        method: req.method,
        path: parsed.pathname,
        url,
        headers: req.headers,
        body,
        params,
        query,
        // Twilio's parameters, wherever they travelled (form body for POST, query for GET).
        fields: req.method === 'GET' ? query : params,
        signature,
        signatureValid: authToken ? twilio.validateRequest(authToken, signature || '', url, params) : null,
        at: Date.now(),
      };
      requests.push(record);
      for (const w of waiters) w.check();

      let spec = routes.has(parsed.pathname) ? routes.get(parsed.pathname) : defaultResponse;
      if (typeof spec === 'function') spec = await spec(record);  // a route may answer later (a Promise)
      if (typeof spec === 'string') spec = { body: spec };
      const { status = 200, contentType = 'text/xml', body: out = '', delayMs = 0 } = spec || {};
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      res.writeHead(status, { 'Content-Type': contentType });
      res.end(out);
    });
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handler)
    : http.createServer(handler);
  await new Promise((resolve) => server.listen(0, host, resolve));
  const base = `${scheme}://${host}:${server.address().port}`;

  return {
    base,
    requests,
    url(p = '/') { return base + p; },
    route(p, response) { routes.set(p, response); },
    setDefault(response) { defaultResponse = response; },
    /** Requests on path `p`, only those of `callSid` when given. */
    hits(p, callSid) {
      return requests.filter((r) => r.path === p && (!callSid || r.fields.CallSid === callSid));
    },
    /** Requests matching `pred`, waiting until at least `count` arrived or timeoutMs passed. */
    waitFor(pred, { count = 1, timeoutMs = 5000, what = 'webhook request' } = {}) {
      return new Promise((resolve, reject) => {
        const w = {
          check() {
            const hits = requests.filter(pred);
            if (hits.length >= count) {
              clearTimeout(w.timer);
              waiters.delete(w);
              resolve(hits);
            }
          },
        };
        w.timer = setTimeout(() => {
          waiters.delete(w);
          const seen = requests.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.fields)}`);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${count} x ${what}; ` +
            `received ${requests.length}:\n${seen.join('\n')}`));
        }, timeoutMs);
        waiters.add(w);
        w.check();
      });
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}

module.exports = { startWebhookServer, parseParams, DEFAULT_TWIML };
