"""The implementation of dialtone_testing: urllib.request and json only."""

import json
import os
import re
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque

_CALL_SID = re.compile(r"^CA[0-9a-f]{32}$")
_LISTENING = re.compile(r"dialtone listening on (http://(?:[^\s/:]+|\[[^\]]+\]):\d+)")


class DialtoneError(Exception):
    """A control API answer that is not 2xx: ``status``, ``body`` (parsed JSON, or the text),
    ``method`` and ``path``."""

    def __init__(self, message, status=None, body=None, method=None, path=None):
        super().__init__(message)
        self.status = status
        self.body = body
        self.method = method
        self.path = path


class RouteMissingError(DialtoneError):
    """This dialtone has no such control route (404 "No control route ..."): an older build."""


class WaitTimeoutError(DialtoneError, AssertionError):
    """``wait_for``'s condition did not hold in time (dialtone answered 408). Also an
    AssertionError, so that unittest and pytest report it as a failed expectation."""

    @property
    def last_seq(self):
        return self.body.get("last_seq") if isinstance(self.body, dict) else None


def _route_missing(status, body):
    # dialtone's answer for a path it does not route; a 404 for an unknown call or account
    # carries another message.
    if status != 404:
        return False
    message = body.get("message") if isinstance(body, dict) else None
    return not isinstance(message, str) or message.startswith("No control route")


def _pascal(params):
    """{"answer_after": 2} -> {"AnswerAfter": 2}; drops None."""
    out = {}
    for key, value in params.items():
        if value is None:
            continue
        out["".join(part[:1].upper() + part[1:] for part in key.split("_"))] = value
    return out


def _say(body, text):
    if isinstance(body, dict) and body.get("message"):
        return body["message"]
    return text


