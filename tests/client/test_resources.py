"""The sync client against a live Spacegate: every resource, typed with the server's schemas."""

from __future__ import annotations

import uuid

import pydantic
import pytest

from spacegate.client import (
    AsyncSpacegate,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    Spacegate,
    UnprocessableEntityError,
)
from spacegate.wire.mechamental.schemas import EntitlementRead
from spacegate.wire.platform.spaces import SpaceRead
from tests.client.fixtures import make_setup
from tests.factories import OrgCtx
from tests.fakes.provider import FakeProvider
from tests.live import LiveServer


def test_spaces_lifecycle_and_pagination_across_pages(sg: Spacegate) -> None:
    made = [sg.spaces.create(name=f"s{i}", description=f"space {i}") for i in range(7)]
    assert all(isinstance(s, SpaceRead) for s in made)

    pager = sg.spaces.list(page_size=3)
    pages = list(pager.pages())
    assert [len(p.items) for p in pages] == [3, 3, 1]
    assert [s.id for s in sg.spaces.list(page_size=3)] == [s.id for s in made]

    renamed = sg.spaces.update(made[0].id, name="renamed")
    assert renamed.name == "renamed" and renamed.description == "space 0"
    assert sg.spaces.get(made[0].id).name == "renamed"

    assert sg.spaces.delete(made[1].id).id == str(made[1].id)
    with pytest.raises(NotFoundError) as gone:
        sg.spaces.get(made[1].id)
    assert gone.value.status_code == 404 and gone.value.code == "space_not_found"
    assert str(made[1].id) in str(gone.value.detail)
    assert made[1].id not in {s.id for s in sg.spaces.list()}
    sg.spaces.restore(made[1].id)
    assert sg.spaces.get(made[1].id).name == "s1"


def test_members_invitations_users_and_org(sg: Spacegate, owner: OrgCtx) -> None:
    space = sg.spaces.create(name="invite", description="")
    sent = sg.spaces.invite(space.id, emails=["new@example.com"], permissions=["spaces:get"])
    assert sent.emails == ["new@example.com"] and sent.invitations[0].token
    assert [i.email for i in sg.spaces.invitations(space.id)] == ["new@example.com"]
    assert sg.spaces.members(space.id) == []

    me = sg.users.me()
    assert str(me.id) == owner.user_id and str(me.org_id) == owner.org_id
    assert [u.id for u in sg.users.list()] == [me.id]
    assert sg.users.get(me.id).role == "owner"
    assert sg.users.update_me(first_name="Ada").first_name == "Ada"
    assert sg.orgs.get(me.org_id).name == owner.name
    assert sg.orgs.update(me.org_id, timezone="Europe/Paris").timezone == "Europe/Paris"


def test_api_keys_and_their_limits(sg: Spacegate, server: LiveServer) -> None:
    space = sg.spaces.create(name="keys", description="")
    made = [sg.api_keys.create(name=f"k{i}", space_id=space.id) for i in range(3)]
    assert all(k.key.startswith("sg_") for k in made)
    listed = [k.id for k in sg.api_keys.list(page_size=2)]
    assert [k.id for k in made] == listed[-3:] and len(listed) == 4  # plus the owner's key

    limited = sg.api_keys.set_limits(made[0].id, rpm=10, max_concurrency=2)
    assert (limited.rpm, limited.tpm, limited.max_concurrency) == (10, None, 2)
    assert sg.api_keys.limits(made[0].id).rpm == 10

    assert sg.api_keys.revoke(made[0].id).revoked_at is not None
    with Spacegate(server.url, made[0].key) as revoked, pytest.raises(AuthenticationError) as exc:
        revoked.users.me()
    assert exc.value.status_code == 401 and exc.value.code


