"""Loaded by every Python process of a smoke run (on PYTHONPATH): refuse and count network use.

Connections and name lookups for anything but loopback raise, and each attempt is appended to
the file named by NBGEN_NET_LOG, so the smoke run can assert there were none. albumentations'
"not valid for transform" warnings (1.x arguments silently ignored by 2.x) become errors.
"""

import os
import socket
import warnings

_LOG = os.environ.get("NBGEN_NET_LOG", "")
_LOOPBACK_NAMES = {"localhost", "ip6-localhost", "::1", "0.0.0.0", "", None}
_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def _is_loopback(host):
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    return host in _LOOPBACK_NAMES or str(host).startswith(("127.", "::ffff:127."))


def _refuse(what):
    if _LOG:
        with open(_LOG, "a") as f:
            f.write(f"{what}\n")
    raise ConnectionRefusedError(f"network blocked by nbgen smoke: {what}")


def _guarded_connect(self, address):
    if isinstance(address, tuple) and not _is_loopback(address[0]):
        _refuse(f"connect {address!r}")
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    if isinstance(address, tuple) and not _is_loopback(address[0]):
        _refuse(f"connect_ex {address!r}")
    return _connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if not _is_loopback(host):
        _refuse(f"getaddrinfo {host!r}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex
socket.getaddrinfo = _guarded_getaddrinfo
warnings.filterwarnings("error", message=r".*are not valid for transform")
