"""Cut a query worker off the network: a seccomp filter refuses every IPv4/IPv6 socket it opens.

The last layer of "the server never opens an outbound connection": whatever a query says, and
whatever the checks before evaluation missed, the engine in a worker cannot create an internet
socket (`socket(AF_INET|AF_INET6, ...)` fails with EPERM). The worker keeps its pipes to the
server, which were made before the filter. Linux on x86-64 or AArch64 only; elsewhere
`block_network` returns False and the earlier layers stand alone.
"""

from __future__ import annotations

import ctypes
import platform
import struct
import sys

__all__ = ["block_network"]

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
# audit architecture and the number of the socket(2) system call, per machine
_ARCHES = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}
_AF_INET, _AF_INET6 = 2, 10
_LD_W_ABS, _JEQ_K, _RET_K = 0x20, 0x15, 0x06
_ALLOW = 0x7FFF0000
_ERRNO_EPERM = 0x00050000 | 1


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _stmt(code: int, k: int) -> bytes:
    return struct.pack("HBBI", code, 0, 0, k)


def _jump(k: int, if_true: int, if_false: int) -> bytes:
    return struct.pack("HBBI", _JEQ_K, if_true, if_false, k)


def block_network() -> bool:
    """Install the filter in this process (irreversible); True when it is in force."""
    if not sys.platform.startswith("linux") or platform.machine() not in _ARCHES:
        return False
    arch, socket_nr = _ARCHES[platform.machine()]
    program = b"".join(
        [
            _stmt(_LD_W_ABS, 4),  # seccomp_data.arch
            _jump(arch, 1, 0),
            _stmt(_RET_K, _ALLOW),  # another ABI: not ours to judge
            _stmt(_LD_W_ABS, 0),  # seccomp_data.nr
            _jump(socket_nr, 1, 0),
            _stmt(_RET_K, _ALLOW),
            _stmt(_LD_W_ABS, 16),  # low word of args[0]: the address family
            _jump(_AF_INET, 2, 0),
            _jump(_AF_INET6, 1, 0),
            _stmt(_RET_K, _ALLOW),
            _stmt(_RET_K, _ERRNO_EPERM),
        ]
    )
    buffer = ctypes.create_string_buffer(program)
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        return bool(libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0)
    except (OSError, AttributeError):
        return False
