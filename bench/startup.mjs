// Start-up time: from spawning dialtone to the first 200 from GET /_dialtone/health.
//   node bench/startup.mjs DIALTONE_BIN [RUNS]
// Prints "startup_ms_median X" and "startup_ms_max Y". Picks a free port itself.
import { spawn } from 'node:child_process';
import net from 'node:net';

const bin = process.argv[2];
const runs = Number(process.argv[3] || 10);

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function probe(port) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    sock.on('connect', () => sock.write('GET /_dialtone/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    sock.on('data', (d) => { data += d; });
    sock.on('end', () => resolve(data.startsWith('HTTP/1.1 200')));
    sock.on('error', () => resolve(false));
  });
}

const times = [];
for (let i = 0; i < runs; i++) {
  const port = await freePort();
  const t0 = process.hrtime.bigint();
  const child = spawn(bin, ['--port', String(port), '--clock', 'manual', '--log-level', 'warn'],
                      { stdio: 'ignore' });
  let ok = false;
  while (!ok && process.hrtime.bigint() - t0 < 5_000_000_000n) ok = await probe(port);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  if (!ok) { console.error('dialtone did not answer within 5 s'); process.exit(1); }
  times.push(ms);
}
times.sort((a, b) => a - b);
console.log(`startup_ms_median ${times[Math.floor(times.length / 2)].toFixed(1)}`);
console.log(`startup_ms_max ${times[times.length - 1].toFixed(1)}`);
