"""API tokens are scoped to one organisation and one role: the scope is chosen at issue, enforced on every
request (API and intake lane), and a token whose scope went stale is refused."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from conftest import SmallJepara
from linsek.accounts.models import ApiToken, Role
from linsek.accounts.policy import user_can
from linsek.accounts.tokens import TokenRejected, api_token_authenticate, api_token_create, api_token_revoke
from linsek.agencies.models import Organisation
from linsek.api.tests.conftest import API, TokenClient
from linsek.core.errors import ValidationFailed
from linsek.incidents.lane import _token_lookup


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _command_also_reporter(jepara_small: SmallJepara) -> Any:
    user = jepara_small.users["command"]
    user.roles.add(Role.objects.get(code="field_reporter"))
    return user


def test_a_single_role_user_gets_that_role_and_their_organisation_by_default(jepara_small: SmallJepara) -> None:
    user = jepara_small.users["liaison"]
    token, _ = api_token_create(user=user, name="x")
    assert token.role_id == "liaison" and token.organisation_id == user.organisation_id


def test_a_user_with_several_roles_must_choose_one_they_hold(jepara_small: SmallJepara) -> None:
    user = _command_also_reporter(jepara_small)
    with pytest.raises(ValidationFailed) as err:
        api_token_create(user=user, name="x")
    assert err.value.problems[0].field == "role" and "field_reporter" in err.value.problems[0].message
    with pytest.raises(ValidationFailed):
        api_token_create(user=user, name="x", role="administrator")  # not held
    with pytest.raises(ValidationFailed) as err:
        api_token_create(user=user, name="x", role="command", organisation="polsek-mayong")  # not theirs
    assert err.value.problems[0].field == "organisation"
    token, _ = api_token_create(user=user, name="x", role="field_reporter", organisation=user.organisation.code)
    assert token.role_id == "field_reporter"
    assert ApiToken.objects.count() == 1


def test_a_command_user_token_scoped_to_field_reporter_cannot_read_what_command_can(
    jepara_small: SmallJepara,
) -> None:
    user = _command_also_reporter(jepara_small)
    _, narrow = api_token_create(user=user, name="lapangan", role="field_reporter")
    _, wide = api_token_create(user=user, name="posko", role="command")
    narrow_api, wide_api = TokenClient(narrow), TokenClient(wide)
    me = narrow_api.get(f"{API}/me").json()
    assert me["roles"] == ["field_reporter"] and "people.view" not in me["capabilities"]
    assert me["organisation"]["code"] == user.organisation.code
    assert narrow_api.get(f"{API}/people").status_code == 403
    assert wide_api.get(f"{API}/people").status_code == 200
    assert narrow_api.get(f"{API}/tokens").status_code == 403  # tokens.manage is command's
    assert wide_api.get(f"{API}/me").json()["roles"] == ["command"]


def test_a_superuser_token_acts_only_as_its_role(jepara_small: SmallJepara) -> None:
    user = jepara_small.users["viewer"]
    user.is_superuser = True
    user.is_staff = True
    user.save()
    _, secret = api_token_create(user=user, name="x")
    result = api_token_authenticate(secret)
    assert isinstance(result, ApiToken)
    assert not result.user.is_superuser and not user_can(result.user, "people.view")
    assert TokenClient(secret).get(f"{API}/people").status_code == 403
    user.refresh_from_db()
    assert user.is_superuser  # narrowed in memory only


def test_a_token_is_refused_once_its_user_no_longer_holds_the_role(jepara_small: SmallJepara) -> None:
    user = _command_also_reporter(jepara_small)
    token, secret = api_token_create(user=user, name="x", role="field_reporter")
    assert TokenClient(secret).get(f"{API}/me").status_code == 200
    user.roles.remove(Role.objects.get(code="field_reporter"))
    assert api_token_authenticate(secret) == TokenRejected("role_not_held", token.prefix)
    response = TokenClient(secret).get(f"{API}/me")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_a_token_is_refused_once_its_user_moved_to_another_organisation(jepara_small: SmallJepara) -> None:
    user = jepara_small.users["liaison"]
    token, secret = api_token_create(user=user, name="x")
    user.organisation = Organisation.objects.exclude(users=user).first()
    user.save(update_fields=["organisation"])
    assert api_token_authenticate(secret) == TokenRejected("organisation_changed", token.prefix)
    assert TokenClient(secret).get(f"{API}/me").status_code == 401


def test_an_unscoped_legacy_token_is_refused(jepara_small: SmallJepara) -> None:
    token, secret = api_token_create(user=jepara_small.users["liaison"], name="x")
    ApiToken.objects.filter(pk=token.pk).update(role=None)
    assert api_token_authenticate(secret) == TokenRejected("unscoped", token.prefix)


def test_revoked_scoped_token_is_refused_and_last_use_is_recorded(jepara_small: SmallJepara) -> None:
    token, secret = api_token_create(user=jepara_small.users["area_officer"], name="x")
    assert token.last_used_at is None
    t0 = timezone.now() - timedelta(minutes=5)
    api_token_authenticate(secret, now=t0)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == t0
    api_token_revoke(actor=None, token=token)
    assert api_token_authenticate(secret) == TokenRejected("revoked", token.prefix)


@pytest.mark.django_db(transaction=True)  # the lane's look-up closes its connection, as in its worker thread
def test_the_intake_lane_sees_the_scope(jepara_small: SmallJepara) -> None:
    user = _command_also_reporter(jepara_small)
    _, viewer_like = api_token_create(user=user, name="x", role="field_reporter")
    found = _token_lookup(viewer_like, "198.51.100.7")
    assert found is not None and found.may_submit and found.actor.organisation_id == user.organisation_id
    user.roles.remove(Role.objects.get(code="field_reporter"))
    assert _token_lookup(viewer_like, "198.51.100.7") is None


def test_token_list_over_the_api_shows_the_scope(jepara_small: SmallJepara) -> None:
    user = jepara_small.users["command"]
    _, secret = api_token_create(user=user, name="posko")
    items = TokenClient(secret).get(f"{API}/tokens").json()["items"]
    assert user.organisation is not None
    assert items[0]["role"] == "command" and items[0]["organisation"] == user.organisation.code


def test_session_token_create_takes_a_role(jepara_small: SmallJepara) -> None:
    user = _command_also_reporter(jepara_small)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(f"{API}/docs")
    csrf = client.cookies["csrftoken"].value
    headers = {"X-CSRFToken": csrf}
    refused = client.post(f"{API}/tokens", {"name": "a"}, content_type="application/json", headers=headers)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "role"
    created = client.post(
        f"{API}/tokens", {"name": "a", "role": "field_reporter"}, content_type="application/json", headers=headers
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["role"] == "field_reporter" and body["organisation"] == user.organisation.code


def test_cli_create_with_role_and_list_shows_scope(jepara_small: SmallJepara) -> None:
    user = _command_also_reporter(jepara_small)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="pilih peran"):
        call_command("token", "create", "command", "--name", "x", stdout=out, stderr=err)
    call_command(
        "token", "create", "command", "--name", "lapangan", "--role", "field_reporter",
        "--organisation", user.organisation.code, stdout=out, stderr=err,
    )  # fmt: skip
    assert "as field_reporter of" in err.getvalue()
    secret = out.getvalue().strip()
    assert TokenClient(secret).get(f"{API}/me").json()["roles"] == ["field_reporter"]
    listing = io.StringIO()
    call_command("token", "list", "command", stdout=listing)
    assert "field_reporter" in listing.getvalue() and user.organisation.code in listing.getvalue()
