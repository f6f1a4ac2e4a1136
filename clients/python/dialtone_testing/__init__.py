"""Test helpers for dialtone, the Twilio Voice API emulator.

Each test gets an isolated account (its own clock, timers, scripted callees, numbers and sids)
with the official ``twilio`` client already pointed at dialtone, and short calls for dialtone's
test control API (``/_dialtone/``). Standard library only; the Twilio client is made only when
``account.client`` is used, and only if ``twilio`` can be imported.
"""

from ._client import (
    Account,
    Dialtone,
    DialtoneError,
    Faults,
    LiveCallee,
    RouteMissingError,
    ScriptedCallee,
    WaitTimeoutError,
)

__all__ = [
    "Account",
    "Dialtone",
    "DialtoneError",
    "Faults",
    "LiveCallee",
    "RouteMissingError",
    "ScriptedCallee",
    "WaitTimeoutError",
]
__version__ = "0.1.0"