def test_providers_models_and_entitlements(sg: Spacegate, upstream: FakeProvider) -> None:
    setup = make_setup(sg, upstream)
    provider = sg.providers.get(setup.provider_id)
    assert provider.has_api_key and "clienttestKEY" not in provider.model_dump_json()
    assert [p.id for p in sg.providers.list()] == [provider.id]
    assert sg.providers.update(provider.id, name="renamed").name == "renamed"

    others = [
        sg.models.create(alias=f"m{i}", provider_id=provider.id, upstream_model="fake-model")
        for i in range(3)
    ]
    assert [m.alias for m in sg.models.list(page_size=2)] == [setup.alias, "m0", "m1", "m2"]
    assert sg.models.update(others[0].tenant_model_id, context_window=4096).context_window == 4096
    for m in others:
        sg.entitlements.grant(setup.space_id, m.alias, enabled=False, limits={"rpm": 5})

    # MechaMental's cursors, then Aimable's, each across several pages.
    listed = list(sg.entitlements.list(setup.space_id, page_size=2))
    assert all(isinstance(e, EntitlementRead) for e in listed)
    assert [e.logical_model_id for e in listed] == [setup.alias, "m0", "m1", "m2"]
    enabled = sg.entitlements.list(setup.space_id, enabled_only=True, page_size=1)
    assert [e.logical_model_id for e in enabled] == [setup.alias]
    allowed = list(sg.entitlements.allowed_models(setup.space_id, page_size=3))
    assert [(a.alias, a.is_enabled) for a in allowed] == [
        (setup.alias, True),
        ("m0", False),
        ("m1", False),
        ("m2", False),
    ]

    assert sg.entitlements.enable(setup.space_id, "m0").enabled is True
    assert sg.entitlements.disable(setup.space_id, "m0").enabled is False
    limited = sg.entitlements.set_limits(
        setup.space_id, "m1", {"tpm": 1000, "token_budget": {"limit": 10, "period": "day"}}
    )
    assert limited.workspace_limits.model_dump(mode="json") == {
        "tpm": 1000,
        "token_budget": {"limit": 10, "period": "day"},
    }
    assert sg.entitlements.get(setup.space_id, "m1").workspace_limits.rpm is None

    policy = sg.entitlements.set_default(setup.space_id, setup.alias)
    assert policy.default_model_alias == setup.alias
    assert sg.entitlements.policy(setup.space_id).default_model_alias == setup.alias
    assert sg.entitlements.set_default(setup.space_id, None).default_model_alias is None

    with pytest.raises(ConflictError):
        sg.entitlements.grant(setup.space_id, "m2")
    sg.entitlements.revoke(setup.space_id, "m2")
    with pytest.raises(NotFoundError) as missing:
        sg.entitlements.get(setup.space_id, "m2")
    assert missing.value.status_code == 404
    with pytest.raises(NotFoundError):
        sg.entitlements.grant(setup.space_id, f"nope-{uuid.uuid4().hex[:6]}")

    sg.models.delete(others[2].tenant_model_id)
    with pytest.raises(ConflictError) as in_use:
        sg.models.delete(others[1].tenant_model_id)
    assert in_use.value.code == "model_entitled"
    sg.models.delete(others[1].tenant_model_id, force=True)
    assert [m.alias for m in sg.models.list()] == [setup.alias, "m0"]


def test_bodies_are_checked_by_the_servers_schemas_and_errors_are_typed(sg: Spacegate) -> None:
    space = sg.spaces.create(name="v", description="")
    # The request model is the server's own, so a bad body fails before it is sent.
    with pytest.raises(pydantic.ValidationError):
        sg.entitlements.grant(space.id, "x", limits={"rpm": 0})
    # What only the server can judge comes back as a typed error with its list or its code.
    with pytest.raises(UnprocessableEntityError) as bad:
        list(sg.spaces.list(page_size=500))
    assert bad.value.status_code == 422 and bad.value.code == "validation_error"
    assert isinstance(bad.value.detail, list) and bad.value.detail[0]["loc"][-1] == "limit"
    assert "limit" in str(bad.value)
    with pytest.raises(UnprocessableEntityError) as fixed:
        sg.entitlements.set_mode(space.id, "fixed")
    assert isinstance(fixed.value.detail, str) and fixed.value.code != "validation_error"


def test_limits_of_the_org_and_of_my_space(sg: Spacegate, upstream: FakeProvider) -> None:
    assert sg.limits.set_org("500/hour,50/minute").rate_limit == "500/hour,50/minute"
    assert sg.limits.org().is_default is False
    assert sg.limits.set_org(None).is_default is True

    setup = make_setup(sg, upstream)
    sg.entitlements.set_limits(setup.space_id, setup.alias, {"rpm": 30})
    mine = sg.limits.mine(setup.space_id)
    assert str(mine.space_id) == setup.space_id
    assert [(m.model, m.rates["rpm"].limit) for m in mine.data] == [(setup.alias, 30)]


async def test_the_async_client_pages_the_same_way(server: LiveServer, owner: OrgCtx) -> None:
    async with AsyncSpacegate(server.url, owner.key) as sg:
        made = [await sg.spaces.create(name=f"a{i}", description="") for i in range(5)]
        assert [s.id async for s in sg.spaces.list(page_size=2)] == [s.id for s in made]
        assert [len(p.items) async for p in sg.spaces.list(page_size=2).pages()] == [2, 2, 1]
        await sg.spaces.delete(made[0].id)
        with pytest.raises(NotFoundError) as gone:
            await sg.spaces.get(made[0].id)
        assert gone.value.code == "space_not_found"
        assert len(await sg.spaces.list().to_list()) == 4
