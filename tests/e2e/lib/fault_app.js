'use strict';
// A fault-injecting stand-in for the customer's web app: every path is one way an app server
// can be broken. It speaks HTTP by hand over `net` (and `tls`) sockets so that it can break
// the protocol itself: reset mid-response, stall, drip, lie about lengths, answer garbage.
//
//   const app = await startFaultApp();            // plain HTTP on 127.0.0.1
//   const tlsApp = await startFaultApp({ tls: { key, cert } });
//   app.url('stall')  -> http://127.0.0.1:PORT/stall
//   app.requests      -> [{fault, method, path, headers, body, at}]
//   app.close()
//
// Faults (the path's first segment):
//   ok               200 text/xml, <Hangup/> (the control case)
//   status/NNN       that status with a text/xml body
//   redirect-self    302 to itself, forever
//   redirect-pingpong/a|b   302 a -> b -> a ...
//   redirect-bad     302 with a Location that is no URL
//   empty            200 text/xml with an empty body
//   non-xml          200 text/xml, plain text
//   not-twiml        200 text/xml, well-formed XML whose root is not <Response>
//   html             200 text/html, an HTML page (Twilio takes text/html as TwiML)
//   json             200 application/json
//   redirect-to?u=U  302 to U
//   no-content-type  200 without Content-Type
//   huge             200 text/xml, 1 MiB (Content-Length)
//   huge-chunked     200 text/xml, 1 MiB (chunked)
//   stall            reads the request, never answers
//   stall-body       the status line and headers, then nothing
//   drip             headers, then one body byte every 100 ms, forever
//   reset            a TCP reset as soon as the request arrived
//   reset-mid        half the headers, then a reset
//   close-early      Content-Length 1000, 10 bytes, then FIN
//   garbage          bytes that are not HTTP
//   bad-chunked      chunked framing with a chunk size that is not hex

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const tls = require('node:tls');

const XML = '<?xml version="1.0" encoding="UTF-8"?>';
// Hangs up at once: no verb that takes (manual-clock) time.
const OK_TWIML = `${XML}<Response><Hangup/></Response>`;

function head(status, reason, headers) {
  return `HTTP/1.1 ${status} ${reason}\r\n` +
    Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
}

function respond(sock, status, reason, body, headers = {}) {
  const h = { 'Content-Length': Buffer.byteLength(body), Connection: 'close', ...headers };
  sock.end(head(status, reason, h) + body);
}

/** Parses one request head (+ Content-Length body) from `buf`; null while incomplete. */
function parseRequest(buf) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const [method, target] = lines[0].split(' ');
  const headers = {};
  for (const l of lines.slice(1)) {
    const c = l.indexOf(':');
    if (c > 0) headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
  }
  const len = Number(headers['content-length'] || 0);
  if (buf.length < end + 4 + len) return null;
  return { method, target, headers, body: buf.subarray(end + 4, end + 4 + len).toString('utf8') };
}

