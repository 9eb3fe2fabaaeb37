"""Server-side request forgery guard for provider base URLs.

A URL is allowed when its scheme is http(s), it carries no credentials, and every address its
host resolves to is public. Hosts written as numbers in any spelling the system resolver accepts
(``127.1``, ``2130706433``, ``0x7f000001``, ``[::ffff:127.0.0.1]``) are decoded the same way the
resolver would, so they cannot slip past as "names". IPv6 forms that embed an IPv4 address
(mapped, compatible, 6to4, NAT64) are judged by that address.

Operators running models on their own network set ``SPACEGATE_ALLOW_PRIVATE_NETWORKS=true``;
the scheme and credential checks still apply then.

The gateway checks the addresses again right before connecting and connects to those, so a name
that later resolves elsewhere (DNS rebinding) is caught. That connect-time check is the guard that
matters; at registration a host that does not resolve *now* (DNS down, a name that exists only on
the egress side, an air-gapped control plane) is accepted and reported as unresolved
(``CheckedUrl.resolved``). Only names known to be internal are refused without DNS.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from spacegate.errors import Unprocessable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: ``(host, port) -> addresses``; injectable so tests never query real DNS.
Resolver = Callable[[str, int], Awaitable[list[str]]]

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network
_BLOCKED: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = (
    (_V4("169.254.169.254/32"), "a cloud metadata address"),
    (_V6("fd00:ec2::254/128"), "a cloud metadata address"),
    (_V4("0.0.0.0/8"), "an unspecified address"),
    (_V6("::/128"), "an unspecified address"),
    (_V4("127.0.0.0/8"), "a loopback address"),
    (_V6("::1/128"), "a loopback address"),
    (_V4("10.0.0.0/8"), "a private address"),
    (_V4("172.16.0.0/12"), "a private address"),
    (_V4("192.168.0.0/16"), "a private address"),
    (_V6("fc00::/7"), "a private address"),
    (_V4("100.64.0.0/10"), "a shared (CGNAT) address"),
    (_V4("169.254.0.0/16"), "a link-local address"),
    (_V6("fe80::/10"), "a link-local address"),
    (_V4("224.0.0.0/4"), "a multicast address"),
    (_V6("ff00::/8"), "a multicast address"),
)
#: Names that are internal wherever they are looked up (RFC 6761 loopback, cloud metadata).
_INTERNAL_NAMES = frozenset({"localhost", "metadata.google.internal", "metadata.goog"})
_INTERNAL_SUFFIXES = (".localhost",)
_NAT64 = _V6("64:ff9b::/96")
_COMPAT = _V6("::/96")


class UnsafeUrl(Unprocessable):
    code = "base_url_not_allowed"


@dataclass(frozen=True)
class CheckedUrl:
    url: str
    scheme: str
    host: str
    port: int
    #: Where the host resolved when checked: connect to these, not to a fresh lookup.
    addresses: tuple[str, ...]

    @property
    def resolved(self) -> bool:
        """False when the host did not resolve at check time (it is checked again on connect)."""
        return bool(self.addresses)


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or (ip in _COMPAT and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def why_blocked(ip: IPAddress) -> str | None:
    """The reason an address may not be reached, or None if it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ipaddress.IPv6Address(ip.compressed.split("%")[0])  # drop any zone
        inner = _embedded_v4(ip)
        if inner is not None:
            return why_blocked(inner)
    for network, reason in _BLOCKED:
        if ip.version == network.version and ip in network:
            return reason
    if not ip.is_global:
        return "a reserved (non-public) address"
    return None


def parse_numeric_host(host: str) -> IPAddress | None:
    """The address a numeric host denotes, in every spelling ``inet_aton`` accepts."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if not host or not all(c in "0123456789abcdefxABCDEFX." for c in host):
        return None
    try:
        packed = socket.inet_aton(host)  # 127.1, 2130706433, 0x7f000001, 0177.0.0.1
    except OSError:
        return None
    return ipaddress.IPv4Address(packed)


def _refuse(url: str, reason: str) -> UnsafeUrl:
    return UnsafeUrl(f"base_url '{url}' is not allowed: {reason}.")


def check_syntax(url: str) -> tuple[str, str, int]:
    """Scheme, host (lower case, no brackets or trailing dot) and port; refuse what is unsafe."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _refuse(url, "it is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise _refuse(url, "only http and https are allowed")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise _refuse(url, "credentials in the URL are not allowed; use api_key")
    host = unquote(parts.hostname or "").rstrip(".").lower()
    if not host:
        raise _refuse(url, "it has no host")
    return scheme, host, port or (443 if scheme == "https" else 80)


async def check_url(
    url: str, *, allow_private: bool, resolver: Resolver = system_resolver
) -> CheckedUrl:
    """Refuse ``url`` (422 ``base_url_not_allowed``) unless every address it reaches is public.

    A host that does not resolve is not refused: the result has no addresses (``resolved`` is
    false), unless the name is one known to be internal.
    """
    scheme, host, port = check_syntax(url)
    literal = parse_numeric_host(host)
    if literal is not None:
        addresses = [literal]
    else:
        if not allow_private and (host in _INTERNAL_NAMES or host.endswith(_INTERNAL_SUFFIXES)):
            raise _refuse(
                url,
                f"'{host}' is an internal name; set SPACEGATE_ALLOW_PRIVATE_NETWORKS=true "
                "to allow models on private networks",
            )
        try:
            answers = await resolver(host, port)
        except (OSError, UnicodeError):
            answers = []
        addresses = []
        for answer in answers:
            try:
                addresses.append(ipaddress.ip_address(answer.split("%")[0]))
            except ValueError:
                raise _refuse(url, f"the host '{host}' resolved to a non-address") from None
    if not allow_private:
        for address in addresses:
            reason = why_blocked(address)
            if reason is not None:
                raise _refuse(
                    url,
                    f"it reaches {reason} ({address}); set SPACEGATE_ALLOW_PRIVATE_NETWORKS=true "
                    "to allow models on private networks",
                )
    return CheckedUrl(url, scheme, host, port, tuple(str(a) for a in addresses))
