"""/api/v1/accounts and /api/v1/me: accounts as staff and citizens manage them."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from backend.features.identity.auth import SESSION_COOKIE, require_principal
from backend.features.identity.oidc_controllers import caller_of
from backend.features.identity.opaque import secret_hash
from backend.features.identity.service import AccountService
from backend.lib.access import Permission, Principal
from backend.lib.errors import NotFoundError, problem_responses
from schemas.identity import (
    AccountCreate,
    AccountRead,
    AccountStatusChange,
    CitizenRegistration,
    PasswordChange,
    SessionRead,
)


def provide_accounts(state: State) -> AccountService:
    return AccountService(state.settings, state.clock)


DEPENDENCIES = {
    "accounts": Provide(provide_accounts, sync_to_thread=False),
    "principal": Provide(require_principal),
}


class AccountController(Controller):
    path = "/api/v1/accounts"
    tags = ["identity"]
    dependencies = DEPENDENCIES

    @post("/", summary="Create a staff account", responses=problem_responses(400, 401, 404, 409))
    async def create_account(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[AccountCreate],
        accounts: NamedDependency[AccountService],
        principal: NamedDependency[Principal],
    ) -> AccountRead:
        for grant in data.roles:
            unit_path = await accounts.unit_path(grant.unit_code)
            # Outside the caller's scope, the unit might as well not exist.
            principal.require(Permission.manage_accounts, unit_path or "")
        return await accounts.create_account(data, principal.actor, caller_of(request))

    @get("/{account_id:uuid}", summary="One account, if within your scope", responses=problem_responses(401, 404))
    async def get_account(
        self,
        account_id: FromPath[uuid.UUID],
        accounts: NamedDependency[AccountService],
        principal: NamedDependency[Principal],
    ) -> AccountRead:
        return await accounts.account_for(principal, account_id)

    @patch(
        "/{account_id:uuid}/status",
        summary="Disable, lock or reactivate an account within your scope",
        responses=problem_responses(400, 401, 404),
    )
    async def change_status(
        self,
        request: Request[Any, Any, Any],
        account_id: FromPath[uuid.UUID],
        data: JSONBody[AccountStatusChange],
        accounts: NamedDependency[AccountService],
        principal: NamedDependency[Principal],
    ) -> AccountRead:
        return await accounts.change_status(principal, account_id, data.status, caller_of(request))

    @post("/register", summary="Citizen self-registration", responses=problem_responses(400, 409))
    async def register(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[CitizenRegistration],
        accounts: NamedDependency[AccountService],
    ) -> AccountRead:
        return await accounts.register_citizen(data, caller_of(request))


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["identity"]
    dependencies = DEPENDENCIES

    @get("/", summary="The signed-in account", responses=problem_responses(401))
    async def me(self, accounts: NamedDependency[AccountService], principal: NamedDependency[Principal]) -> AccountRead:
        if principal.account_id is None:
            raise NotFoundError()
        return await accounts.account(principal.account_id)

    @get("/sessions", summary="Where you are signed in", responses=problem_responses(401))
    async def sessions(
        self,
        request: Request[Any, Any, Any],
        accounts: NamedDependency[AccountService],
        principal: NamedDependency[Principal],
    ) -> list[SessionRead]:
        if principal.account_id is None:
            raise NotFoundError()
        current = request.cookies.get(SESSION_COOKIE)
        return await accounts.sessions(principal.account_id, secret_hash(current) if current else None)

    @delete("/sessions/{session_id:str}", summary="Sign out one session", responses=problem_responses(401, 404))
    async def end_session(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[str],
        accounts: NamedDependency[AccountService],
        principal: NamedDependency[Principal],
    ) -> None:
        if principal.account_id is None:
            raise NotFoundError()
        await accounts.end_session(principal.account_id, session_id, caller_of(request))

    @post(
        "/password",
        summary="Change your password (signs out every session)",
        status_code=204,
        responses=problem_responses(400, 401),
    )
    async def change_password(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[PasswordChange],
        accounts: NamedDependency[AccountService],
        principal: NamedDependency[Principal],
    ) -> None:
        if principal.account_id is None:
            raise NotFoundError()
        await accounts.change_password(
            principal.account_id, data.current_password, data.new_password, caller_of(request)
        )
