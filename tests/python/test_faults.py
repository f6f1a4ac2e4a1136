"""Twilio's failures on demand (docs/faults.md) as the official Python SDK meets them: a 429
with Retry-After that created nothing, and a 500 whose create took effect though its answer
was lost."""

from twilio.base.exceptions import TwilioRestException

from dialtone_harness import FROM, DialtoneTestCase

TWIML = "<Response><Pause length=\"600\"/></Response>"


class FaultsTest(DialtoneTestCase):

    def setUp(self):
        status, _ = self.dialtone.control("POST", "/reset")  # calls, journal and fault rules
        self.assertEqual(status, 200)

    def add_rule(self, **rule):
        status, body = self.dialtone.control("POST", "/faults", rule)
        self.assertEqual(status, 201, body)
        return body

    def faults_journaled(self):
        status, body = self.dialtone.control("GET", "/events?type=fault.injected")
        self.assertEqual(status, 200, body)
        return body["events"]

    def test_429_with_retry_after_creates_nothing(self):
        self.add_rule(Method="POST", Route="Calls", Kind="status", Status=429, Times=1)
        to = self.number()
        with self.assertRaises(TwilioRestException) as raised:
            self.client.calls.create(to=to, from_=FROM, twiml=TWIML)
        self.assertEqual((raised.exception.status, raised.exception.code), (429, 20429))
        self.assertEqual(self.client.http_client.last_response.headers.get("Retry-After"), "1")
        self.assertEqual(self.client.calls.list(to=to), [], "nothing was created")
        _, events = self.dialtone.control("GET", "/events")
        self.assertEqual([e["type"] for e in events["events"]], ["fault.injected"],
                         "nothing else happened")
        # The rule was for one request: the retry goes through.
        call = self.client.calls.create(to=to, from_=FROM, twiml=TWIML)
        self.assertEqual([c.sid for c in self.client.calls.list(to=to)], [call.sid])

    def test_500_applied_answer_lost_still_created_the_call(self):
        self.add_rule(Method="POST", Route="Calls", Kind="status", Status=500, Applied="true",
                      Times=1)
        to = self.number()
        with self.assertRaises(TwilioRestException) as raised:
            self.client.calls.create(to=to, from_=FROM, twiml=TWIML)
        self.assertEqual((raised.exception.status, raised.exception.code), (500, 20500))
        calls = self.client.calls.list(to=to)
        self.assertEqual(len(calls), 1, "the create took effect though the SDK got a 500")
        [fault] = self.faults_journaled()
        self.assertEqual(fault["call_sid"], calls[0].sid)
        self.assertEqual(fault["fields"]["real_status"], "201")
        # An app that retries a create it believes failed places the call twice.
        self.client.calls.create(to=to, from_=FROM, twiml=TWIML)
        self.assertEqual(len(self.client.calls.list(to=to)), 2)
