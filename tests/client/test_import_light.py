"""The SDK and the CLI's remote commands load neither the server's web framework nor its database
layer: ``import spacegate.client`` stays quick (the wire schemas live in ``spacegate.wire``)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

HEAVY = ("fastapi", "starlette", "sqlalchemy", "spacegate.api", "spacegate.models", "spacegate.db")


def _loaded_after(code: str) -> list[str]:
    probe = textwrap.dedent(code) + textwrap.dedent(
        f"""
        import json, sys
        heavy = {HEAVY!r}
        print(json.dumps(sorted(
            m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy)
        )))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_the_sdk_imports_no_server_module() -> None:
    code = """
        import spacegate.client
        from spacegate.client import AsyncSpacegate, Spacegate
        sg = Spacegate("http://127.0.0.1:9", api_key="sk-x")
        sg.spaces, sg.trainings, sg.chats, sg.endpoints, sg.entitlements, sg.usage
        sg.close()
    """
    assert _loaded_after(code) == []


def test_a_remote_cli_command_imports_no_server_module() -> None:
    # --help, then the command itself (against a closed port: it fails after building its client)
    code = """
        from typer.testing import CliRunner
        from spacegate.cli.app import app
        runner = CliRunner()
        assert runner.invoke(app, ["spaces", "list", "--help"]).exit_code == 0
        args = ["--url", "http://127.0.0.1:9", "--api-key", "sk-x"]
        space = "--space=0190b3c4-0000-7000-8000-000000000000"
        for command in (["usage", "report"], ["endpoints", "list", space], ["models", "list"]):
            assert runner.invoke(app, [*command, *args]).exit_code == 1
    """
    assert _loaded_after(code) == []


def test_the_server_still_loads_them() -> None:
    """The probe is not vacuous: the app's import brings in what the SDK must not."""
    loaded = _loaded_after("import spacegate.main")
    assert "fastapi" in loaded
    assert "sqlalchemy" in loaded
