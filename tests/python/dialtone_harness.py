"""Starts the real dialtone binary for a test class and talks to its control API.

One dialtone per test class, on a free port (--port 0, read back from the first log line),
with the manual clock: nothing happens to a call unless a test answers it or moves time, and
every wait is one of dialtone's journal waits (wait_for), never a sleep.
"""

import itertools
import json
import os
import re
import signal
import subprocess
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

from twilio.rest import Client

from webhook_app import WebhookApp

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# Fixed test credentials handed to every dialtone started here, so that the tests never depend
# on the defaults in config/. Alphanumeric, as every SDK accepts them.
ACCOUNT_SID = "AC" + "9e2e" * 8
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"

FROM = "+14155550100"

# The SDK reads these two from the environment and would rewrite the base URL's host with them
# (127.0.0.1 becomes 127.au1.0.1): an emulator run must not see them.
for _name in ("TWILIO_EDGE", "TWILIO_REGION"):
    os.environ.pop(_name, None)

_numbers = itertools.count(1000001)

_ADDRESS = re.compile(r"http://(\d+\.\d+\.\d+\.\d+|\[[0-9a-fA-F:]+\]):(\d+)")


def binary_path():
    path = os.environ.get("DIALTONE_BIN", "build/ci/server/dialtone")
    return path if os.path.isabs(path) else os.path.join(REPO_ROOT, path)


def stop_cleanly(dialtone):
    """Stops a dialtone of the client library (dialtone_testing.Dialtone.start): it must exit 0
    on SIGTERM. DIALTONE_PY_LOG=1 prints its log."""
    status = dialtone.stop()
    if os.environ.get("DIALTONE_PY_LOG"):
        print(dialtone.log())
    if status != 0:
        raise AssertionError("dialtone exited %s on SIGTERM:\n%s" % (status, dialtone.log()))


def sdk_client(base_url, account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN):
    """The official client pointed at dialtone: the wiring docs/sdks.md shows for Python."""
    client = Client(account_sid, auth_token)
    client.api.base_url = base_url
    return client