class Dialtone:
    """A dialtone reachable at ``base_url``; ``Dialtone.start()`` runs one of your own."""

    def __init__(self, base_url, control_token=None, timeout=70.0):
        if not base_url:
            raise TypeError("Dialtone(base_url): base_url is required")
        self.base_url = base_url.rstrip("/")
        self.control_token = control_token
        self.timeout = timeout  # per HTTP request; a wait_for blocks up to 60 s in dialtone
        self.process = None
        self._lines = deque(maxlen=2000)
        self._reader = None

    # ------------------------------------------------------------------ requests

    def request(self, method, path, params=None):
        """One control request (``/_dialtone`` + path). GET and DELETE send ``params`` as the
        query, other methods as a JSON body. Returns (status, parsed JSON or None, text); never
        raises on an HTTP status."""
        url = self.base_url + "/_dialtone" + path
        data = None
        headers = {}
        if self.control_token:
            headers["Authorization"] = "Bearer " + self.control_token
        if method in ("GET", "DELETE"):
            if params:
                query = urllib.parse.urlencode(
                    [(k, v) for k, v in params.items() if v is not None], doseq=True)
                if query:
                    url += ("&" if "?" in url else "?") + query
        elif params is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(params).encode()
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
            error.close()
        text = raw.decode("utf-8", "replace")
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = None
        return status, body, text

    def control(self, method, path, params=None):
        """A control request that must succeed (2xx): returns its JSON, else raises
        DialtoneError (RouteMissingError for a route this dialtone does not have)."""
        status, body, text = self.request(method, path, params)
        if 200 <= status < 300:
            return body
        details = dict(status=status, body=body if body is not None else text, method=method,
                       path=path)
        said = _say(body, text)
        if _route_missing(status, body):
            raise RouteMissingError("%s /_dialtone%s: this dialtone has no such route (404: %s)"
                                    % (method, path, said), **details)
        raise DialtoneError("%s /_dialtone%s: %s %s" % (method, path, status, said), **details)

    def health(self):
        return self.control("GET", "/health")

    # ------------------------------------------------------------------ accounts

    def account(self, clock="manual", seed=None, speed=None, friendly_name=None,
                owner_account_sid=None):
        """A fresh isolated account (its own world). ``clock`` defaults to manual, which starts
        at 2026-01-01T00:00:00Z; ``owner_account_sid`` makes a subaccount in its owner's world."""
        if owner_account_sid:
            params = _pascal(dict(owner_account_sid=owner_account_sid,
                                  friendly_name=friendly_name))
        else:
            params = _pascal(dict(clock=clock, speed=speed, friendly_name=friendly_name,
                                  seed=None if seed is None else str(seed)))
        return Account(self, self.control("POST", "/accounts", params))

    def faults(self):
        """Every account's fault rules (needs a dialtone with /_dialtone/faults)."""
        return Faults(self, None)

    # ------------------------------------------------------------------ a dialtone of one's own

    @classmethod
    def start(cls, binary=None, args=(), env=None, cwd=None, timeout=10.0, control_token=None):
        """Starts ``binary --port 0 *args`` (default $DIALTONE_BIN, else ``dialtone`` on the
        PATH), reads its "dialtone listening on http://HOST:PORT" line and waits for
        /_dialtone/health. Call ``stop()`` after, or use it as a context manager."""
        binary = binary or os.environ.get("DIALTONE_BIN") or "dialtone"
        child_env = dict(os.environ)
        for key, value in (env or {}).items():
            if value is None:
                child_env.pop(key, None)
            else:
                child_env[key] = value
        process = subprocess.Popen(
            [binary, "--port", "0", *args], cwd=cwd, env=child_env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        lines = deque(maxlen=2000)
        seen = threading.Condition()
        found = []

        # The log is drained for the life of the process (a full pipe would block dialtone).
        def read():
            for raw in process.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                with seen:
                    lines.append(line)
                    if not found:
                        hit = _LISTENING.search(line)
                        if hit:
                            found.append(hit.group(1))
                    seen.notify_all()
            with seen:
                seen.notify_all()

        reader = threading.Thread(target=read, name="dialtone-log", daemon=True)
        reader.start()
        deadline = time.monotonic() + timeout
        dt = None
        try:
            with seen:
                while not found:
                    left = deadline - time.monotonic()
                    if process.poll() is not None and not reader.is_alive():
                        raise RuntimeError("%s exited (status %s) before it listened. Output:\n%s"
                                           % (binary, process.returncode, "\n".join(lines)))
                    if left <= 0:
                        raise RuntimeError('%s printed no "dialtone listening on http://HOST:PORT"'
                                           " within %s s. Output:\n%s"
                                           % (binary, timeout, "\n".join(lines)))
                    seen.wait(min(left, 0.1))
            dt = cls(found[0], control_token=control_token)
            dt.process = process
            dt._lines = lines
            dt._reader = reader
            # The line comes once the socket listens; health normally answers at once.
            while True:
                try:
                    if dt.request("GET", "/health")[0] == 200:
                        break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("GET %s/_dialtone/health never answered 200. Output:\n%s"
                                       % (dt.base_url, "\n".join(lines)))
                time.sleep(0.02)
            return dt
        except BaseException:
            if process.poll() is None:
                process.kill()
            process.wait()
            reader.join(5)
            process.stdout.close()
            raise

    def log(self):
        """The last 2000 log lines of a dialtone started with ``start()``."""
        return "\n".join(list(self._lines))

    def stop(self):
        """SIGTERM (SIGKILL after 5 s) a dialtone started with ``start()``; returns its exit
        status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._reader is not None:
            self._reader.join(5)
        if not self.process.stdout.closed:
            self.process.stdout.close()
        return self.process.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Account:
    """An isolated account made by ``Dialtone.account()``: every method adds its AccountSid.
    A context manager: leaving the block closes (deletes) the account."""

    def __init__(self, dialtone, info):
        self.dialtone = dialtone
        self.info = info
        self.sid = info["sid"]
        self.auth_token = info["auth_token"]
        self.api_key_sid = info.get("api_key_sid")
        self.api_key_secret = info.get("api_key_secret")
        self.world_sid = info.get("world_sid")
        self.seed = info.get("seed")
        self.friendly_name = info.get("friendly_name")
        self._client = None

    def __repr__(self):
        return "<dialtone Account %s>" % self.sid

    def _params(self, extra=None):
        params = {"AccountSid": self.sid}
        params.update(extra or {})
        return params

    def _control(self, method, path, extra=None):
        return self.dialtone.control(method, path, self._params(extra))

    # ------------------------------------------------------------------ the SDK

    @property
    def client(self):
        """The official ``twilio.rest.Client`` for this account, pointed at dialtone (made on
        first use)."""
        if self._client is None:
            self._client = self.create_client()
        return self._client

    def create_client(self, **kwargs):
        """A new ``twilio.rest.Client`` for this account (``kwargs`` go to Client) with the
        api and accounts domains at dialtone. Edge and region are cleared: the SDK would
        rewrite dialtone's host with them (TWILIO_EDGE / TWILIO_REGION in the environment)."""
        try:
            from twilio.rest import Client
        except ImportError as error:
            raise RuntimeError("dialtone_testing: account.client needs the twilio package "
                               "(pip install twilio, or apt-get install python3-twilio)") from error
        client = Client(self.sid, self.auth_token, **kwargs)
        client.edge = None
        client.region = None
        client.api.base_url = self.dialtone.base_url
        client.accounts.base_url = self.dialtone.base_url
        return client

    # ------------------------------------------------------------------ time

    def advance(self, seconds):
        """Moves the account's manual clock; returns once every timer due has fired (the clock,
        with ``timers_fired``)."""
        return self._control("POST", "/clock/advance", {"Seconds": seconds})

    def clock(self, mode=None, speed=None):
        """The account's clock; with ``mode``/``speed`` it is set first."""
        if mode is None and speed is None:
            return self._control("GET", "/clock")
        return self._control("POST", "/clock", _pascal(dict(mode=mode, speed=speed)))

    def wait_for(self, call_sid, condition, timeout=5, since=None):
        """Blocks (in dialtone) until ``condition`` holds for the call: ``status:completed``,
        an event type (``webhook.request``) or ``type:field=value`` (``verb:verb=Gather``), met
        by any event of the call, or only by those after the seq ``since``. Returns the call's
        events (after ``since`` if given); raises WaitTimeoutError after ``timeout`` seconds."""
        path = "/calls/%s/events" % call_sid
        status, body, text = self.dialtone.request(
            "GET", path, self._params({"wait_for": condition, "timeout": timeout,
                                       "since": since}))
        if status == 200:
            return body["events"]
        details = dict(status=status, body=body if body is not None else text, method="GET",
                       path=path)
        said = _say(body, text)
        if status == 408:
            last = ""
            try:
                events = self.events(call_sid=call_sid)
                statuses = [e for e in events if e["type"] == "status"]
                last = "; the call is %s, its last event: %s" % (
                    statuses[-1]["fields"]["status"] if statuses else "without a status event",
                    events[-1]["type"] if events else "none")
            except DialtoneError:
                pass
            raise WaitTimeoutError("wait_for(%s, %r): %s (408 after %s s%s)"
                                   % (call_sid, condition, said, timeout, last), **details)
        raise DialtoneError("wait_for(%s, %r): %s %s" % (call_sid, condition, status, said),
                            **details)

    def events(self, call_sid=None, type=None, since=None):  # noqa: A002 (dialtone's name)
        """The account's journal (a list of events); ``type`` may be a list."""
        path = "/calls/%s/events" % call_sid if call_sid else "/events"
        return self._control("GET", path, {"type": type, "since": since})["events"]

    # ------------------------------------------------------------------ callees, numbers

    def callee(self, target):
        """A phone number (E.164, a regular expression starting with ``^``, or ``*`` for every
        other number) to script with ``.behaves(...)``, or a live call's sid to act on with
        ``.answer()``, ``.busy()``, ``.no_answer()``, ``.fail()``, ``.hangup()``,
        ``.digits()``, ``.speech()``."""
        if _CALL_SID.match(str(target)):
            return LiveCallee(self, target)
        return ScriptedCallee(self, str(target))

    def behaviors(self):
        """The scripted callees of the account's world: {default, behaviors}."""
        return self._control("GET", "/behaviors")

    def clear_behaviors(self):
        return self._control("DELETE", "/behaviors")

    def number(self, phone_number, voice_url=None, status_callback=None, voice_method=None,
               voice_fallback_url=None, voice_fallback_method=None,
               status_callback_method=None):
        """Registers (or updates) a phone number of the account, for inbound calls."""
        return self._control("POST", "/numbers", _pascal(dict(
            phone_number=phone_number, voice_url=voice_url, voice_method=voice_method,
            voice_fallback_url=voice_fallback_url, voice_fallback_method=voice_fallback_method,
            status_callback=status_callback, status_callback_method=status_callback_method)))

    def numbers(self):
        return self._control("GET", "/numbers")

    def inbound(self, from_, to):
        """A simulated inbound call from ``from_`` to one of the account's numbers."""
        return self._control("POST", "/calls", {"From": from_, "To": to})

    def limits(self, calls_per_second=None, max_concurrent_api_requests=None):
        if calls_per_second is None and max_concurrent_api_requests is None:
            return self._control("GET", "/limits")
        return self._control("POST", "/limits", _pascal(dict(
            calls_per_second=calls_per_second,
            max_concurrent_api_requests=max_concurrent_api_requests)))

    # ------------------------------------------------------------------ lifetime

    def reset(self):
        """Forgets the account's calls, journal and numbers (and its world's callees and
        limit); the clock keeps its time."""
        return self._control("POST", "/reset")

    def close(self):
        """Deletes the account: its subaccounts, world, calls, journal and timers are freed;
        its credentials then get 401."""
        return self.dialtone.control("DELETE", "/accounts/%s" % self.sid)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------ newer routes

    def faults(self):
        """This account's fault rules (needs a dialtone with /_dialtone/faults)."""
        return Faults(self.dialtone, self.sid)

    def snapshot(self):
        """GET /_dialtone/accounts/{sid}/snapshot: the account's whole state as one JSON
        document (calls, live calls' TwiML and timers, journal, notifications, callees, numbers,
        limit, sid sequence, clock), to keep as a fixture. A 409 DialtoneError while webhooks of
        the account are out (an advance of its manual clock waits for them)."""
        return self._snapshot("GET", None)

    def restore(self, snapshot):
        """POST /_dialtone/accounts/{sid}/snapshot: replaces this account's state with a
        document of ``snapshot()`` (of this account or another: its account sid becomes this
        one's). Returns {restored, from, calls, live_calls, notifications, events, numbers};
        400 names what does not read, 409 the call sids another account still holds."""
        return self._snapshot("POST", snapshot)

    def _snapshot(self, method, body):
        path = "/accounts/%s/snapshot" % self.sid
        try:
            return self.dialtone.control(method, path, body)
        except RouteMissingError as error:
            raise RouteMissingError(
                "this dialtone predates the snapshot route (%s /_dialtone%s answered 404)"
                % (method, path), status=error.status, body=error.body, method=method,
                path=path) from None


class ScriptedCallee:
    def __init__(self, account, number):
        self.account = account
        self.number = number

    def behaves(self, outcome=None, answer_after=None, answered_by=None, gather=None,
                hangup_after=None, record_seconds=None, **more):
        """How calls to this number go: ``outcome`` ('answer', 'busy', 'no-answer', 'fail'),
        ``answer_after`` seconds of ringing, ``answered_by``, ``gather`` (what it enters at
        each <Gather>: digits or 'speech:TEXT'; one string or a list), ``hangup_after``,
        ``record_seconds``. Returns the rule dialtone stored."""
        target = {"Default": True} if self.number == "*" else {"Number": self.number}
        target.update(_pascal(dict(outcome=outcome, answer_after=answer_after,
                                   answered_by=answered_by, gather=gather,
                                   hangup_after=hangup_after, record_seconds=record_seconds,
                                   **more)))
        return self.account._control("POST", "/behaviors", target)


class LiveCallee:
    def __init__(self, account, call_sid):
        self.account = account
        self.call_sid = call_sid

    def _act(self, action, extra=None):
        return self.account._control("POST", "/calls/%s/%s" % (self.call_sid, action), extra)

    def answer(self):
        return self._act("answer")

    def busy(self):
        return self._act("busy")

    def no_answer(self):
        return self._act("no-answer")

    def fail(self):
        return self._act("fail")

    def hangup(self):
        return self._act("hangup")

    def digits(self, digits):
        """Presses keys during a <Gather>."""
        return self._act("digits", {"Digits": str(digits)})

    def speech(self, text):
        """Says something during a <Gather input="speech">."""
        return self._act("speech", {"SpeechResult": text})


class Faults:
    """Fault rules: POST/GET/DELETE /_dialtone/faults (needs a dialtone with that route)."""

    def __init__(self, dialtone, account_sid):
        self.dialtone = dialtone
        self.account_sid = account_sid

    def _params(self, extra=None):
        params = {"AccountSid": self.account_sid} if self.account_sid else {}
        params.update(extra or {})
        return params

    def add(self, **rule):
        """A rule: method, route, kind, status, code, retry_after, latency_ms, times, ..."""
        return self.dialtone.control("POST", "/faults", self._params(_pascal(rule)))

    def list(self):
        return self.dialtone.control("GET", "/faults", self._params())

    def clear(self, id=None):  # noqa: A002 (dialtone's name)
        """All the account's rules, or the one with this id (dialtone takes Id alone)."""
        return self.dialtone.control("DELETE", "/faults",
                                     self._params() if id is None else {"Id": id})
