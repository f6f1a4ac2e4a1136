'use strict';
// The access log at `info` (the default): one line a request, its shape, and the call's sid
// only where the path does not already hold it (server/http_server.cpp, Session::send).

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { startDialtone, HOLD_TWIML, sleep } = require('../lib/dialtone');
const { uniqueNumber, FROM } = require('../lib/common');

const TIME = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
const RID = 'RQ[0-9a-f]{32}';

// The one line that names `requestId`, after the background writer has written it (every
// 50 ms).
async function lineOf(dt, requestId) {
  for (let i = 0; i < 40; i++) {
    const line = dt.log().split('\n').find((l) => l.includes(requestId));
    if (line) return line;
    await sleep(25);
  }
  assert.fail(`no access-log line names ${requestId}:\n${dt.log()}`);
}

describe('access log', () => {
  it('a line a request: time, level, method, path, status, duration, a created sid, the request id',
    async () => {
      const dt = await startDialtone();
      try {
        const api = dt.api();
        const created = await api.create({ To: uniqueNumber(), From: FROM, Twiml: HOLD_TWIML });
        assert.equal(created.status, 201);
        const sid = created.json.sid;
        const fetched = await api.fetchCall(sid);
        assert.equal(fetched.status, 200);
        const missing = await api.fetchCall('CA' + '0'.repeat(32));
        assert.equal(missing.status, 404);

        const calls = `/2010-04-01/Accounts/${dt.accountSid}/Calls`;
        // A create's path does not name the new call: the line does.
        assert.match(await lineOf(dt, created.headers.get('twilio-request-id')),
          new RegExp(`^${TIME} info POST ${calls}\\.json 201 \\d+ms ${sid} ${RID}$`));
        // A fetch's path does: the sid is not written twice.
        assert.match(await lineOf(dt, fetched.headers.get('twilio-request-id')),
          new RegExp(`^${TIME} info GET ${calls}/${sid}\\.json 200 \\d+ms ${RID}$`));
        assert.match(await lineOf(dt, missing.headers.get('twilio-request-id')),
          new RegExp(`^${TIME} info GET ${calls}/CA0{32}\\.json 404 \\d+ms ${RID}$`));
      } finally {
        await dt.stop();
      }
    });
});
