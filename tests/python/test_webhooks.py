"""Webhooks as a Python app sees them: TwiML built with the SDK's VoiceResponse runs, and the
SDK's RequestValidator accepts every request dialtone sends (answer URL, redirects, status
callbacks; POST and GET, with and without a query string)."""

import unittest

from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from dialtone_harness import AUTH_TOKEN, FROM, DialtoneTestCase

EVENTS = ["initiated", "ringing", "answered", "completed"]


class WebhooksTest(DialtoneTestCase):

    def test_voice_response_twiml_runs_and_every_webhook_validates(self):
        voice = VoiceResponse()
        voice.say("Welcome")
        voice.pause(length=2)
        voice.redirect(self.app.url("/next"), method="POST")
        self.app.route("/voice", voice)
        goodbye = VoiceResponse()
        goodbye.say("Goodbye")
        goodbye.hangup()
        self.app.route("/next", goodbye)

        call = self.client.calls.create(
            to=self.number(), from_=FROM, url=self.app.url("/voice"),
            status_callback=self.app.url("/status"), status_callback_event=EVENTS)
        self.dialtone.callee(call.sid, "answer")
        self.dialtone.advance(60)
        events = self.dialtone.wait_for(call.sid, "status:completed")

        verbs = [e["fields"]["verb"] for e in events if e["type"] == "verb"]
        self.assertEqual([v for v in verbs if v != "(end of document)"],
                         ["Say", "Pause", "Redirect", "Say", "Hangup"])
        received = self.assert_webhooks_signed(call.sid, expected_count=6)
        self.assertEqual(sorted(r.path for r in received),
                         ["/next", "/status", "/status", "/status", "/status", "/voice"])
        callbacks = sorted(self.app.hits("/status", call.sid),
                           key=lambda r: int(r.fields["SequenceNumber"]))
        self.assertEqual([r.fields["CallStatus"] for r in callbacks],
                         ["initiated", "ringing", "in-progress", "completed"])
        self.assertEqual([r.fields["SequenceNumber"] for r in callbacks], ["0", "1", "2", "3"])

    def test_get_webhooks_and_query_strings_validate(self):
        call = self.client.calls.create(to=self.number(), from_=FROM,
                                        url=self.app.url("/hold?step=1"), method="GET")
        self.dialtone.callee(call.sid, "answer")
        self.dialtone.wait_for(call.sid, "status:in-progress")
        redirect = self.app.url("/redirect?step=2&lang=en-US")
        self.client.calls(call.sid).update(
            url=redirect, method="POST",
            status_callback=self.app.url("/late-status?from=update"), status_callback_method="GET")
        self.dialtone.wait_for(call.sid, "webhook.response:url=" + redirect)
        self.client.calls(call.sid).update(status="completed")
        self.dialtone.wait_for(call.sid, "status:completed")

        received = self.assert_webhooks_signed(call.sid, expected_count=3)
        self.assertEqual(sorted((r.method, r.path) for r in received),
                         [("GET", "/hold"), ("GET", "/late-status"), ("POST", "/redirect")])
        [late] = self.app.hits("/late-status", call.sid)
        self.assertEqual((late.fields["from"], late.fields["CallStatus"]), ("update", "completed"))

    def test_request_validator_rejects_what_dialtone_did_not_sign(self):
        call = self.client.calls.create(to=self.number(), from_=FROM, url=self.app.url("/hold"))
        self.dialtone.callee(call.sid, "answer")
        self.dialtone.wait_for(call.sid, "status:in-progress")
        [answer] = self.assert_webhooks_signed(call.sid, expected_count=1)

        validator = RequestValidator(AUTH_TOKEN)
        self.assertTrue(validator.validate(answer.url, answer.fields, answer.signature))
        tampered = dict(answer.fields, CallStatus="completed")
        self.assertFalse(validator.validate(answer.url, tampered, answer.signature))
        self.assertFalse(validator.validate(answer.url + "?x=1", answer.fields, answer.signature))
        self.assertFalse(RequestValidator("another-token").validate(
            answer.url, answer.fields, answer.signature))


if __name__ == "__main__":
    unittest.main()
