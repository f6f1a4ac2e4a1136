// Types of @dialtone/testing (the CommonJS and ESM entries export the same classes).
export interface DialtoneOptions {
  /** Where dialtone listens, e.g. 'http://127.0.0.1:7070'. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer TOKEN` when dialtone runs with control_api.token. */
  controlToken?: string;
  /** The `twilio` module for account.client; by default resolved from here or the working directory. */
  twilio?: any;
}

export interface StartOptions {
  /** The dialtone binary; default $DIALTONE_BIN, else `dialtone` on the PATH. */
  binary?: string;
  /** More command-line options (`--port 0` comes first). */
  args?: string[];
  /** On top of process.env; a null or undefined value removes a variable. */
  env?: Record<string, string | null | undefined>;
  cwd?: string;
  /** For the address line and the first health answer together; default 10000. */
  timeoutMs?: number;
  controlToken?: string;
  twilio?: any;
}

export interface AccountOptions {
  /** Default 'manual' (starts at 2026-01-01T00:00:00Z; time moves only with advance()). */
  clock?: 'manual' | 'real';
  /** A real clock's virtual seconds per wall second. */
  speed?: number;
  /** The world's seed: the same seed and scenario give the same sids and times. */
  seed?: number | string;
  friendlyName?: string;
  /** Makes a subaccount of this account instead, in its owner's world (no clock, speed, seed). */
  ownerAccountSid?: string;
}

export interface Clock {
  mode: 'manual' | 'real';
  speed: number;
  /** RFC 2822 */
  now: string;
  now_ms: number;
  iso: string;
  /** Only in the answer to advance(). */
  timers_fired?: number;
}

/** GET /_dialtone/accounts/{sid}/snapshot: version 1 of the document (docs/accounts.md). */
export interface Snapshot {
  dialtone_snapshot: 1;
  account_sid: string;
  clock: { mode: 'manual' | 'real'; speed: number; now_ms: number };
  /** seed is a decimal string: it does not fit a JavaScript number. */
  sids: { seed: string; made: number };
  limits: { calls_per_second: number; next_dial_slot_ms: number };
  behaviors: { default: Record<string, unknown>; rules: Array<{ pattern: string; behavior: Record<string, unknown> }> };
  numbers: Array<Record<string, unknown>>;
  queues: Array<{ name: string; sid: string; callers: string[]; agents: string[] }>;
  calls: Array<Record<string, unknown>>;
  /** Each live call's interpreter: phase, program (the TwiML tree and the verb it is at), ... */
  live_calls: Array<{ call_sid: string; phase: string } & Record<string, unknown>>;
  timers: Array<{ call_sid: string; slot: string; kind: string; due_ms: number }>;
  notifications: Array<Record<string, unknown>>;
  journal: Array<{ call_sid: string; type: string; at_ms: number; wall_ms: number; fields: Record<string, string> }>;
}

export interface RestoreResult {
  restored: string;
  from: string;
  calls: number;
  live_calls: number;
  notifications: number;
  events: number;
  numbers: number;
}

export interface AccountInfo {
  sid: string;
  auth_token: string;
  owner_account_sid: string;
  friendly_name: string;
  api_key_sid: string;
  api_key_secret: string;
  world_sid: string;
  seed: string;
  clock: Clock;
  [key: string]: unknown;
}

export interface DialtoneEvent {
  seq: number;
  account_sid: string;
  call_sid: string | null;
  /** 'status', 'webhook.request', 'webhook.response', 'verb', 'queue', 'api.request', ... */
  type: string;
  at: string;
  at_ms: number;
  wall: string;
  fields: Record<string, any>;
}

export interface EventFilters {
  callSid?: string;
  /** One type or several; 'webhook' matches 'webhook.request' too. */
  type?: string | string[];
  /** A seq: only later events. */
  since?: number;
}

export interface Behavior {
  outcome?: 'answer' | 'busy' | 'no-answer' | 'fail';
  /** Whole seconds of ringing. */
  answerAfter?: number;
  /** Answering machine detection: 'human', 'machine_start', ... */
  answeredBy?: string;
  /** What the callee enters at each successive <Gather>: digits, or 'speech:TEXT'. */
  gather?: string | string[];
  /** Seconds after answering when the callee hangs up. */
  hangupAfter?: number;
  /** How long the callee speaks into a <Record>. */
  recordSeconds?: number;
  [key: string]: unknown;
}

export interface BehaviorRule {
  number: string | null;
  default: boolean;
  outcome: string;
  answer_after: number;
  answered_by: string | null;
  gather: string[];
  hangup_after: number | null;
  record_seconds: number;
}

export interface NumberOptions {
  voiceUrl?: string;
  voiceMethod?: 'GET' | 'POST';
  voiceFallbackUrl?: string;
  voiceFallbackMethod?: 'GET' | 'POST';
  statusCallback?: string;
  statusCallbackMethod?: 'GET' | 'POST';
}

export interface PhoneNumber {
  sid: string;
  account_sid: string;
  phone_number: string;
  voice_url: string;
  [key: string]: unknown;
}

/** A call as Twilio renders it (snake_case JSON). */
export interface CallResource {
  sid: string;
  account_sid: string;
  status: string;
  direction: string;
  from: string;
  to: string;
  [key: string]: unknown;
}

export interface FaultRule {
  method?: 'GET' | 'POST' | 'DELETE' | '*';
  /** 'Calls', 'Calls/{Sid}', ... or '*'. */
  route?: string;
  kind: 'status' | 'latency' | 'reset' | 'hang';
  status?: number;
  code?: number;
  message?: string;
  retryAfter?: number;
  latencyMs?: number;
  times?: number;
  probability?: number;
  seed?: number;
  applied?: boolean;
  [key: string]: unknown;
}

