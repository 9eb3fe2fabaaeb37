"""The factory's pages in Chromium: a space's trainings, a training's curves and checkpoints,
a ROC curve and the leaderboard render, at laptop and phone width without a sideways scroll.
The training's rows are written as finished ones: the pages are what is tested here."""

from __future__ import annotations

import uuid

import httpx
from playwright.async_api import Browser, expect

from spacegate.models import Checkpoint, Evaluation, Training
from spacegate.runtime import Runtime
from tests.console.e2e.harness import LAPTOP, PHONE, page_overflows, sign_in
from tests.factories import OrgCtx, make_space
from tests.live import LiveServer

S3 = {
    "bucket": "a-bucket",
    "region": "us-east-1",
    "access_key_id": "AKIAX",
    "secret_access_key": "s",
}


async def _seed(live: LiveServer, runtime: Runtime, org: OrgCtx, unique: str) -> str:
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as api:
        space = str((await make_space(api, org, f"Factory {unique}"))["id"])
        h = {**org.headers, "X-Space-Id": space}
        connector = await api.post(
            "/v1/connectors", json={"name": "lake", "type": "aws-s3", "s3": S3}, headers=h
        )
        assert connector.status_code == 201, connector.text
        files = [{"connector_id": connector.json()["id"], "files": ["t.csv"]}]
        dm = await api.post(
            "/v1/data-models", json={"name": "credit", "target_column": "default"}, headers=h
        )
        bench = await api.post(
            "/v1/benchmarks",
            json={
                "name": "holdout",
                "description": "",
                "task": "binary_classification",
                "metrics": ["roc_auc"],
                "connectors": files,
            },
            headers=h,
        )
        assert dm.status_code == 201 and bench.status_code == 201, bench.text
    org_id, space_id = uuid.UUID(org.org_id), uuid.UUID(space)
    async with runtime.write_sessions() as s, s.begin():
        training = Training(
            org_id=org_id,
            space_id=space_id,
            name=f"credit risk, a long training name {unique}",
            architecture="hist_gradient_boosting",
            configuration={"max_iter": 30},
            connectors=files,
            data_model_id=uuid.UUID(dm.json()["id"]),
            benchmark_ids=[bench.json()["id"]],
            status="succeeded",
            metrics=[
                {"step": n * 10, "train_log_loss": 0.7 - n / 20, "validation_roc_auc": 0.6 + n / 20}
                for n in range(1, 4)
            ],
        )
        s.add(training)
        await s.flush()
        for n in range(1, 4):
            checkpoint = Checkpoint(
                org_id=org_id,
                space_id=space_id,
                training_id=training.id,
                name=f"hist_gradient_boosting-step-{n * 10}",
                step=n * 10,
                architecture="hist_gradient_boosting",
                metrics={"validation_roc_auc": 0.6 + n / 20},
                artifact_path=f"factory/{space}/none.joblib",
                sha256="0" * 64,
            )
            s.add(checkpoint)
            await s.flush()
            s.add(
                Evaluation(
                    org_id=org_id,
                    space_id=space_id,
                    benchmark_id=uuid.UUID(bench.json()["id"]),
                    checkpoint_id=checkpoint.id,
                    status="succeeded",
                    result={"roc_auc": 0.6 + n / 20},
                    roc={
                        "fpr": [0.0, 0.1, 0.4, 1.0],
                        "tpr": [0.0, 0.5, 0.8, 1.0],
                        "thresholds": [None, 0.8, 0.5, 0.1],
                        "auc": 0.6 + n / 20,
                    },
                )
            )
    return space


async def test_factory_pages_render_and_fit(
    chromium: Browser, console_live: LiveServer, runtime: Runtime, org: OrgCtx, unique: str
) -> None:
    space = await _seed(console_live, runtime, org, unique)
    for viewport in (LAPTOP, PHONE):
        context = await chromium.new_context(viewport=viewport, base_url=console_live.url)
        page = await context.new_page()
        try:
            await sign_in(page, org.key)
            await page.goto(f"/console/spaces/{space}/trainings")
            tabs = page.get_by_role("navigation", name="Space")
            await expect(tabs.get_by_role("link", name="Trainings")).to_have_attribute(
                "aria-current", "page"
            )
            link = page.get_by_role("link", name=f"credit risk, a long training name {unique}")
            await expect(link).to_be_visible()
            assert not await page_overflows(page), f"trainings scroll sideways at {viewport}"

            await link.click()
            await expect(page.get_by_role("heading", name="Metrics over the steps")).to_be_visible()
            await expect(page.locator("svg polyline")).to_have_count(2)
            await expect(
                page.get_by_role("img", name="train_log_loss", exact=False)
            ).to_be_visible()
            assert not await page_overflows(page), f"a training scrolls sideways at {viewport}"

            await page.get_by_role("link", name="ROC curve").first.click()
            await expect(page.get_by_role("heading", name="ROC curve")).to_be_visible()
            await expect(page.locator("#roc-chart line.diagonal")).to_have_count(1)
            assert not await page_overflows(page), f"the ROC curve scrolls sideways at {viewport}"

            await page.goto(f"/console/spaces/{space}/leaderboard")
            await expect(page.locator("#leaderboard-chart rect.bar")).to_have_count(3)
            rank = page.get_by_role("button", name="Rank")
            await expect(rank).to_be_visible()
            box = await rank.bounding_box()
            assert box is not None and box["x"] + box["width"] <= viewport["width"]
            assert not await page_overflows(page), f"the leaderboard scrolls sideways at {viewport}"
        finally:
            await context.close()
