"""/api/v1/push (Web Push subscriptions) and /api/v1/notifications (the in-app inbox, preferences)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.features.identity.auth import require_principal
from backend.features.notify.service import NotifyService
from backend.lib.access import Principal
from backend.lib.errors import NotFoundError, problem_responses, request_language
from backend.lib.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageLimit
from schemas.notify import (
    NotificationPage,
    NotificationPreferencesRead,
    NotificationPreferencesUpdate,
    NotificationRead,
    PushPublicKey,
    PushSubscriptionCreate,
    PushSubscriptionDelete,
    PushSubscriptionRead,
)


def provide_notify_service(state: State) -> NotifyService:
    return NotifyService(state.settings, state.clock)


def account_of(principal: Principal) -> uuid.UUID:
    """Notifications belong to people: a service client (client credentials) has no inbox."""
    if principal.account_id is None:
        raise NotFoundError()
    return principal.account_id


SIGNED_IN = {"principal": Provide(require_principal)}


class PushController(Controller):
    path = "/api/v1/push"
    tags = ["notifications"]
    dependencies = {"notify_service": Provide(provide_notify_service, sync_to_thread=False)}

    @get("/public-key", summary="The VAPID public key to subscribe with (applicationServerKey)")
    async def public_key(self, notify_service: NamedDependency[NotifyService]) -> PushPublicKey:
        return await notify_service.public_key()

    @post(
        "/subscriptions",
        summary="Receive push notifications on this device",
        dependencies=SIGNED_IN,
        responses=problem_responses(400, 401),
    )
    async def subscribe(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[PushSubscriptionCreate],
        notify_service: NamedDependency[NotifyService],
        principal: NamedDependency[Principal],
    ) -> PushSubscriptionRead:
        user_agent = request.headers.get("user-agent", "")
        return await notify_service.subscribe(account_of(principal), data, user_agent)

    @delete(
        "/subscriptions",
        summary="Stop push notifications to a device (by its endpoint)",
        dependencies=SIGNED_IN,
        responses=problem_responses(400, 401),
    )
    async def unsubscribe(
        self,
        data: JSONBody[PushSubscriptionDelete],
        notify_service: NamedDependency[NotifyService],
        principal: NamedDependency[Principal],
    ) -> None:
        # The endpoint travels in the body, not the URL: it is a capability and URLs end up in logs.
        await notify_service.unsubscribe(account_of(principal), data.endpoint)


class NotificationController(Controller):
    path = "/api/v1/notifications"
    tags = ["notifications"]
    dependencies = {"notify_service": Provide(provide_notify_service, sync_to_thread=False), **SIGNED_IN}

    @get("/", summary="Your notifications, newest first", responses=problem_responses(400, 401))
    async def list_notifications(
        self,
        notify_service: NamedDependency[NotifyService],
        principal: NamedDependency[Principal],
        unread: Annotated[bool, QueryParameter(description="Only the ones not read yet.")] = False,
        cursor: PageCursor = None,
        limit: PageLimit = DEFAULT_PAGE_SIZE,
    ) -> NotificationPage:
        return await notify_service.inbox(account_of(principal), unread, cursor, limit)

    @post(
        "/{notification_id:uuid}/read",
        summary="Mark a notification read",
        status_code=200,
        responses=problem_responses(401, 404),
    )
    async def mark_read(
        self,
        notification_id: FromPath[uuid.UUID],
        notify_service: NamedDependency[NotifyService],
        principal: NamedDependency[Principal],
    ) -> NotificationRead:
        return await notify_service.mark_read(account_of(principal), notification_id)

    @get("/preferences", summary="Which kinds are pushed, and quiet hours", responses=problem_responses(401))
    async def get_preferences(
        self,
        request: Request[Any, Any, Any],
        notify_service: NamedDependency[NotifyService],
        principal: NamedDependency[Principal],
    ) -> NotificationPreferencesRead:
        return await notify_service.preferences(account_of(principal), request_language(request))

    @put(
        "/preferences", summary="Change which kinds are pushed, and quiet hours", responses=problem_responses(400, 401)
    )
    async def put_preferences(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[NotificationPreferencesUpdate],
        notify_service: NamedDependency[NotifyService],
        principal: NamedDependency[Principal],
    ) -> NotificationPreferencesRead:
        return await notify_service.update_preferences(account_of(principal), data, request_language(request))
