"""A stand-in for the customer's web app: serves TwiML built with the SDK's VoiceResponse,
records every webhook dialtone sends, and checks each X-Twilio-Signature with the SDK's
RequestValidator over the URL that was requested."""

import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse


@dataclass
class WebhookRequest:
    method: str
    path: str
    url: str         # the URL dialtone requested, as Twilio signs it
    fields: dict     # Twilio's parameters: the form body of a POST, the query of a GET
    signature: str
    signature_valid: bool


class WebhookApp:
    """`route(path, twiml)` sets what a path answers: a VoiceResponse, or a function of the
    WebhookRequest returning one. Any other path holds the call in a long <Pause>."""

    def __init__(self, auth_token):
        self.validator = RequestValidator(auth_token)
        self.requests = []
        self.routes = {}
        self._lock = threading.Lock()
        app = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as dialtone's webhook client expects

            def do_GET(self):
                app._handle(self, {})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                # Blank values are signed too (CalledZip=...), so they must be kept.
                app._handle(self, dict(urllib.parse.parse_qsl(body, keep_blank_values=True)))

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path):
        return self.base + path

    def route(self, path, twiml):
        with self._lock:
            self.routes[path] = twiml

    def requests_for(self, call_sid):
        with self._lock:
            return [r for r in self.requests if r.fields.get("CallSid") == call_sid]

    def hits(self, path, call_sid):
        return [r for r in self.requests_for(call_sid) if r.path == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, handler, form):
        parsed = urllib.parse.urlsplit(handler.path)
        url = self.base + handler.path
        signature = handler.headers.get("X-Twilio-Signature", "")
        record = WebhookRequest(
            method=handler.command,
            path=parsed.path,
            url=url,
            fields=form if handler.command == "POST"
            else dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)),
            signature=signature,
            # A GET's parameters are in the URL, which is signed as is: no params to add.
            signature_valid=self.validator.validate(url, form, signature))
        with self._lock:
            self.requests.append(record)
            twiml = self.routes.get(parsed.path)
        if callable(twiml):
            twiml = twiml(record)
        if twiml is None:
            twiml = VoiceResponse()
            twiml.pause(length=600)
        body = str(twiml).encode("utf-8")
        handler.send_response(200)
        handler.send_header("Content-Type", "text/xml")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
