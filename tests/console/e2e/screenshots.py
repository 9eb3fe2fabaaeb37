"""Screenshots of the console's main pages, for the README: ``uv run python -m
tests.console.e2e.screenshots [--out docs/screenshots]``.

Starts Spacegate on a fresh SQLite database in a temporary directory, in front of the fake model
provider, fills it with a small org (spaces, members, a provider, models, keys, a few gateway
calls), and saves PNGs of each page at laptop width (and two at phone width) from headless
Chromium. Pages that are not served answer 404 and are skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, async_playwright

from spacegate.cli.app import _bootstrap
from spacegate.config import Settings
from spacegate.db.migrate import upgrade
from tests.console.e2e.harness import CHROMIUM, LAPTOP, PHONE, launch, sign_in
from tests.fakes.provider import FakeProvider
from tests.live import LiveServer

OUT = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
#: Alias, upstream model, and prices per million input / output tokens (so costs show).
MODELS = (("gpt-fast", "fake-fast", ("0.5", "1.5")), ("gpt-smart", "fake-smart", ("5", "15")))


class Seed:
    """What the screenshots show, made through the public API."""

    def __init__(self, api: httpx.AsyncClient, key: str, fake_url: str) -> None:
        self.api = api
        self.headers = {"Authorization": f"Bearer {key}"}
        self.fake_url = fake_url
        self.ids: dict[str, str] = {}

    async def call(self, method: str, path: str, **body: Any) -> Any:
        headers = {**self.headers, "Idempotency-Key": uuid.uuid4().hex}
        r = await self.api.request(method, path, json=body or None, headers=headers)
        r.raise_for_status()
        return r.json() if r.content else None

    async def run(self) -> None:
        spaces = [
            ("Research", "Experiments with new models before they reach customers."),
            ("Support assistant", "The help-centre bot and its evaluation runs."),
            ("Marketing", "Copywriting helpers."),
        ]
        for name, description in spaces:
            made = await self.call("POST", "/v1/spaces", name=name, description=description)
            self.ids[name] = made["id"]
        research = self.ids["Research"]
        await self.call(
            "POST",
            f"/v1/spaces/{research}/invite",
            emails=["ana@example.com", "bo@example.com"],
            roles=["trainings:get", "benchmarks:list"],
        )
        invite = await self.call(
            "POST", f"/v1/spaces/{research}/invite", emails=["cy@example.com"], roles=[]
        )
        await self.api.post(
            "/v1/users/accept-invite", json={"token": invite["invitations"][0]["token"]}
        )
        provider = await self.call(
            "POST",
            "/v1/providers",
            name="openai-main",
            type="openai",
            base_url=f"{self.fake_url}/v1",
            api_key="sk-proj-screenshotKEY0123456789abcdef",
        )
        support = self.ids["Support assistant"]
        for alias, upstream, (inp, out) in MODELS:
            model = await self.call(
                "POST",
                "/v1/tenant-models",
                alias=alias,
                provider_id=provider["id"],
                upstream_model=upstream,
                context_window=128000,
                input_price_per_mtok=inp,
                output_price_per_mtok=out,
            )
            self.ids[alias] = model["tenant_model_id"]
            await self.call(
                "POST",
                f"/api-proxy/v1/spaces/{research}/models",
                tenant_model_id=model["tenant_model_id"],
            )
        await self.call(
            "POST",
            f"/api-proxy/v1/spaces/{support}/models",
            tenant_model_id=self.ids["gpt-fast"],
            is_default=True,
        )
        await self.call(
            "PUT",
            f"/api-proxy/v1/spaces/{research}/model-policy",
            default_model_id=self.ids["gpt-fast"],
        )
        keys = {}
        for name, space in (("CI pipeline", research), ("Support bot", support)):
            keys[name] = (await self.call("POST", "/v1/api-keys", name=name, space_id=space))["key"]
        await self.call("POST", "/v1/api-keys", name="Notebook", expires_at="2031-01-01T00:00:00Z")
        calls = [(self.headers, research, "gpt-fast" if i % 3 else "gpt-smart") for i in range(12)]
        calls += [(self._as(keys["CI pipeline"]), research, "gpt-smart")] * 4
        calls += [(self._as(keys["Support bot"]), support, "gpt-fast")] * 6
        for i, (headers, space, alias) in enumerate(calls):
            r = await self.api.post(
                "/v1/chat/completions",
                json={"model": alias, "messages": [{"role": "user", "content": f"hello {i} " * i}]},
                headers={**headers, "X-Space-Id": space},
            )
            r.raise_for_status()
        await self.wait_for_logs(len(calls))

    @staticmethod
    def _as(key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    async def wait_for_logs(self, count: int) -> None:
        """Gateway calls are metered in batches: wait until they are written."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            r = await self.api.get(
                "/v1/inference-logs", params={"page_size": 100}, headers=self.headers
            )
            if r.is_success and len(r.json().get("data", ())) >= count:
                return
            await asyncio.sleep(0.2)


async def shoot(page: Page, path: str, out: Path, name: str) -> bool:
    response = await page.goto(path)
    if response is None or response.status == 404:
        print(f"skipped {path} (not served)")
        return False
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=str(out / f"{name}.png"), full_page=True)
    print(f"saved {out / name}.png")
    return True


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="spacegate-shots-") as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/spacegate.db"
        upgrade(url)
        settings = Settings(
            database_url=url,
            data_dir=Path(tmp),
            secret_key="screenshots-secret-key",
            redis_url=None,
            allow_private_networks=True,
        )
        asyncio.run(_shots(settings, out))


async def _shots(settings: Settings, out: Path) -> None:
    made = await _bootstrap(settings, "Acme", "admin@acme.example.com")
    with FakeProvider() as fake, LiveServer(settings) as live:
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as api:
            seed = Seed(api, made["api_key"], fake.url)
            await seed.run()
        research = seed.ids["Research"]
        async with async_playwright() as playwright:
            browser = await launch(playwright, CHROMIUM)
            context = await browser.new_context(viewport=LAPTOP, base_url=live.url)
            page = await context.new_page()
            await shoot(page, "/console/login", out, "login")
            await sign_in(page, made["api_key"])
            pages = [
                ("/console/spaces", "spaces"),
                (f"/console/spaces/{research}", "space"),
                (f"/console/spaces/{research}/members", "space-members"),
                (f"/console/spaces/{research}/models", "space-models"),
                ("/console/models", "models"),
                ("/console/usage", "usage"),
                ("/console/logs", "logs"),
                ("/console/keys", "keys"),
            ]
            for path, name in pages:
                await shoot(page, path, out, name)
            await page.goto("/console/keys")
            await page.get_by_label("Name").fill("Data team laptop")
            await page.get_by_role("button", name="Create key").click()
            await page.get_by_label("The new API key").wait_for()
            await page.screenshot(path=str(out / "key-created.png"), full_page=True)
            print(f"saved {out / 'key-created'}.png")

            phone = await browser.new_context(
                viewport=PHONE, base_url=live.url, is_mobile=True, has_touch=True
            )
            page = await phone.new_page()
            await sign_in(page, made["api_key"])
            await shoot(page, "/console/spaces", out, "phone-spaces")
            await shoot(page, f"/console/spaces/{research}/models", out, "phone-space-models")
            await shoot(page, "/console/keys", out, "phone-keys")
            await shoot(page, "/console/logs", out, "phone-logs")
            await browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="Where the PNGs go.")
    main(parser.parse_args().out)