class Dialtone:
    """A running dialtone process; `stop()` ends it."""

    def __init__(self, timeout=10.0):
        binary = binary_path()
        if not os.access(binary, os.X_OK):
            raise RuntimeError("no dialtone binary at %s: build the ci preset or set DIALTONE_BIN"
                               % binary)
        env = dict(os.environ, DIALTONE_ACCOUNT_SID=ACCOUNT_SID, DIALTONE_AUTH_TOKEN=AUTH_TOKEN)
        self.process = subprocess.Popen(
            [binary, "--port", "0", "--clock", "manual"], cwd=REPO_ROOT, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines = []
        self._seen_line = threading.Condition()
        # The log must be drained all the time: dialtone writes an access-log line per request
        # and would block on a full pipe.
        self._reader = threading.Thread(target=self._read_log, daemon=True)
        self._reader.start()
        try:
            self.base_url = self._wait_for_address(timeout)
            self._wait_for_health(timeout)
        except Exception:
            self.stop()
            raise

    def _read_log(self):
        for raw in self.process.stdout:
            with self._seen_line:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._seen_line.notify_all()
        with self._seen_line:
            self._seen_line.notify_all()

    def log(self):
        with self._seen_line:
            return "\n".join(self.lines)

    def _wait_for_address(self, timeout):
        deadline = time.monotonic() + timeout
        with self._seen_line:
            while True:
                for line in self.lines:
                    hit = _ADDRESS.search(line)
                    if hit:
                        return "http://%s:%s" % hit.groups()
                left = deadline - time.monotonic()
                if self.process.poll() is not None or left <= 0:
                    raise RuntimeError("dialtone named no address (exit %s). Output:\n%s"
                                       % (self.process.poll(), "\n".join(self.lines)))
                self._seen_line.wait(left)

    def _wait_for_health(self, timeout):
        # The first log line comes once the socket listens, so one request normally suffices;
        # the loop only covers a refused connect while the server is still coming up.
        deadline = time.monotonic() + timeout
        while True:
            try:
                status, _ = self.control("GET", "/health")
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("GET /_dialtone/health never answered 200:\n" + self.log())
            time.sleep(0.02)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(5)  # the rest of the log, up to end of file
        self.process.stdout.close()

    def control(self, method, path, params=None):
        """A control API request; returns (HTTP status, parsed JSON body)."""
        url = self.base_url + "/_dialtone" + path
        data = None
        if params is not None:
            data = urllib.parse.urlencode(params, doseq=True).encode()
        request = urllib.request.Request(url, data=data, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        return status, (json.loads(body) if body else None)

    def wait_for(self, call_sid, condition, timeout=5):
        """Blocks (in dialtone) until `condition` holds for the call; returns its journal."""
        query = urllib.parse.urlencode({"wait_for": condition, "timeout": timeout})
        status, body = self.control("GET", "/calls/%s/events?%s" % (call_sid, query))
        if status != 200:
            raise AssertionError("%s: wait_for %s: %s %s" % (call_sid, condition, status, body))
        return body["events"]

    def events(self, call_sid, event_type=None):
        query = "?type=" + event_type if event_type else ""
        status, body = self.control("GET", "/calls/%s/events%s" % (call_sid, query))
        if status != 200:
            raise AssertionError("%s: events: %s %s" % (call_sid, status, body))
        return body["events"]

    def advance(self, seconds):
        status, body = self.control("POST", "/clock/advance", {"Seconds": seconds})
        if status != 200:
            raise AssertionError("clock/advance %s: %s %s" % (seconds, status, body))
        return body

    def callee(self, call_sid, action):
        """The callee acts (answer, busy, hangup, ...), as a phone would."""
        status, body = self.control("POST", "/calls/%s/%s" % (call_sid, action))
        if status != 200:
            raise AssertionError("%s: %s: %s %s" % (call_sid, action, status, body))
        return body


def requested_url(event):
    """(method, URL requested) of a journaled webhook.request: a GET carries its parameters in
    the query, after any the configured URL had."""
    fields = event["fields"]
    if fields["method"] != "GET":
        return fields["method"], fields["url"]
    return "GET", fields["url"] + ("&" if "?" in fields["url"] else "?") + fields["params"]


class DialtoneTestCase(unittest.TestCase):
    """A dialtone, a webhook app and an SDK client per class."""

    @classmethod
    def setUpClass(cls):
        cls.dialtone = Dialtone()
        cls.addClassCleanup(cls._stop_dialtone)
        cls.app = WebhookApp(AUTH_TOKEN)
        cls.addClassCleanup(cls.app.close)
        cls.client = sdk_client(cls.dialtone.base_url)

    @classmethod
    def _stop_dialtone(cls):
        cls.dialtone.stop()
        if os.environ.get("DIALTONE_PY_LOG"):
            print(cls.dialtone.log())

    @staticmethod
    def number():
        """A fresh number, so that tests (and their list filters) never see each other's calls."""
        return "+1415%07d" % next(_numbers)

    def assert_webhooks_signed(self, call_sid, expected_count=None):
        """Every webhook dialtone journaled for the call reached the app with a signature the
        SDK's RequestValidator accepts; returns the app's records of them."""
        sent = self.dialtone.events(call_sid, "webhook.request")
        for event in sent:
            # The response is journaled once the app has answered, hence recorded the request.
            self.dialtone.wait_for(call_sid, "webhook.response:id=" + event["fields"]["id"])
        received = self.app.requests_for(call_sid)
        # Sorted: webhooks sent at the same instant (a status callback and a TwiML fetch) may
        # arrive in either order.
        self.assertEqual(sorted(map(requested_url, sent)),
                         sorted((r.method, r.url) for r in received),
                         "the app received exactly the webhooks dialtone journaled")
        if expected_count is not None:
            self.assertEqual(len(received), expected_count)
        for record in received:
            self.assertTrue(record.signature, "%s %s has no X-Twilio-Signature"
                            % (record.method, record.url))
            self.assertTrue(record.signature_valid, "RequestValidator rejects %s %s (%s)"
                            % (record.method, record.url, record.signature))
        return received
