'use strict';
// --data-dir on a small tmpfs that fills up (issue 19): changes that cannot be written are
// answered with Twilio's 500 envelope (code 20500) and a log line, reads go on, nothing that
// was acknowledged is lost, and once space returns dialtone writes again by itself: the
// changes it kept meanwhile reach the disk and new ones are answered 201.
// Needs a tmpfs mount (root with CAP_SYS_ADMIN); skipped where mounting is not allowed.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startDialtone, HOLD_TWIML, waitUntil } = require('../lib/dialtone');
const { uniqueNumber, FROM } = require('../lib/common');

const SIZE = '2m';

describe('disk full under --data-dir', () => {
  let mnt;
  let mounted = false;
  before(() => {
    mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'dialtone-e2e-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE}`, 'tmpfs', mnt], { stdio: 'ignore' });
      mounted = true;
    } catch { /* not allowed here: the test skips */ }
  });
  after(() => {
    if (mounted) execFileSync('umount', ['-l', mnt], { stdio: 'ignore' });
    fs.rmSync(mnt, { recursive: true, force: true });
  });

  // Fills the file system with one file, to the last byte it takes.
  function fill(file) {
    const fd = fs.openSync(file, 'w');
    const chunk = Buffer.alloc(64 * 1024);
    try {
      for (;;) fs.writeSync(fd, chunk);
    } catch (e) {
      if (e.code !== 'ENOSPC') throw e;
      for (let n = 4096; n >= 1; n = Math.floor(n / 2)) {
        try { for (;;) fs.writeSync(fd, chunk, 0, n); } catch { /* smaller */ }
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  it('answers 500 while full, loses nothing acknowledged and recovers by itself', async (t) => {
    if (!mounted) return t.skip('cannot mount a tmpfs here (needs root)');
    const dataDir = path.join(mnt, 'data');
    const args = ['--data-dir', dataDir, '--ring-seconds', '1'];
    let dt = await startDialtone({ args });
    const acked = new Set();
    const create = async () => {
      const r = await dt.api().create({ To: uniqueNumber(), From: FROM, Twiml: HOLD_TWIML });
      if (r.status === 201) acked.add(r.json.sid);
      return r;
    };
    try {
      for (let i = 0; i < 20; ++i) assert.equal((await create()).status, 201);

      const filler = path.join(mnt, 'filler');
      fill(filler);
      // The WAL may still hold a page or two: keep creating until the disk says no.
      let failed;
      for (let i = 0; i < 5000 && !failed; ++i) {
        const r = await create();
        if (r.status !== 201) failed = r;
      }
      assert.ok(failed, 'no create failed on a full disk');
      assert.equal(failed.status, 500, failed.text);
      assert.equal(failed.json.code, 20500);
      assert.equal(failed.json.status, 500);
      assert.match(failed.json.message, /could not be saved to data_dir/);
      assert.match(failed.json.more_info, /20500/);
      await waitUntil(() => /data_dir: write failed: .*(full|disk)/i.test(dt.log()),
        { what: 'the write failure in the log' });
      // Reads go on; the server stays up.
      const sid = [...acked][0];
      assert.equal((await dt.api().fetchCall(sid)).status, 200);
      assert.equal((await dt.api().list('PageSize=5')).status, 200);
      // While the disk is full, changes keep failing, at once and clearly.
      const again = await create();
      assert.equal(again.status, 500);

      // Space returns: within a retry or two, creates are acknowledged again.
      fs.rmSync(filler);
      const recovered = await waitUntil(async () => (await create()).status === 201,
        { timeoutMs: 10000, intervalMs: 100, what: 'a create to succeed after space returned' });
      assert.ok(recovered);
      await waitUntil(() => /data_dir: writes succeed again/.test(dt.log()),
        { what: 'the recovery in the log' });
      for (let i = 0; i < 10; ++i) assert.equal((await create()).status, 201);

      // Killed: every acknowledged call is on disk.
      dt.child.kill('SIGKILL');
      await new Promise((resolve) => (dt.exited ? resolve() : dt.child.on('exit', resolve)));
      dt = await startDialtone({ args });
      for (const s of acked) {
        assert.equal((await dt.api().fetchCall(s)).status, 200, `acknowledged ${s} is gone`);
      }
    } finally {
      await dt.stop();
    }
  });
});
