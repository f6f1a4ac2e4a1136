"""Twilio's errors as the Python SDK raises them: TwilioRestException with the HTTP status and
Twilio's error code from dialtone's error body."""

import unittest

from twilio.base.exceptions import TwilioRestException

from dialtone_harness import ACCOUNT_SID, FROM, DialtoneTestCase, sdk_client

UNKNOWN_CALL = "CA" + "0" * 32


class ErrorsTest(DialtoneTestCase):

    def assert_rest_error(self, raised, status, code):
        error = raised.exception
        self.assertEqual((error.status, error.code), (status, code), error.msg)
        return error

    def test_unknown_call_is_20404(self):
        with self.assertRaises(TwilioRestException) as raised:
            self.client.calls(UNKNOWN_CALL).fetch()
        error = self.assert_rest_error(raised, 404, 20404)
        self.assertEqual(error.method, "GET")
        with self.assertRaises(TwilioRestException) as raised:
            self.client.calls(UNKNOWN_CALL).update(status="completed")
        self.assert_rest_error(raised, 404, 20404)
        with self.assertRaises(TwilioRestException) as raised:
            self.client.calls(UNKNOWN_CALL).delete()
        self.assert_rest_error(raised, 404, 20404)

    def test_update_of_an_ended_call_is_21220(self):
        call = self.client.calls.create(to=self.number(), from_=FROM, url=self.app.url("/hold"))
        self.client.calls(call.sid).update(status="canceled")
        with self.assertRaises(TwilioRestException) as raised:
            self.client.calls(call.sid).update(url=self.app.url("/too-late"), method="POST")
        error = self.assert_rest_error(raised, 400, 21220)
        self.assertIn("Call is not in-progress. Cannot redirect.", error.msg)
        with self.assertRaises(TwilioRestException) as raised:
            self.client.calls(call.sid).update(status="completed")
        self.assert_rest_error(raised, 400, 21220)
        self.assertEqual(self.client.calls(call.sid).fetch().status, "canceled")

    def test_delete_of_a_live_call_is_20009(self):
        call = self.client.calls.create(to=self.number(), from_=FROM, url=self.app.url("/hold"))
        with self.assertRaises(TwilioRestException) as raised:
            self.client.calls(call.sid).delete()
        self.assert_rest_error(raised, 400, 20009)
        self.assertEqual(self.client.calls(call.sid).fetch().status, "ringing")

    def test_bad_credentials_are_20003(self):
        to = self.number()
        intruder = sdk_client(self.dialtone.base_url, ACCOUNT_SID, "not-the-auth-token")
        with self.assertRaises(TwilioRestException) as raised:
            intruder.calls.create(to=to, from_=FROM, url=self.app.url("/hold"))
        self.assert_rest_error(raised, 401, 20003)
        self.assertEqual(self.client.calls.list(to=to), [], "nothing was created")

        call = self.client.calls.create(to=to, from_=FROM, url=self.app.url("/hold"))
        with self.assertRaises(TwilioRestException) as raised:
            intruder.calls(call.sid).fetch()
        self.assert_rest_error(raised, 401, 20003)


if __name__ == "__main__":
    unittest.main()
