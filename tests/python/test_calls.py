"""The Calls resource through the official Python SDK (Debian's python3-twilio): create, fetch,
list across pages, update (redirect, TwiML, cancel, complete) and delete."""

import json
import unittest

from twilio.base.exceptions import TwilioRestException
from twilio.twiml.voice_response import VoiceResponse

from dialtone_harness import ACCOUNT_SID, FROM, DialtoneTestCase


class CallsTest(DialtoneTestCase):

    def live_call(self):
        """A call answered by its callee and held in a 10 minute <Pause> served by the app."""
        call = self.client.calls.create(to=self.number(), from_=FROM, url=self.app.url("/hold"))
        self.dialtone.callee(call.sid, "answer")
        self.dialtone.wait_for(call.sid, "status:in-progress")
        return call

    def set_calls_per_second(self, limit):
        status, body = self.dialtone.control("POST", "/limits", {"CallsPerSecond": limit})
        self.assertEqual(status, 200, body)

    def test_create_then_fetch(self):
        to = self.number()
        call = self.client.calls.create(to=to, from_=FROM, url=self.app.url("/hold"))
        self.assertRegex(call.sid, r"^CA[0-9a-f]{32}$")
        self.assertEqual(call.status, "queued")
        self.assertEqual((call.to, call.from_), (to, FROM))
        self.assertEqual(call.direction, "outbound-api")
        self.assertEqual(call.account_sid, ACCOUNT_SID)
        self.assertEqual(call.api_version, "2010-04-01")
        self.assertEqual(call.uri,
                         "/2010-04-01/Accounts/%s/Calls/%s.json" % (ACCOUNT_SID, call.sid))

        # The manual clock dials a new call at once: it rings until the callee acts.
        self.dialtone.wait_for(call.sid, "status:ringing")
        fetched = self.client.calls(call.sid).fetch()
        self.assertEqual(fetched.sid, call.sid)
        self.assertEqual(fetched.status, "ringing")
        self.assertEqual(fetched.date_created, call.date_created)
        self.assertIsNotNone(fetched.date_created)

    def test_list_follows_the_relative_next_page_uri(self):
        to = self.number()
        created = [self.client.calls.create(to=to, from_=FROM, url=self.app.url("/hold")).sid
                   for _ in range(5)]

        page = self.client.calls.page(to=to, page_size=2)
        pages = []
        while page is not None:
            body = json.loads(self.client.http_client.last_response.text)
            pages.append([call.sid for call in page])
            next_uri = body["next_page_uri"]
            if next_uri is None:
                break
            # Relative, as Twilio sends it: the SDK puts it after its own base URL.
            self.assertTrue(
                next_uri.startswith("/2010-04-01/Accounts/%s/Calls.json?" % ACCOUNT_SID), next_uri)
            self.assertEqual(page.next_page_url, self.dialtone.base_url + next_uri)
            page = page.next_page()
            self.assertEqual(self.client.http_client.last_request.url,
                             self.dialtone.base_url + next_uri)
        self.assertEqual([len(p) for p in pages], [2, 2, 1])
        walked = [sid for p in pages for sid in p]
        self.assertCountEqual(walked, created)

        self.assertEqual([c.sid for c in self.client.calls.list(to=to, page_size=2)], walked)
        self.assertEqual([c.sid for c in self.client.calls.list(to=to, page_size=2, limit=3)],
                         walked[:3])

    def test_update_url_and_method_redirects_a_live_call(self):
        call = self.live_call()
        hang_up = VoiceResponse()
        hang_up.hangup()
        self.app.route("/redirected", hang_up)

        updated = self.client.calls(call.sid).update(url=self.app.url("/redirected"), method="GET")
        self.assertEqual(updated.status, "in-progress")
        self.dialtone.wait_for(call.sid, "status:completed")
        [redirect] = self.app.hits("/redirected", call.sid)
        self.assertEqual(redirect.method, "GET")
        self.assertEqual(redirect.fields["CallStatus"], "in-progress")
        self.assertEqual(self.client.calls(call.sid).fetch().status, "completed")
        self.assert_webhooks_signed(call.sid, expected_count=2)  # /hold, /redirected

    def test_update_twiml_replaces_what_runs(self):
        call = self.live_call()
        twiml = VoiceResponse()
        twiml.say("Goodbye")
        twiml.hangup()

        updated = self.client.calls(call.sid).update(twiml=str(twiml))
        self.assertEqual(updated.status, "in-progress")
        self.dialtone.advance(60)  # long enough for any <Say>
        events = self.dialtone.wait_for(call.sid, "status:completed")
        update_seq = max(e["seq"] for e in events
                         if e["type"] == "api.request" and "Twiml" in e["fields"])
        verbs = [e["fields"]["verb"] for e in events
                 if e["type"] == "verb" and e["seq"] > update_seq]
        self.assertEqual(verbs[:2], ["Say", "Hangup"])

    def test_status_canceled_ends_a_queued_call(self):
        # One call per second: the second call of this (virtual) second waits queued.
        self.set_calls_per_second(1)
        self.addCleanup(self.set_calls_per_second, 0)
        self.client.calls.create(to=self.number(), from_=FROM, url=self.app.url("/hold"))
        call = self.client.calls.create(to=self.number(), from_=FROM, url=self.app.url("/voice"))
        self.assertEqual(self.client.calls(call.sid).fetch().status, "queued")

        updated = self.client.calls(call.sid).update(status="canceled")
        self.assertEqual(updated.status, "canceled")
        self.dialtone.advance(60)  # past any ringing: a canceled call is never answered
        self.assertEqual(self.client.calls(call.sid).fetch().status, "canceled")
        self.assertEqual(self.app.requests_for(call.sid), [])

    def test_status_canceled_ends_a_ringing_call(self):
        to = self.number()
        status, rule = self.dialtone.control("POST", "/behaviors",
                                             {"Number": to, "AnswerAfter": 30})
        self.assertEqual(status, 201, rule)
        call = self.client.calls.create(to=to, from_=FROM, url=self.app.url("/voice"))
        self.dialtone.wait_for(call.sid, "status:ringing")

        updated = self.client.calls(call.sid).update(status="canceled")
        self.assertEqual(updated.status, "canceled")
        self.dialtone.advance(60)  # past AnswerAfter
        self.assertEqual(self.client.calls(call.sid).fetch().status, "canceled")
        self.assertEqual(self.app.requests_for(call.sid), [])

    def test_status_canceled_leaves_an_in_progress_call_alone(self):
        call = self.live_call()
        updated = self.client.calls(call.sid).update(status="canceled")
        self.assertEqual(updated.status, "in-progress")

    def test_status_completed_hangs_up_an_in_progress_call(self):
        call = self.live_call()
        self.dialtone.advance(7)
        updated = self.client.calls(call.sid).update(status="completed")
        self.assertEqual(updated.status, "completed")
        self.assertEqual(updated.duration, "7")
        self.assertIsNotNone(updated.end_time)
        self.assertEqual(self.client.calls(call.sid).fetch().status, "completed")

    def test_delete_an_ended_call(self):
        call = self.live_call()
        self.client.calls(call.sid).update(status="completed")
        self.assertTrue(self.client.calls(call.sid).delete())
        with self.assertRaises(TwilioRestException) as raised:
            self.client.calls(call.sid).fetch()
        self.assertEqual((raised.exception.status, raised.exception.code), (404, 20404))
        self.assertNotIn(call.sid, [c.sid for c in self.client.calls.list(to=call.to)])


if __name__ == "__main__":
    unittest.main()
