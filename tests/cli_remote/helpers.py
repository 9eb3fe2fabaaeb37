"""Running the ``spacegate`` command against a live server, as a user's shell would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from spacegate.cli.app import app


class Cli:
    def __init__(self, url: str, key: str, config_home: Path) -> None:
        self.env = {
            "SPACEGATE_URL": url,
            "SPACEGATE_API_KEY": key,
            "XDG_CONFIG_HOME": str(config_home),
        }

    def run(self, *args: str, env: dict[str, str] | None = None, ok: bool = True) -> Result:
        result = CliRunner().invoke(app, list(args), env={**self.env, **(env or {})})
        if ok:
            assert result.exit_code == 0, (result.stdout, result.stderr)
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)

    def fails(self, *args: str, env: dict[str, str] | None = None) -> str:
        """The one line a failing command prints; asserts the exit code says it failed."""
        result = self.run(*args, env=env, ok=False)
        assert result.exit_code != 0 and result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        return lines[0]
