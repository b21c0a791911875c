"""workload-emulator from Python: start the emulator, give each test its own sandbox.

    from workload_emulator import Emulator

    with Emulator() as emulator, emulator.sandbox() as sandbox:
        created = sandbox.api.post("/workloads/", json={...})
        sandbox.clock.advance(hours=8)

With pytest, the plugin (installed with this package) gives the fixtures
`workload_emulator` (one process per session) and `emulator_sandbox` (one sandbox per test).
"""

from ._emulator import Emulator, EmulatorNotFound, EmulatorStartError, find_binary
from ._http import Client, EmulatorError, Response
from ._sandbox import Clock, Fault, Faults, Journal, Sandbox, State

__version__ = "0.1.0"

__all__ = [
    "Client", "Clock", "Emulator", "EmulatorError", "EmulatorNotFound", "EmulatorStartError", "Fault",
    "Faults", "Journal", "Response", "Sandbox", "State", "find_binary",
]
