from __future__ import annotations

import pytest

from spacegate.config import Settings
from spacegate.kit.ssrf import UnsafeUrl, check_url
from tests.providers.helpers import FakeDns


async def _never(host: str, port: int) -> list[str]:
    raise AssertionError(f"numeric host {host!r} must not be resolved through DNS")


# Hosts written as addresses, in every spelling a resolver would accept: no DNS involved.
LITERAL_REFUSED = [
    "http://127.0.0.1/v1",
    "http://127.0.0.1.:8000/v1",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://0x7f.0.0.1/",
    "http://0/",
    "http://0.0.0.0:11434/",
    "http://[::]/",
    "http://[::1]:8000/v1",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::127.0.0.1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    "http://10.0.0.8/v1",
    "http://172.16.3.4/",
    "http://172.31.255.255/",
    "http://192.168.1.20:1234/v1",
    "http://[::ffff:192.168.1.20]/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://100.64.0.1/",
    "http://100.127.255.254/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://[::ffff:169.254.169.254]/",
    "http://169.254.1.1/",
    "http://[fe80::1]/",
    "http://[fe80::1%25eth0]/",
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
]


@pytest.mark.parametrize("url", LITERAL_REFUSED)
async def test_non_public_addresses_are_refused_in_any_spelling(url: str) -> None:
    with pytest.raises(UnsafeUrl) as info:
        await check_url(url, allow_private=False, resolver=_never)
    assert info.value.status_code == 422
    assert info.value.code == "base_url_not_allowed"
    assert "SPACEGATE_ALLOW_PRIVATE_NETWORKS" in info.value.message


@pytest.mark.parametrize(
    "url",
    [
        "ftp://api.openai.com/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
        "api.openai.com/v1",
        "http:///v1",
        "http://user@api.openai.com/v1",
        "https://user:pass@api.openai.com/v1",
        "https://api.openai.com:99999/",
    ],
)
@pytest.mark.parametrize("allow_private", [False, True])
async def test_bad_schemes_credentials_and_broken_urls_are_refused_even_when_private_allowed(
    url: str, allow_private: bool
) -> None:
    with pytest.raises(UnsafeUrl):
        await check_url(url, allow_private=allow_private, resolver=FakeDns())


@pytest.mark.parametrize(
    ("answers", "why"),
    [
        (["127.0.0.1"], "loopback"),
        (["10.1.2.3"], "private"),
        (["162.159.140.245", "192.168.0.9"], "private"),  # one bad answer is enough
        (["2606:4700:4400::ac40:9bd1", "::1"], "loopback"),
        (["169.254.169.254"], "metadata"),
        (["::ffff:10.0.0.1"], "private"),
        (["100.64.1.1"], "CGNAT"),
    ],
)
async def test_names_resolving_to_non_public_addresses_are_refused(
    answers: list[str], why: str
) -> None:
    dns = FakeDns({"models.internal.example": answers})
    with pytest.raises(UnsafeUrl) as info:
        await check_url("https://models.internal.example/v1", allow_private=False, resolver=dns)
    assert why in info.value.message
    assert dns.asked == ["models.internal.example"]


async def test_localhost_is_refused_by_what_it_resolves_to() -> None:
    dns = FakeDns({"localhost": ["127.0.0.1", "::1"]})
    with pytest.raises(UnsafeUrl):
        await check_url("http://localhost:11434/v1", allow_private=False, resolver=dns)


async def test_unresolvable_host_is_accepted_as_unresolved() -> None:
    """DNS down, or a name only the egress side knows: the connect-time check guards it."""
    dns = FakeDns()
    checked = await check_url("https://llm.egress-only.corp/v1", allow_private=False, resolver=dns)
    assert checked.resolved is False and checked.addresses == ()
    assert dns.asked == ["llm.egress-only.corp"]
    assert (
        await check_url("https://api.openai.com/v1", allow_private=False, resolver=dns)
    ).resolved


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST.", "ollama.localhost", "metadata.google.internal"]
)
async def test_names_known_to_be_internal_are_refused_without_dns(host: str) -> None:
    dns = FakeDns()
    with pytest.raises(UnsafeUrl) as info:
        await check_url(f"http://{host}:11434/v1", allow_private=False, resolver=dns)
    assert "internal name" in info.value.message
    assert dns.asked == []
    allowed = await check_url(f"http://{host}:11434/v1", allow_private=True, resolver=dns)
    assert allowed.resolved is False


async def test_public_names_and_addresses_pass_with_their_addresses() -> None:
    dns = FakeDns()
    checked = await check_url("https://api.openai.com/v1", allow_private=False, resolver=dns)
    assert checked.host == "api.openai.com"
    assert checked.port == 443
    assert checked.addresses == ("162.159.140.245", "2606:4700:4400::ac40:9bd1")
    literal = await check_url("http://8.8.8.8:8080/v1", allow_private=False, resolver=_never)
    assert literal.addresses == ("8.8.8.8",)
    assert literal.port == 8080
    mapped = await check_url("http://[::ffff:8.8.8.8]/", allow_private=False, resolver=_never)
    assert mapped.addresses == ("::ffff:808:808",)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:11434/v1",
        "http://127.1/",
        "http://10.0.0.8/v1",
        "http://[::1]/",
        "http://0x7f000001/",
    ],
)
async def test_private_networks_allowed_when_the_operator_says_so(url: str) -> None:
    checked = await check_url(url, allow_private=True, resolver=_never)
    assert checked.addresses


async def test_private_names_allowed_when_the_operator_says_so() -> None:
    dns = FakeDns({"vllm.lan": ["192.168.1.50"]})
    checked = await check_url("http://vllm.lan:8000/v1", allow_private=True, resolver=dns)
    assert checked.addresses == ("192.168.1.50",)


def test_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPACEGATE_ALLOW_PRIVATE_NETWORKS", raising=False)
    assert Settings(_env_file=None).allow_private_networks is False
    monkeypatch.setenv("SPACEGATE_ALLOW_PRIVATE_NETWORKS", "true")
    assert Settings(_env_file=None).allow_private_networks is True
