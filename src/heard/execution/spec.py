"""Where a classify run's partitions go: ``local:N`` or ``tcp://HOST:PORT``.

Example:
    >>> parse_cluster("local:2"), parse_cluster("tcp://10.0.0.5:8786")
    (('local', 2), ('tcp', 'tcp://10.0.0.5:8786'))
"""

from __future__ import annotations

import re

from heard.encode.onnx import default_threads
from heard.errors import ConfigError

_SPEC = re.compile(r"^(?:local:(?P<n>\d+)|(?P<addr>(?:tcp|tls)://[^\s/]+:\d+))$")


def parse_cluster(spec: str) -> tuple[str, int | str]:
    """``("local", N)`` or ``("tcp", address)``.

    Raises:
        ConfigError: anything else.
    """
    match = _SPEC.match(spec.strip())
    if match is None or (match.group("n") is not None and int(match.group("n")) < 1):
        raise ConfigError(f"--cluster {spec}: expected local:N (N worker processes here, N >= 1) or tcp://HOST:PORT "
                          "(a running Dask scheduler), found neither. Fix: for example --cluster local:2")
    if match.group("n") is not None:
        return "local", int(match.group("n"))
    return "tcp", match.group("addr")



def require_dask() -> None:
    """Raises ConfigError when dask.distributed is not installed."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ConfigError("--cluster: expected dask.distributed to be installed, found it missing. "
                          "Fix: pip install 'heard[scale]'") from None


def local_threads(spec: str) -> int | None:
    """Cores per worker for ``local:N`` (this machine's cores shared among N); None for a remote cluster."""
    kind, value = parse_cluster(spec)
    return max(1, default_threads() // int(value)) if kind == "local" else None
