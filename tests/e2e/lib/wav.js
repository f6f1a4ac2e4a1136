'use strict';
// A WAV as dialtone serves a recording (docs/recordings.md): its format and length, read from
// its header; the data must fill the rest of the file exactly.

const assert = require('node:assert/strict');

/** {channels, rate, bits, seconds} of a RIFF/WAVE PCM file in `buf`. */
function readWav(buf) {
  assert.equal(buf.toString('latin1', 0, 4), 'RIFF');
  assert.equal(buf.toString('latin1', 8, 16), 'WAVEfmt ');
  assert.equal(buf.readUInt32LE(4), buf.length - 8);
  assert.equal(buf.readUInt16LE(20), 1, 'PCM');
  const channels = buf.readUInt16LE(22);
  const rate = buf.readUInt32LE(24);
  const bits = buf.readUInt16LE(34);
  assert.equal(buf.toString('latin1', 36, 40), 'data');
  const dataBytes = buf.readUInt32LE(40);
  assert.equal(dataBytes, buf.length - 44);
  return { channels, rate, bits, seconds: dataBytes / (rate * channels * bits / 8) };
}

module.exports = { readWav };
