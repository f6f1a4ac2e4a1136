"""The two ways docs/sdks.md points the Python SDK at dialtone, and the pitfall between them:
`client.api.base_url` (what every other test uses) is undone by TWILIO_EDGE/TWILIO_REGION;
an http_client that rewrites any host is not."""

import re
import unittest

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from dialtone_harness import ACCOUNT_SID, AUTH_TOKEN, FROM, DialtoneTestCase


class EmulatorHttpClient(TwilioHttpClient):
    """Sends every request, whatever host the SDK built (api.twilio.com, or an edge/region
    name), to the emulator."""

    def __init__(self, base_url):
        super().__init__()
        self.base_url = base_url

    def request(self, method, url, *args, **kwargs):
        return super().request(method, re.sub(r"^https?://[^/]+", self.base_url, url),
                               *args, **kwargs)


class WiringTest(DialtoneTestCase):

    def test_http_client_rewrite_works_with_edge_and_region_set(self):
        client = Client(ACCOUNT_SID, AUTH_TOKEN, region="au1", edge="sydney",
                        http_client=EmulatorHttpClient(self.dialtone.base_url))
        to = self.number()
        sids = {client.calls.create(to=to, from_=FROM, url=self.app.url("/hold")).sid
                for _ in range(3)}
        # Three pages of one: the next pages are rewritten too.
        self.assertEqual({c.sid for c in client.calls.list(to=to, page_size=1)}, sids)
        first = sorted(sids)[0]
        self.assertEqual(client.calls(first).update(status="canceled").status, "canceled")
        self.assertEqual(self.client.calls(first).fetch().status, "canceled")

    def test_region_rewrites_the_host_of_base_url(self):
        # Why the base_url one-liner needs TWILIO_EDGE/TWILIO_REGION unset: the SDK rewrites
        # every URL's host with them just before sending, emulator address included.
        client = Client(ACCOUNT_SID, AUTH_TOKEN, region="au1")
        port = self.dialtone.base_url.rsplit(":", 1)[1]
        self.assertEqual(client.get_hostname(self.dialtone.base_url + "/2010-04-01"),
                         "http://127.au1.0.1:%s/2010-04-01" % port)


if __name__ == "__main__":
    unittest.main()
