"""The README's quickstart, as a new user follows it: ``spacegate serve`` on a port of its own and
an empty data directory, ``spacegate bootstrap``, then the README's own shell commands run by
``sh`` with nothing on the PATH but ``curl`` and ``python3`` (no ``jq``, no ``uuidgen``), and its
Python snippet. Only the addresses and secrets a user would type differ: the provider is the fake
one on loopback."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes.provider import FakeProvider
from tests.procs import free_port, spacegate_command, stop_process, wait_healthy

README = Path(__file__).parents[2] / "README.md"
PROVIDER_KEY = "sk-proj-quickstartKEY0123456789abcdef"


def _blocks(section: str, language: str) -> list[str]:
    """The fenced ``language`` blocks of the README section under the heading ``section``."""
    text = README.read_text()
    start = text.index(section)
    end = text.find("\n## ", start)
    body = text[start : end if end != -1 else None]
    return re.findall(rf"```{language}\n(.*?)```", body, flags=re.DOTALL)


@dataclass
class Server:
    url: str
    env: dict[str, str]
    banner: str


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProvider]:
    with FakeProvider() as provider:
        yield provider


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("quickstart")
    port = free_port()
    env = {
        **os.environ,
        "SPACEGATE_DATA_DIR": str(data),
        "SPACEGATE_DATABASE_URL": "",
        "SPACEGATE_REDIS_URL": "",
        "SPACEGATE_SECRET_KEY": "",
        "SPACEGATE_ALLOW_PRIVATE_NETWORKS": "true",  # the fake provider is on loopback
        "COLUMNS": "60",  # a narrow terminal: commands must still come out whole
    }
    log = data / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [spacegate_command(), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(proc, url, log)
        yield Server(url, env, log.read_text())
    finally:
        stop_process(proc)


def test_first_start_banner_names_the_real_address_and_whole_commands(server: Server) -> None:
    assert f"{server.url}" in server.banner and ":8000" not in server.banner
    lines = server.banner.splitlines()
    assert '  spacegate bootstrap --org "Acme" --email you@example.com' in lines
    assert not any("│" in line for line in lines)  # no box around what is to be copied


def _bootstrap(server: Server) -> tuple[str, str]:
    done = subprocess.run(
        [spacegate_command(), "bootstrap", "--org", "Acme", "--email", "you@example.com"],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr


def test_readme_quickstart_runs_with_only_curl_and_python(
    server: Server, fake: FakeProvider, tmp_path: Path
) -> None:
    out, _ = _bootstrap(server)
    # bootstrap prints, on lines of their own, the commands for the server's real address.
    [export] = [line for line in out.splitlines() if line.startswith("export SG_URL=")]
    assert export.startswith(f"export SG_URL={server.url} SG_KEY=sg_")
    key = export.rsplit("SG_KEY=", 1)[1]
    assert 'curl -s -H "Authorization: Bearer $SG_KEY" $SG_URL/v1/users/me' in out.splitlines()

    # The README's commands, in a shell whose PATH holds only curl and python3.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("curl", "python3"):
        found = shutil.which(tool)
        assert found, f"{tool} is needed by the quickstart"
        (bin_dir / tool).symlink_to(found)
    [first] = _blocks("## Quickstart", "sh")[2:3]
    [walk] = _blocks("### From zero to a governed chat completion", "sh")
    script = "\n".join(
        [
            f"{export}",  # what bootstrap printed, pasted
            *first.splitlines()[1:],  # the README's first call (its export line is the above)
            walk.replace("https://api.openai.com/v1", f"{fake.url}/v1").replace(
                "sk-...", PROVIDER_KEY
            ),
        ]
    )
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
    done = subprocess.run(
        ["/bin/sh", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"role":"owner"' in done.stdout.replace(" ", "")  # GET /v1/users/me
    assert "Echo: Hello" in done.stdout  # the chat completion, through the gateway
    space = re.search(r"^SPACE=([0-9a-f-]{36})$", done.stdout, flags=re.MULTILINE)
    assert space, done.stdout
    assert fake.last.path == "/v1/chat/completions"
    assert fake.last.headers["authorization"] == f"Bearer {PROVIDER_KEY}"

    # The Python snippet that follows, with the key and space just made.
    snippet = _blocks("### From zero to a governed chat completion", "python")[0]
    code = (
        snippet.replace("http://127.0.0.1:8000", server.url)
        .replace('"sg_..."', repr(key))
        .replace('"<space id>"', repr(space.group(1)))
    )
    ran = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "Echo: Hello"


@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_a_failing_step_stops_the_walkthrough_loudly(
    server: Server, tmp_path: Path, shell: str
) -> None:
    """A wrong key: the first step says what the server answered and nothing after it runs."""
    [walk] = _blocks("### From zero to a governed chat completion", "sh")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("curl", "python3"):
        (bin_dir / tool).symlink_to(str(shutil.which(tool)))
    found = shutil.which(shell)
    if found is None:
        pytest.skip(f"no {shell} on this machine")
    done = subprocess.run(
        [found, "-c", f"SG_URL={server.url} SG_KEY=sg_wrong\n{walk}"],
        env={"PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "HTTP 401" in done.stderr
    assert "SPACE=" not in done.stdout  # the chain stopped at the first step


def test_serve_on_every_interface_tells_the_address_to_call_and_bootstrap_uses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from spacegate.cli.app import app

    monkeypatch.setattr(uvicorn, "run", lambda *_a, **_k: None)
    env = {
        "SPACEGATE_DATA_DIR": str(tmp_path),
        "SPACEGATE_DATABASE_URL": "",
        "SPACEGATE_REDIS_URL": "",
        "SPACEGATE_SECRET_KEY": "",
    }
    every = "0.0.0.0"  # noqa: S104 (never bound: uvicorn.run is replaced)
    served = CliRunner().invoke(app, ["serve", "--host", every, "--port", "9123"], env=env)
    assert served.exit_code == 0, served.output
    assert "  http://127.0.0.1:9123" in served.stderr.splitlines()
    made = CliRunner().invoke(app, ["bootstrap", "--org", "A", "--email", "a@a.example"], env=env)
    assert made.exit_code == 0, made.output
    assert any(
        line.startswith("export SG_URL=http://127.0.0.1:9123 ") for line in made.stdout.splitlines()
    )
    told = CliRunner().invoke(
        app,
        ["bootstrap", "--org", "B", "--email", "b@b.example", "--url", "https://sg.example.com"],
        env=env,
    )
    assert told.exit_code == 0, told.output
    assert "export SG_URL=https://sg.example.com SG_KEY=sg_" in told.stdout
    served = CliRunner().invoke(app, ["serve", "--host", "::", "--port", "9124"], env=env)
    assert served.exit_code == 0 and "[::1]:9124" in (tmp_path / "server_url").read_text()
