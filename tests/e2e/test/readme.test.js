'use strict';
// The README's examples stay true: every configuration snippet in it starts dialtone, and the
// default credentials it documents are the ones dialtone uses.

const { it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startDialtone, repoRoot } = require('../lib/dialtone');

const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const CONFIG_KEYS = new Set(Object.keys(JSON.parse(
  fs.readFileSync(path.join(repoRoot, 'config', 'dialtone.json'), 'utf8'))));

const snippets = [...readme.matchAll(/```json\n([\s\S]*?)```/g)]
  .map((m) => m[1])
  .filter((text) => {
    try {
      const keys = Object.keys(JSON.parse(text));
      return keys.length > 0 && keys.every((k) => CONFIG_KEYS.has(k));
    } catch {
      return false;
    }
  });

it('the README has configuration snippets', () => {
  assert.ok(snippets.length >= 2, `found ${snippets.length}`);
});

for (const [i, text] of snippets.entries()) {
  it(`README configuration snippet ${i + 1} (${Object.keys(JSON.parse(text)).join(', ')}) starts dialtone`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dialtone-readme-'));
    try {
      const file = path.join(dir, 'config.json');
      fs.writeFileSync(file, text);
      const dt = await startDialtone({ args: ['--config', file] });
      await dt.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

it('the README documents the default credentials of config/dialtone.json', () => {
  const defaults = JSON.parse(fs.readFileSync(path.join(repoRoot, 'config', 'dialtone.json'), 'utf8'));
  assert.ok(readme.includes(defaults.account_sid), 'default account_sid in README');
  assert.ok(readme.includes(defaults.auth_token), 'default auth_token in README');
});
