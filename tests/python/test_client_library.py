"""clients/python (dialtone_testing) against the real binary, imported the way a suite would
through PYTHONPATH=clients/python (run.sh sets it). The library starts its own dialtone; the
Twilio API is driven through each account's ready SDK client."""

import ast
import os
import sys
import unittest
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import dialtone_testing
from dialtone_testing import (Dialtone, DialtoneError, RouteMissingError, WaitTimeoutError)
from twilio.base.exceptions import TwilioException, TwilioRestException

from dialtone_harness import FROM, REPO_ROOT, binary_path, stop_cleanly
from webhook_app import WebhookApp

PACKAGE_DIR = os.path.join(REPO_ROOT, "clients", "python")
HOLD = '<Response><Pause length="600"/></Response>'


def xml(body):
    return '<?xml version="1.0" encoding="UTF-8"?><Response>%s</Response>' % body


class ClientLibraryTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dt = Dialtone.start(binary=binary_path())
        cls.addClassCleanup(stop_cleanly, cls.dt)
        cls.app = WebhookApp("unused")  # each account signs with its own token
        cls.addClassCleanup(cls.app.close)

    def account(self, **kwargs):
        account = self.dt.account(**kwargs)
        self.addCleanup(self._close_quietly, account)
        return account

    @staticmethod
    def _close_quietly(account):
        try:
            account.close()
        except DialtoneError:
            pass  # the test closed it

    def assertRest(self, status, code, fn, *args, **kwargs):
        with self.assertRaises(TwilioRestException) as caught:
            fn(*args, **kwargs)
        self.assertEqual((caught.exception.status, caught.exception.code), (status, code))

    def wait_answered(self, account, call_sid, url):
        """The app answered dialtone's request of `url` for the call (so recorded it)."""
        account.wait_for(call_sid, "webhook.response:url=" + url)
        [hit] = [r for r in self.app.requests_for(call_sid) if r.url == url]
        return hit

    # ------------------------------------------------------------------ the package

    def test_the_package_comes_from_the_repository_and_uses_the_standard_library_only(self):
        self.assertEqual(os.path.dirname(os.path.dirname(dialtone_testing.__file__)), PACKAGE_DIR)
        for name in dialtone_testing.__all__:
            self.assertTrue(hasattr(dialtone_testing, name), name)
        source = os.path.join(PACKAGE_DIR, "dialtone_testing", "_client.py")
        with open(source, encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
        top_level = set()
        for node in tree.body:  # module-level imports; twilio is imported inside create_client
            if isinstance(node, ast.Import):
                top_level.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                top_level.add(node.module.split(".")[0])
        if hasattr(sys, "stdlib_module_names"):
            self.assertLessEqual(top_level, set(sys.stdlib_module_names))
        self.assertNotIn("twilio", top_level)
        with open(os.path.join(PACKAGE_DIR, "pyproject.toml"), encoding="utf-8") as handle:
            pyproject = handle.read()
        self.assertIn('name = "dialtone-testing"', pyproject)
        self.assertIn("dependencies = []", pyproject)

    # ------------------------------------------------------------------ accounts

    def test_two_accounts_made_in_parallel_with_manual_clocks_stay_isolated(self):
        with ThreadPoolExecutor(2) as pool:
            a, b = pool.map(lambda seed: self.account(seed=seed), (21, 22))
        self.assertNotEqual(a.sid, b.sid)
        self.assertEqual(a.seed, "21")
        self.assertRegex(a.auth_token, r"^[0-9a-f]{32}$")
        self.assertRegex(a.api_key_sid, r"^SK[0-9a-f]{32}$")
        self.assertTrue(a.api_key_secret)
        with ThreadPoolExecutor(2) as pool:
            ca, cb = pool.map(lambda acct: acct.client.calls.create(
                to="+14155550111", from_=FROM, twiml=HOLD), (a, b))
        self.assertEqual(ca.account_sid, a.sid)
        before = b.clock()
        advanced = a.advance(5)
        self.assertEqual(advanced["mode"], "manual")
        self.assertGreaterEqual(advanced["timers_fired"], 1)
        self.assertEqual(advanced["now_ms"] - before["now_ms"], 5000)
        self.assertEqual(a.client.calls(ca.sid).fetch().status, "in-progress")
        self.assertEqual(b.client.calls(cb.sid).fetch().status, "ringing")
        self.assertEqual(b.clock()["now_ms"], before["now_ms"], "B's clock did not move")
        self.assertEqual({e["call_sid"] for e in a.events()}, {ca.sid})
        self.assertEqual({e["call_sid"] for e in b.events()}, {cb.sid})
        self.assertRest(404, 20404, b.client.calls(ca.sid).fetch)

    def test_advance_and_wait_for_drive_a_call_to_completed(self):
        a = self.account()
        call = a.client.calls.create(to="+14155550111", from_=FROM, twiml=xml('<Pause length="30"/>'))
        a.advance(1)  # the default callee answers after 1 s
        answered = a.wait_for(call.sid, "status:in-progress")
        self.assertIn("in-progress", [e["fields"]["status"] for e in answered if e["type"] == "status"])
        with self.assertRaises(WaitTimeoutError) as caught:
            a.wait_for(call.sid, "status:completed", timeout=0.2)
        error = caught.exception
        self.assertIsInstance(error, AssertionError)
        self.assertEqual(error.status, 408)
        self.assertIn("timed out waiting for status:completed", str(error))
        self.assertIn("the call is in-progress", str(error))
        self.assertIsInstance(error.last_seq, int)
        a.advance(30)
        events = a.wait_for(call.sid, "status:completed")
        self.assertEqual([e for e in events if e["type"] == "status"][-1]["fields"]["status"],
                         "completed")
        self.assertEqual(a.client.calls(call.sid).fetch().duration, "30")
        self.assertEqual([e["fields"]["status"] for e in a.events(call_sid=call.sid, type="status")],
                         ["queued", "ringing", "in-progress", "completed"])

    def test_close_frees_the_account_and_its_credentials_get_401(self):
        a = self.dt.account()
        call = a.client.calls.create(to="+14155550111", from_=FROM, twiml=HOLD)
        self.assertEqual(a.close(), {"deleted": a.sid})
        self.assertRest(401, 20003, a.client.calls(call.sid).fetch)
        # (7.7.1 raises a plain TwilioException, not a TwilioRestException, for a list page.)
        with self.assertRaisesRegex(TwilioException, "HTTP 401 .*20003"):
            a.client.calls.list()
        self.assertEqual(self.dt.request("GET", "/accounts/" + a.sid)[0], 404)
        with self.assertRaises(DialtoneError) as caught:
            a.advance(1)
        self.assertEqual(caught.exception.status, 404)

    def test_a_refused_request_raises_dialtone_error_with_its_message(self):
        a = self.account()
        with self.assertRaises(DialtoneError) as caught:
            a.callee("+14155550111").behaves(answer_after=2.5)
        self.assertNotIsInstance(caught.exception, RouteMissingError)
        self.assertEqual(caught.exception.status, 400)
        self.assertIn("AnswerAfter must be whole seconds", str(caught.exception))

    def test_the_client_ignores_twilio_edge_and_region_in_the_environment(self):
        a = self.account()
        with mock.patch.dict(os.environ, {"TWILIO_EDGE": "sydney", "TWILIO_REGION": "au1"}):
            client = a.create_client()
        call = client.calls.create(to="+14155550111", from_=FROM, twiml=HOLD)
        self.assertEqual(client.calls(call.sid).fetch().sid, call.sid)

    # ------------------------------------------------------------------ callees

    def test_scripted_callees(self):
        a = self.account()
        rule = a.callee("+14155550121").behaves(outcome="busy")
        self.assertEqual((rule["number"], rule["outcome"]), ("+14155550121", "busy"))
        gather_rule = a.callee("+14155550122").behaves(answer_after=2, gather="7", hangup_after=40)
        self.assertEqual(gather_rule["gather"], ["7"])
        self.assertEqual(gather_rule["hangup_after"], 40)
        self.assertTrue(a.callee("*").behaves(answer_after=20)["default"])
        listed = a.behaviors()
        self.assertEqual([r["number"] for r in listed["behaviors"]], ["+14155550121", "+14155550122"])
        self.assertEqual(listed["default"]["answer_after"], 20)

        pressed_url = self.app.url("/py/pressed")
        self.app.route("/py/menu", xml('<Gather numDigits="1" action="%s"><Say>Press</Say></Gather>'
                                       % pressed_url))
        self.app.route("/py/pressed", xml('<Pause length="600"/>'))
        busy = a.client.calls.create(to="+14155550121", from_=FROM, twiml=HOLD)
        menu = a.client.calls.create(to="+14155550122", from_=FROM, url=self.app.url("/py/menu"))
        other = a.client.calls.create(to="+14155550123", from_=FROM, twiml=HOLD)
        a.advance(3)
        self.assertEqual(a.client.calls(busy.sid).fetch().status, "busy")
        self.assertEqual([(e["call_sid"], e["fields"]["status"])
                          for e in a.events(call_sid=busy.sid, type="status")],
                         [(busy.sid, "queued"), (busy.sid, "ringing"), (busy.sid, "busy")])
        self.assertEqual(a.client.calls(other.sid).fetch().status, "ringing")
        a.wait_for(menu.sid, "verb:verb=Gather")
        a.advance(5)
        self.assertEqual(self.wait_answered(a, menu.sid, pressed_url).fields["Digits"], "7")
        a.advance(40)
        a.wait_for(menu.sid, "status:completed")  # hang_up_after
        a.clear_behaviors()
        self.assertEqual(a.behaviors()["behaviors"], [])

    def test_live_actions(self):
        a = self.account()
        a.callee("*").behaves(answer_after=600)  # nobody answers unless told to
        speak_url, done_url = self.app.url("/py/speak"), self.app.url("/py/done")
        self.app.route("/py/keys", xml('<Gather numDigits="5" action="%s"><Say>Code</Say></Gather>'
                                       % speak_url))
        self.app.route("/py/speak", xml('<Gather input="speech" action="%s"><Say>Say it</Say>'
                                        '</Gather>' % done_url))
        self.app.route("/py/done", xml('<Pause length="600"/>'))
        call = a.client.calls.create(to="+14155550131", from_=FROM, url=self.app.url("/py/keys"))
        a.advance(1)
        self.assertEqual(a.client.calls(call.sid).fetch().status, "ringing")
        live = a.callee(call.sid)
        self.assertEqual(live.answer()["sid"], call.sid)
        first = a.wait_for(call.sid, "verb:verb=Gather")
        live.digits("12#")
        self.assertEqual(self.wait_answered(a, call.sid, speak_url).fields["Digits"], "12")
        # The second <Gather>: only an event after the first one's counts.
        after = a.wait_for(call.sid, "verb:verb=Gather", since=first[-1]["seq"])
        self.assertTrue(all(e["seq"] > first[-1]["seq"] for e in after))
        self.assertEqual(len([e for e in after if e["type"] == "verb"
                              and e["fields"]["verb"] == "Gather"]), 1)
        live.speech("sales please")
        self.assertEqual(self.wait_answered(a, call.sid, done_url).fields["SpeechResult"],
                         "sales please")
        live.hangup()
        a.wait_for(call.sid, "status:completed")
        with self.assertRaises(DialtoneError) as caught:
            live.answer()
        self.assertEqual(caught.exception.status, 409)

        second = a.client.calls.create(to="+14155550132", from_=FROM, twiml=HOLD)
        a.advance(1)
        a.callee(second.sid).busy()
        a.wait_for(second.sid, "status:busy")

    # ------------------------------------------------------------------ numbers

    def test_number_and_inbound(self):
        a, b = self.account(), self.account()
        voice_url, status_url = self.app.url("/py/in"), self.app.url("/py/in-status")
        self.app.route("/py/in", xml("<Say>Hello</Say><Hangup/>"))
        self.app.route("/py/in-status", "")
        number = a.number("+14155550700", voice_url=voice_url, status_callback=status_url)
        self.assertRegex(number["sid"], r"^PN[0-9a-f]{32}$")
        self.assertEqual((number["account_sid"], number["voice_url"]), (a.sid, voice_url))
        self.assertIn("+14155550700", [n["phone_number"] for n in a.numbers()["numbers"]])
        call = a.inbound(from_="+14155550199", to="+14155550700")
        self.assertEqual((call["direction"], call["account_sid"]), ("inbound", a.sid))
        self.wait_answered(a, call["sid"], voice_url)
        a.advance(10)
        a.wait_for(call["sid"], "status:completed")
        a.wait_for(call["sid"], "webhook.response:url=" + status_url)
        self.assertIn("completed", [r.fields["CallStatus"] for r in self.app.requests_for(call["sid"])
                                    if r.path == "/py/in-status"])
        with self.assertRaises(DialtoneError) as caught:
            b.inbound(from_="+14155550199", to="+14155550700")
        self.assertEqual((caught.exception.status, caught.exception.body["code"]), (404, 21217))

    # ------------------------------------------------------------------ newer routes

    def test_faults_without_the_route_say_so(self):
        if self.dt.request("GET", "/faults")[0] != 404:
            self.skipTest("this dialtone has /_dialtone/faults")
        with self.assertRaises(RouteMissingError) as caught:
            self.account().faults().list()
        self.assertIn("GET /_dialtone/faults: this dialtone has no such route (404", str(caught.exception))

    def test_faults_add_list_clear(self):
        if self.dt.request("GET", "/faults")[0] == 404:
            self.skipTest("needs a dialtone with the faults route (GET /_dialtone/faults answered 404)")
        a = self.account()
        rule = a.faults().add(method="POST", route="Calls", kind="status", status=503, times=1)
        self.assertEqual(rule["account_sid"], a.sid)
        self.assertRest(503, 20503, a.client.calls.create, to="+14155550111", from_=FROM, twiml=HOLD)
        self.assertEqual([(r["id"], r["injected"]) for r in a.faults().list()["rules"]],
                         [(rule["id"], 1)])
        a.faults().clear(rule["id"])
        self.assertEqual(a.faults().list()["rules"], [])
        a.faults().add(kind="status", status=500)
        a.faults().clear()
        self.assertEqual(a.faults().list()["rules"], [])

    def test_snapshot_on_a_dialtone_without_the_route_says_so(self):
        a = self.account()
        # An older dialtone answers 404 "No control route" for it.
        older = {"message": "No control route /_dialtone/accounts/%s/snapshot" % a.sid,
                 "status": 404}
        with mock.patch.object(a.dialtone, "request", return_value=(404, older, "")):
            for call in (a.snapshot, lambda: a.restore({})):
                with self.assertRaises(RouteMissingError) as caught:
                    call()
                self.assertIn("this dialtone predates the snapshot route", str(caught.exception))

    def test_snapshot_and_restore(self):
        a = self.account(seed=98)
        a.callee("+14155550123").behaves(outcome="busy")
        call = a.client.calls.create(to="+14155550123", from_=FROM, twiml=xml("<Hangup/>"))
        a.advance(5)
        snapshot = a.snapshot()
        self.assertEqual(snapshot["account_sid"], a.sid)
        self.assertEqual([(c["sid"], c["status"]) for c in snapshot["calls"]],
                         [(call.sid, "busy")])
        b = self.account()
        with self.assertRaises(DialtoneError) as caught:
            b.restore(snapshot)  # the source still holds the call's sid
        self.assertEqual(caught.exception.status, 409)
        a.close()
        restored = b.restore(snapshot)
        self.assertEqual((restored["restored"], restored["from"], restored["calls"]),
                         (b.sid, a.sid, 1))
        self.assertEqual(b.client.calls(call.sid).fetch().status, "busy")

    # ------------------------------------------------------------------ Dialtone.start

    def test_start_with_a_control_token(self):
        with Dialtone.start(binary=binary_path(), args=["--control-api-token", "sesame"],
                            control_token="sesame") as own:
            self.assertNotEqual(own.base_url, self.dt.base_url)
            self.assertRegex(own.log(), r"dialtone listening on http://127\.0\.0\.1:\d+")
            with own.account() as a:
                self.assertEqual(a.clock()["mode"], "manual")
            with self.assertRaises(DialtoneError) as caught:
                Dialtone(own.base_url).account()
            self.assertEqual(caught.exception.status, 401)
        self.assertEqual(own.process.returncode, 0)
        with self.assertRaises(OSError):
            own.health()

    def test_start_of_a_binary_that_does_not_listen(self):
        with self.assertRaisesRegex(RuntimeError, r"(?s)exited .* before it listened\. Output:.*clock"):
            Dialtone.start(binary=binary_path(), args=["--clock", "sideways"])
        with self.assertRaises(OSError):
            Dialtone.start(binary=os.path.join(PACKAGE_DIR, "no-such-dialtone"))


if __name__ == "__main__":
    unittest.main()