export interface ControlAnswer {
  status: number;
  json: any;
  text: string;
}

export class DialtoneError extends Error {
  status: number;
  /** The parsed JSON answer, or its text. */
  body: any;
  method: string;
  path: string;
}

/** The dialtone answered 404 "No control route": it is a build without that route. */
export class RouteMissingError extends DialtoneError {}

/** waitFor's condition did not hold within its timeout (dialtone answered 408). */
export class WaitTimeoutError extends DialtoneError {
  lastSeq?: number;
}

export class Dialtone {
  constructor(options: DialtoneOptions);
  readonly baseUrl: string;
  controlToken?: string;
  twilio?: any;
  /** The child process (a node:child_process ChildProcess) of a dialtone made by Dialtone.start. */
  process: { pid?: number; kill(signal?: string | number): boolean } | null;

  /** Spawns the binary with `--port 0`, reads the "dialtone listening on" line, waits for health. */
  static start(options?: StartOptions): Promise<Dialtone>;
  /** SIGTERM (SIGKILL after 5 s) a dialtone made by start(); resolves its exit. */
  stop(): Promise<{ code: number | null; signal: string | null } | undefined>;
  /** The last 2000 log lines of a dialtone made by start(). */
  log(): string;

  /** A fresh isolated account with its own world. */
  account(options?: AccountOptions): Promise<Account>;
  /** Every account's fault rules. Needs a dialtone with /_dialtone/faults. */
  faults(): Faults;
  health(): Promise<{ status: string; version: string; uptime_s: number }>;
  /** Any control route (`/_dialtone` + route); never throws on a status. */
  request(method: string, route: string, params?: Record<string, unknown>): Promise<ControlAnswer>;
  /** Any control route; throws DialtoneError unless 2xx. */
  control(method: string, route: string, params?: Record<string, unknown>): Promise<any>;
}

export class Account {
  readonly dialtone: Dialtone;
  /** The answer of POST /_dialtone/accounts. */
  readonly info: AccountInfo;
  readonly sid: string;
  readonly authToken: string;
  readonly apiKeySid: string;
  readonly apiKeySecret: string;
  readonly worldSid: string;
  readonly seed: string;
  readonly friendlyName: string;

  /** The official twilio client for this account, pointed at dialtone (made on first use). */
  readonly client: any;
  /** A new twilio client; `options` go to twilio() (e.g. { autoRetry: true }). */
  createClient(options?: Record<string, unknown> & { httpClientOptions?: Record<string, unknown> }): any;

  advance(seconds: number): Promise<Clock>;
  clock(): Promise<Clock>;
  clock(settings: { mode?: 'manual' | 'real'; speed?: number }): Promise<Clock>;
  /**
   * Resolves the call's journal once `condition` holds for one of its events (after the seq
   * `since`, if given); WaitTimeoutError after `timeout` s (default 5, at most 60).
   */
  waitFor(callSid: string, condition: string, options?: { timeout?: number; since?: number }): Promise<DialtoneEvent[]>;
  events(filters?: EventFilters): Promise<DialtoneEvent[]>;

  /** A call sid: a live callee to act on. */
  callee(callSid: `CA${string}`): LiveCallee;
  /** A number (E.164, '^regex', or '*' for every other number): a callee to script. */
  callee(number: string): ScriptedCallee;
  behaviors(): Promise<{ default: BehaviorRule; behaviors: BehaviorRule[] }>;
  clearBehaviors(): Promise<{ default: BehaviorRule; behaviors: BehaviorRule[] }>;

  number(phoneNumber: string, options?: NumberOptions): Promise<PhoneNumber>;
  numbers(): Promise<any>;
  inbound(call: { from: string; to: string }): Promise<CallResource>;
  limits(settings?: { callsPerSecond?: number; maxConcurrentApiRequests?: number }): Promise<{ calls_per_second: number; max_concurrent_api_requests: number }>;
  reset(): Promise<any>;
  /** Deletes the account and frees everything it held; its credentials then get 401. */
  close(): Promise<{ deleted: string }>;

  /** Needs a dialtone with /_dialtone/faults (RouteMissingError otherwise). */
  faults(): Faults;
  /**
   * The account's whole state as one document (docs/accounts.md), live calls included; a 409
   * DialtoneError while webhooks of it are out. RouteMissingError on a dialtone that predates
   * the route.
   */
  snapshot(): Promise<Snapshot>;
  /** Replaces the account's state with a snapshot's (its account sid becomes this one's). */
  restore(snapshot: Snapshot): Promise<RestoreResult>;
}

export class ScriptedCallee {
  readonly account: Account;
  readonly number: string;
  behaves(behavior?: Behavior): Promise<BehaviorRule>;
}

export class LiveCallee {
  readonly account: Account;
  readonly callSid: string;
  answer(): Promise<CallResource>;
  busy(): Promise<CallResource>;
  noAnswer(): Promise<CallResource>;
  fail(): Promise<CallResource>;
  hangup(): Promise<CallResource>;
  digits(digits: string | number): Promise<CallResource>;
  speech(text: string): Promise<CallResource>;
}

export class Faults {
  readonly dialtone: Dialtone;
  readonly accountSid?: string;
  add(rule: FaultRule): Promise<any>;
  list(): Promise<{ rules: any[]; [key: string]: unknown }>;
  /** All the account's rules, or the one with this id. */
  clear(id?: number | string): Promise<any>;
}
