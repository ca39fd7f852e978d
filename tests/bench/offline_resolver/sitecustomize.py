"""Loaded by the benchmarks' child processes (on their PYTHONPATH): names under the reserved
`.example` domain fail as a resolver says "no such name", without a query leaving the machine.

The shared feed server links its items to `*.gov.example` sites; a real lookup of those would
send DNS traffic off 127.0.0.1, which no benchmark may do.
"""

from __future__ import annotations

import socket

_real_getaddrinfo = socket.getaddrinfo


def _offline_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name.rstrip(".").endswith(".example"):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


socket.getaddrinfo = _offline_getaddrinfo  # type: ignore[assignment]
