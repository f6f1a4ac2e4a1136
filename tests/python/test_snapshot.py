"""Snapshots of an account (docs/accounts.md) through clients/python: a snapshot, kept as a
fixture (JSON text), restored into a fresh account gives back the same account through the
official SDK and the control API, the account sid apart; snapshotted again, the same document."""

import json
import unittest

from twilio.twiml.voice_response import VoiceResponse

from dialtone_testing import Dialtone, DialtoneError

from dialtone_harness import FROM, binary_path, stop_cleanly
from webhook_app import WebhookApp

GATHERS = "+14155550911"
BUSY = "+14155550912"


def renamed(value, old, new):
    """`value` with every occurrence of the account sid `old` written as `new`."""
    return json.loads(json.dumps(value).replace(old, new))


class SnapshotTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dt = Dialtone.start(binary=binary_path())
        cls.addClassCleanup(stop_cleanly, cls.dt)
        cls.app = WebhookApp("unused")
        cls.addClassCleanup(cls.app.close)
        menu = VoiceResponse()
        menu.say("Thanks")
        menu.hangup()
        cls.app.route("/menu", menu)
        voice = VoiceResponse()
        gather = voice.gather(num_digits=1, timeout=3, action=cls.app.url("/menu"))
        gather.say("Press 1")
        voice.say("Goodbye")
        cls.app.route("/voice", voice)

    @staticmethod
    def journal(account):
        """The account's journal, the process-wide seq of its events left out."""
        return [{k: v for k, v in e.items() if k != "seq"} for e in account.events()]

    def view(self, account):
        """What a test reads of an account through the SDK and the control API. Its journal
        is read apart: every SDK request is journaled, so reading the calls adds to it."""
        calls = []
        for call in account.client.calls.list():
            fetched = account.client.calls(call.sid).fetch()
            calls.append([str(v) for v in (
                call.sid, call.status, call.duration, call.start_time, call.end_time, call.price,
                call.uri, call.queue_time, fetched.status, fetched.account_sid, fetched.to)])
        return {"calls": calls, "behaviors": account.behaviors(),
                "numbers": account.numbers(), "clock": account.clock(),
                "limits": account.limits()["calls_per_second"]}

    def test_a_snapshot_restored_into_a_fresh_account_reads_the_same(self):
        a = self.dt.account(seed=6060)
        a.number("+14155550910", voice_url=self.app.url("/voice"))
        a.callee(GATHERS).behaves(answer_after=2, gather=["1"])
        a.callee(BUSY).behaves(outcome="busy")
        a.limits(calls_per_second=3)
        gathered = a.client.calls.create(to=GATHERS, from_=FROM, url=self.app.url("/voice"))
        busy = a.client.calls.create(to=BUSY, from_=FROM, twiml="<Response><Hangup/></Response>")
        a.advance(60)
        a.wait_for(gathered.sid, "status:completed")
        a.wait_for(busy.sid, "status:busy")
        before = self.view(a)
        events = self.journal(a)
        fixture = json.dumps(a.snapshot(), indent=2)  # what a suite would keep in a file

        b = self.dt.account(clock="real")
        self.addCleanup(b.close)
        with self.assertRaises(DialtoneError) as caught:
            b.restore(json.loads(fixture))
        self.assertEqual(caught.exception.status, 409)
        self.assertIn(gathered.sid, str(caught.exception))
        a.close()

        answer = b.restore(json.loads(fixture))
        self.assertEqual((answer["restored"], answer["from"], answer["calls"], answer["numbers"]),
                         (b.sid, a.sid, 2, 1))
        self.assertEqual(b.snapshot(), renamed(json.loads(fixture), a.sid, b.sid))
        self.assertEqual(self.journal(b), renamed(events, a.sid, b.sid))
        after = self.view(b)
        self.assertEqual(after, renamed(before, a.sid, b.sid))
        self.assertEqual(after["clock"]["mode"], "manual")

    def test_a_live_call_is_captured_and_a_bad_document_refused(self):
        a = self.dt.account()
        self.addCleanup(a.close)
        call = a.client.calls.create(to="+14155550913", from_=FROM,
                                     twiml='<Response><Pause length="60"/></Response>')
        a.advance(10)
        live = a.snapshot()  # in the middle of its <Pause>
        self.assertEqual([l["call_sid"] for l in live["live_calls"]], [call.sid])
        a.advance(90)
        ended = a.client.calls(call.sid).fetch()
        self.assertEqual(ended.status, "completed")
        settled = a.snapshot()
        self.assertEqual(settled["live_calls"], [])
        with self.assertRaises(DialtoneError) as caught:
            a.restore(dict(live, dialtone_snapshot=2))
        self.assertEqual(caught.exception.status, 400)
        self.assertIn("Invalid snapshot: dialtone_snapshot", str(caught.exception))
        self.assertEqual(a.snapshot(), settled, "nothing changed")
        # Its own live snapshot rewinds it: the call pauses again and ends as it did.
        self.assertEqual(a.restore(live)["live_calls"], 1)
        self.assertEqual(a.snapshot()["calls"][0]["status"], "in-progress")
        a.advance(90)
        again = a.client.calls(call.sid).fetch()
        self.assertEqual((again.status, again.end_time, again.duration),
                         (ended.status, ended.end_time, ended.duration))


if __name__ == "__main__":
    unittest.main()
