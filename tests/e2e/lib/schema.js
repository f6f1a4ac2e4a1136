'use strict';
// Validates response bodies against Twilio's own OpenAPI document
// (tests/fixtures/twilio/twilio_api_v2010.json, OpenAPI 3.0).
//
// OpenAPI 3.0 is not JSON Schema: `nullable: true` is converted here to JSON Schema
// (`type: [T, "null"]`, or `anyOf: [{$ref}, {type: "null"}]` next to a $ref). Twilio's custom
// formats get validators; `uri` is relaxed to a URI reference because Twilio's paging URIs
// (`next_page_uri`, ...) are relative (`/2010-04-01/...`) although the spec labels them `uri`.

const fs = require('node:fs');
const path = require('node:path');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

const fixturesDir = path.resolve(__dirname, '..', '..', 'fixtures', 'twilio');

function convert(node) {
  if (Array.isArray(node)) return node.map(convert);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'nullable' || k === 'example' || k === 'examples') continue;
    out[k] = convert(v);
  }
  if (node.nullable === true) {
    if (out.$ref) {
      const { $ref, ...rest } = out;
      return { ...rest, anyOf: [{ $ref }, { type: 'null' }] };
    }
    if (out.type) out.type = Array.isArray(out.type) ? [...out.type, 'null'] : [out.type, 'null'];
    if (out.enum && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

const DAYS = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
// Twilio's dates: "Tue, 31 Aug 2010 20:36:28 +0000" (two-digit day, always +0000).
const RFC2822 = new RegExp(`^(${DAYS}), (\\d{2}) (${MONTHS}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) \\+0000$`);

function isRfc2822(s) {
  const m = RFC2822.exec(s);
  if (!m) return false;
  const d = new Date(Date.parse(s));
  if (Number.isNaN(d.getTime())) return false;
  // The weekday must agree with the date.
  return d.toUTCString().slice(0, 3) === m[1] && d.getUTCDate() === Number(m[2]);
}

let cache;
function load() {
  if (cache) return cache;
  const specPath = path.join(fixturesDir, 'twilio_api_v2010.json');
  const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
  // The one place the schema and its own text disagree: reason_conference_ended "will be null"
  // while a conference is in progress (its description, and every example shows null), but
  // its $ref is not marked nullable. Twilio sends null; so does dialtone.
  spec.components.schemas['api.v2010.account.conference'].properties.reason_conference_ended.nullable = true;
  // A call recording's `price` is a number in its schema but a string in the spec's own
  // examples and in the account-level Recording schema; dialtone sends the string.
  spec.components.schemas['api.v2010.account.call.call_recording'].properties.price =
    { type: 'string', nullable: true };
  const listPath = spec.paths['/2010-04-01/Accounts/{AccountSid}/Calls.json'];
  const listSchema = listPath.get.responses['200'].content['application/json'].schema;

  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const uriReference = ajv.formats['uri-reference'];
  ajv.addFormat('uri', uriReference);
  ajv.addFormat('date-time-rfc-2822', { type: 'string', validate: isRfc2822 });
  for (const f of ['uri-map', 'currency', 'phone-number', 'twiml', 'sid', 'http-method',
    'date-time-rfc-2822-or-null', 'iso-country-code', 'ip-address']) {
    if (!ajv.formats[f]) ajv.addFormat(f, true);
  }
  // Every other resource checked here: its schema and its list page's, by the spec's paths.
  const pageSchemas = {};
  const pagePaths = {
    'api.v2010.account.queue': '/2010-04-01/Accounts/{AccountSid}/Queues.json',
    'api.v2010.account.queue.member': '/2010-04-01/Accounts/{AccountSid}/Queues/{QueueSid}/Members.json',
    'api.v2010.account.conference': '/2010-04-01/Accounts/{AccountSid}/Conferences.json',
    'api.v2010.account.conference.participant':
      '/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants.json',
    'api.v2010.account.call.call_recording':
      '/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings.json',
    'api.v2010.account.recording': '/2010-04-01/Accounts/{AccountSid}/Recordings.json',
    'api.v2010.account.conference.conference_recording':
      '/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Recordings.json',
  };
  for (const [name, p] of Object.entries(pagePaths)) {
    pageSchemas[name] = spec.paths[p].get.responses['200'].content['application/json'].schema;
  }
  const pages = {};
  for (const [name, schema] of Object.entries(pageSchemas)) pages[name] = convert(schema);
  ajv.addSchema({
    $id: 'twilio',
    components: { schemas: convert(spec.components.schemas) },
    listCall: convert(listSchema),
    pages,
  });
  const resources = {};
  for (const [name, schema] of Object.entries(pageSchemas)) {
    resources[name] = {
      item: ajv.getSchema(`twilio#/components/schemas/${name}`),
      page: ajv.getSchema(`twilio#/pages/${name}`),
      properties: Object.keys(spec.components.schemas[name].properties),
      pageProperties: Object.keys(schema.properties),
      key: Object.keys(schema.properties).find((k) => schema.properties[k].type === 'array'),
    };
  }
  const call = ajv.getSchema('twilio#/components/schemas/api.v2010.account.call');
  const list = ajv.getSchema('twilio#/listCall');
  const callProperties = Object.keys(spec.components.schemas['api.v2010.account.call'].properties);
  const listProperties = Object.keys(listSchema.properties);
  cache = { ajv, call, list, callProperties, listProperties, spec, resources };
  return cache;
}

function describe(validate) {
  return validate.errors.map((e) => `${e.instancePath || '/'} ${e.message}` +
    (e.params && e.params.allowedValues ? ` ${JSON.stringify(e.params.allowedValues)}` : '')).join('; ');
}

/** Returns null when `body` is a valid Call resource, else a description of what is wrong. */
function callProblem(body) {
  const { call, callProperties } = load();
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'not a JSON object';
  if (!call(body)) return describe(call);
  // The schema marks nothing required; Twilio sends every field (null when empty).
  const missing = callProperties.filter((k) => !(k in body));
  if (missing.length) return `missing fields: ${missing.join(', ')}`;
  const extra = Object.keys(body).filter((k) => !callProperties.includes(k));
  if (extra.length) return `fields not in the schema: ${extra.join(', ')}`;
  return null;
}

/** Returns null when `body` is a valid ListCall page, else a description. */
function listProblem(body) {
  const { list, listProperties } = load();
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'not a JSON object';
  if (!list(body)) return describe(list);
  const missing = listProperties.filter((k) => !(k in body));
  if (missing.length) return `missing fields: ${missing.join(', ')}`;
  for (const c of body.calls) {
    const p = callProblem(c);
    if (p) return `calls[${c && c.sid}]: ${p}`;
  }
  return null;
}

/** Null when `body` is a valid `name` resource (e.g. api.v2010.account.queue), every field there. */
function resourceProblem(name, body) {
  const { item, properties } = load().resources[name];
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'not a JSON object';
  if (!item(body)) return describe(item);
  const keys = Object.keys(body);
  if (keys.join() !== properties.join()) return `fields ${keys.join()} != the spec's ${properties.join()}`;
  return null;
}

/** Null when `body` is a valid page of `name` resources. */
function resourcePageProblem(name, body) {
  const { page, pageProperties, key } = load().resources[name];
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'not a JSON object';
  if (!page(body)) return describe(page);
  const missing = pageProperties.filter((k) => !(k in body));
  if (missing.length) return `missing fields: ${missing.join(', ')}`;
  for (const item of body[key]) {
    const p = resourceProblem(name, item);
    if (p) return `${key}[]: ${p}`;
  }
  return null;
}

/** Twilio's error envelope: {code, message, more_info, status} (+ detail on 401). */
function errorProblem(body, httpStatus) {
  if (!body || typeof body !== 'object') return 'not a JSON object';
  if (body.status !== httpStatus) return `status ${body.status} != HTTP ${httpStatus}`;
  if (typeof body.message !== 'string' || !body.message) return 'no message';
  if (body.code !== undefined) {
    if (!Number.isInteger(body.code)) return 'code is not an integer';
    if (body.more_info !== `https://www.twilio.com/docs/errors/${body.code}`) {
      return `more_info ${JSON.stringify(body.more_info)}`;
    }
  }
  return null;
}

function parseBody(body) {
  if (typeof body !== 'string') return body;
  try { return JSON.parse(body); } catch { return undefined; }
}

/** Classifies one SDK exchange by path and checks its body; null when fine. */
function checkExchange({ method, uri, statusCode, body }) {
  const pathname = new URL(uri).pathname;
  if (statusCode === 204) {
    return body === '' || body === undefined || body === null ? null : 'a 204 with a body';
  }
  const json = parseBody(body);
  if (json === undefined) return 'body is not JSON';
  if (statusCode >= 400) return errorProblem(json, statusCode);
  if (/\/Calls\.json$/.test(pathname)) {
    return method === 'GET' ? listProblem(json) : callProblem(json);
  }
  if (/\/Calls\/CA[0-9a-fA-F]{32}\.json$/.test(pathname)) return callProblem(json);
  const queue = 'api.v2010.account.queue';
  const member = 'api.v2010.account.queue.member';
  if (/\/Queues\.json$/.test(pathname)) {
    return method === 'GET' ? resourcePageProblem(queue, json) : resourceProblem(queue, json);
  }
  if (/\/Queues\/QU[0-9a-fA-F]{32}\.json$/.test(pathname)) return resourceProblem(queue, json);
  if (/\/Members\.json$/.test(pathname)) return resourcePageProblem(member, json);
  if (/\/Members\/(CA[0-9a-fA-F]{32}|Front)\.json$/.test(pathname)) return resourceProblem(member, json);
  const conference = 'api.v2010.account.conference';
  const participant = 'api.v2010.account.conference.participant';
  if (/\/Conferences\.json$/.test(pathname)) return resourcePageProblem(conference, json);
  if (/\/Conferences\/CF[0-9a-fA-F]{32}\.json$/.test(pathname)) return resourceProblem(conference, json);
  if (/\/Participants\.json$/.test(pathname)) {
    return method === 'GET' ? resourcePageProblem(participant, json) : resourceProblem(participant, json);
  }
  if (/\/Participants\/[^/]+\.json$/.test(pathname)) return resourceProblem(participant, json);
  const conferenceRecording = 'api.v2010.account.conference.conference_recording';
  if (/\/Conferences\/CF[0-9a-fA-F]{32}\/Recordings\.json$/.test(pathname)) {
    return resourcePageProblem(conferenceRecording, json);
  }
  if (/\/Conferences\/CF[0-9a-fA-F]{32}\/Recordings\/[^/]+\.json$/.test(pathname)) {
    return resourceProblem(conferenceRecording, json);
  }
  const callRecording = 'api.v2010.account.call.call_recording';
  const recording = 'api.v2010.account.recording';
  if (/\/Calls\/CA[0-9a-fA-F]{32}\/Recordings\.json$/.test(pathname)) {
    return method === 'GET' ? resourcePageProblem(callRecording, json)
      : resourceProblem(callRecording, json);
  }
  if (/\/Calls\/CA[0-9a-fA-F]{32}\/Recordings\/[^/]+\.json$/.test(pathname)) {
    return resourceProblem(callRecording, json);
  }
  if (/\/Recordings\.json$/.test(pathname)) return resourcePageProblem(recording, json);
  if (/\/Recordings\/RE[0-9a-fA-F]{32}\.json$/.test(pathname)) return resourceProblem(recording, json);
  return null;
}

module.exports = {
  load, convert, isRfc2822, callProblem, listProblem, resourceProblem, resourcePageProblem,
  errorProblem, checkExchange,
};
