"""Credentials for a remote store (basic or digest HTTP auth), from the environment or a netrc file.

Credentials never appear on the command line, in logs or in error messages: a URL with a user or
password in it is refused (it would end up in shell history and in every error naming the URL).
"""

from __future__ import annotations

import netrc
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from drugkg.errors import DrugkgError

__all__ = ["AUTH_SCHEMES", "ENV_PASSWORD", "ENV_USER", "check_no_userinfo", "http_auth"]

ENV_USER = "DRUGKG_REMOTE_USER"
ENV_PASSWORD = "DRUGKG_REMOTE_PASSWORD"
AUTH_SCHEMES = ("basic", "digest")


def check_no_userinfo(url: str) -> None:
    """Refuse `http://user:password@host/...`: say where credentials go instead, without echoing them."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        host = parts.hostname or "the host"
        raise DrugkgError(
            f"the URL for {host} has a user name or password in it; drugkg does not take credentials in URLs",
            expected=f"the URL without them, and the credentials in {ENV_USER} / {ENV_PASSWORD} or a netrc file",
        )


def _from_netrc(path: Path | None, host: str) -> tuple[str, str] | None:
    file = path or Path(os.environ.get("NETRC", Path.home() / ".netrc"))
    if not file.is_file():
        if path is not None:
            raise DrugkgError("no such netrc file", file=str(path))
        return None
    try:
        entry = netrc.netrc(str(file)).authenticators(host)
    except netrc.NetrcParseError as err:
        # the message of NetrcParseError can quote the offending token: give the line only
        raise DrugkgError(
            "the netrc file cannot be read",
            file=str(file),
            where=f"line {err.lineno}",
            expected="machine HOST login USER password PASSWORD",
        ) from None
    except OSError as err:
        raise DrugkgError(f"the netrc file cannot be read: {err.strerror}", file=str(file)) from None
    if entry is None:
        return None
    login, _, password = entry
    return login, password or ""


def http_auth(
    url: str, scheme: str | None, *, netrc_file: Path | None = None, env: Mapping[str, str] | None = None
) -> httpx.Auth | None:
    """The auth for requests to `url`: None when no scheme is asked for; otherwise the user and
    password from the environment, else from the netrc entry for the URL's host."""
    check_no_userinfo(url)
    if scheme is None:
        return None
    if scheme not in AUTH_SCHEMES:
        raise DrugkgError(f"unknown authentication scheme {scheme!r}", expected=" or ".join(AUTH_SCHEMES))
    env = os.environ if env is None else env
    host = urlsplit(url).hostname or ""
    user, password = env.get(ENV_USER), env.get(ENV_PASSWORD)
    if user is None or password is None:
        found = _from_netrc(netrc_file, host)
        if found is None:
            raise DrugkgError(
                f"--auth {scheme} needs a user name and password for {host}",
                expected=f"{ENV_USER} and {ENV_PASSWORD} in the environment, or a netrc entry "
                f"'machine {host} login USER password ...' (~/.netrc, $NETRC or --netrc FILE)",
            )
        user, password = found
    if scheme == "digest":
        return httpx.DigestAuth(user, password)
    return httpx.BasicAuth(user, password)