async function startFaultApp({ tls: tlsOptions = null, host = '127.0.0.1' } = {}) {
  const requests = [];
  const sockets = new Set();
  const timers = new Set();
  const every = (ms, fn) => { const t = setInterval(fn, ms); timers.add(t); return t; };

  function handle(sock, req) {
    const url = new URL(req.target, 'http://x');
    const segs = url.pathname.split('/').filter(Boolean);
    const fault = segs[0] || '';
    requests.push({ fault, method: req.method, path: url.pathname, query: url.search,
      headers: req.headers, body: req.body, at: Date.now() });
    const self = `${tlsOptions ? 'https' : 'http'}://${req.headers.host}`;
    switch (fault) {
      case 'ok': return respond(sock, 200, 'OK', OK_TWIML, { 'Content-Type': 'text/xml' });
      case 'status': {
        const s = Number(segs[1]) || 500;
        return respond(sock, s, 'Fault', `${XML}<Response><Say>status ${s}</Say></Response>`,
          { 'Content-Type': 'text/xml' });
      }
      case 'redirect-self':
        return respond(sock, 302, 'Found', '', { Location: `${self}${url.pathname}` });
      case 'redirect-pingpong':
        return respond(sock, 302, 'Found', '',
          { Location: `/redirect-pingpong/${segs[1] === 'a' ? 'b' : 'a'}` });
      case 'redirect-bad':
        return respond(sock, 302, 'Found', '', { Location: 'http://[not a host' });
      case 'empty': return respond(sock, 200, 'OK', '', { 'Content-Type': 'text/xml' });
      case 'non-xml':
        return respond(sock, 200, 'OK', 'this is not XML at all', { 'Content-Type': 'text/xml' });
      case 'not-twiml':
        return respond(sock, 200, 'OK', `${XML}<html><body>hello</body></html>`,
          { 'Content-Type': 'text/xml' });
      case 'html':
        return respond(sock, 200, 'OK', '<html><body>hello</body></html>',
          { 'Content-Type': 'text/html' });
      case 'json':
        return respond(sock, 200, 'OK', '{"twiml": "<Response/>"}',
          { 'Content-Type': 'application/json' });
      case 'redirect-to':
        return respond(sock, 302, 'Found', '', { Location: url.searchParams.get('u') });
      case 'no-content-type': return respond(sock, 200, 'OK', OK_TWIML);
      case 'huge': {
        const body = `${XML}<Response><Say>${'x'.repeat(1 << 20)}</Say></Response>`;
        return respond(sock, 200, 'OK', body, { 'Content-Type': 'text/xml' });
      }
      case 'huge-chunked': {
        sock.write(head(200, 'OK', { 'Content-Type': 'text/xml', 'Transfer-Encoding': 'chunked',
          Connection: 'close' }));
        const chunk = 'x'.repeat(64 * 1024);
        const frame = `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
        let n = 0;
        const pump = () => {
          while (n < 16 && !sock.destroyed) {
            n += 1;
            if (!sock.write(frame)) return sock.once('drain', pump);
          }
          if (!sock.destroyed) sock.end('0\r\n\r\n');
        };
        return pump();
      }
      case 'stall': return undefined;  // the socket stays open until dialtone gives up
      case 'stall-body':
        sock.write(head(200, 'OK', { 'Content-Type': 'text/xml', 'Content-Length': 200 }));
        return undefined;
      case 'drip': {
        sock.write(head(200, 'OK', { 'Content-Type': 'text/xml', 'Content-Length': 1000 }));
        const t = every(100, () => { if (!sock.destroyed) sock.write(' '); else clearInterval(t); });
        return undefined;
      }
      case 'reset': return sock.resetAndDestroy();
      case 'reset-mid':
        sock.write('HTTP/1.1 200 OK\r\nContent-Type: te');
        return setTimeout(() => sock.resetAndDestroy(), 20);
      case 'close-early':
        sock.write(head(200, 'OK', { 'Content-Type': 'text/xml', 'Content-Length': 1000 }));
        return sock.end('<Response>');
      case 'garbage': return sock.end('SSH-2.0-OpenSSH_9.2\r\n\x00\x01\x02 not http\r\n\r\n');
      case 'bad-chunked':
        sock.write(head(200, 'OK', { 'Content-Type': 'text/xml', 'Transfer-Encoding': 'chunked',
          Connection: 'close' }));
        return sock.end('zz\r\n<Response/>\r\n0\r\n\r\n');
      default:
        return respond(sock, 404, 'Not Found', 'no such fault', { 'Content-Type': 'text/plain' });
    }
  }

  function onConnection(sock) {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    let handled = false;
    sock.on('data', (d) => {
      if (handled) return;
      buf = Buffer.concat([buf, d]);
      if (buf[0] === 0x16 && !tlsOptions) {
        // A TLS ClientHello on the plain port: answer as an HTTP server would, with a 400.
        handled = true;
        requests.push({ fault: '(tls hello)', method: '', path: '', headers: {}, body: '', at: Date.now() });
        return respond(sock, 400, 'Bad Request', 'plain HTTP port', { 'Content-Type': 'text/plain' });
      }
      const req = parseRequest(buf);
      if (!req) return;
      handled = true;
      handle(sock, req);
    });
  }

  const server = tlsOptions
    ? tls.createServer({ ...tlsOptions }, onConnection)
    : net.createServer(onConnection);
  server.on('tlsClientError', () => {});  // dialtone refusing our certificate is the point
  await new Promise((resolve) => server.listen(0, host, resolve));
  const { port } = server.address();
  const scheme = tlsOptions ? 'https' : 'http';

  return {
    port,
    requests,
    /** The URL of `fault` on `hostname` (e.g. localhost for a certificate's name) + `fragment`. */
    url(fault, { hostname = host, fragment = '' } = {}) {
      return `${scheme}://${hostname}:${port}/${fault}${fragment ? `#${fragment}` : ''}`;
    },
    /** Requests that arrived for `fault`. */
    hits(fault) { return requests.filter((r) => r.fault === fault); },
    openSockets() { return sockets.size; },
    close() {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 that refuses connections (bound, then closed). */
async function refusedPort() {
  const s = net.createServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/**
 * A TCP listener that accepts and then says nothing at all (a TLS handshake that never
 * progresses, or a request nobody reads).
 */
async function startSilentServer() {
  const sockets = new Set();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Test certificates, made now with Debian's openssl in a fresh temporary directory:
 *   ca       a CA (ca.pem is what dialtone gets as webhook.ca_file)
 *   good     localhost (SAN DNS:localhost), signed by the CA, valid now
 *   expired  localhost, signed by the CA, valid only in January 2020
 *   self     localhost, self-signed (no path to the CA)
 * Returns {dir, caFile, good: {key, cert}, expired: {key, cert}, self: {key, cert}, cleanup()}.
 */
function makeCerts() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dialtone-certs-'));
  const f = (name) => path.join(dir, name);
  const ssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  fs.writeFileSync(f('ca.cnf'), [
    '[ca]', 'default_ca = d', '[d]', 'dir = .', 'database = ./index.txt', 'new_certs_dir = .',
    'serial = ./serial', 'default_md = sha256', 'policy = p', 'copy_extensions = copy',
    'unique_subject = no', '[p]', 'commonName = supplied', ''].join('\n'));
  fs.writeFileSync(f('index.txt'), '');
  fs.writeFileSync(f('serial'), '01\n');
  const key = ['-newkey', 'rsa:2048', '-nodes'];
  ssl('req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
    '-subj', '/CN=dialtone test CA', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  ssl('req', ...key, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost');
  const sign = (out, ...dates) => ssl('ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem',
    '-keyfile', 'ca.key', '-in', 'leaf.csr', '-out', out, '-notext', ...dates);
  sign('good.pem', '-days', '2');
  sign('expired.pem', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z');
  ssl('req', '-x509', ...key, '-keyout', 'self.key', '-out', 'self.pem', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost');
  const read = (name) => fs.readFileSync(f(name));
  return {
    dir,
    caFile: f('ca.pem'),
    good: { key: read('leaf.key'), cert: read('good.pem') },
    expired: { key: read('leaf.key'), cert: read('expired.pem') },
    self: { key: read('self.key'), cert: read('self.pem') },
    cleanup() { fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

module.exports = { startFaultApp, refusedPort, startSilentServer, makeCerts, OK_TWIML };
