"""Open311 GeoReport v2 documents (http://wiki.open311.org/GeoReport_v2), JSON format.

Field names and shapes follow the specification so existing Open311 clients work unchanged. Dates are
ISO 8601 with an offset. Petitions are `service_requests`, categories (lĩnh vực) are `services`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec


class Endpoint(msgspec.Struct, kw_only=True):
    specification: str
    url: str
    changeset: datetime
    type: Literal["production", "test"]
    formats: list[str]


class Discovery(msgspec.Struct, kw_only=True):
    changeset: datetime
    contact: str
    key_service: str
    endpoints: list[Endpoint]


class Service(msgspec.Struct, kw_only=True):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class ServiceDefinition(msgspec.Struct, kw_only=True):
    service_code: str
    attributes: list[dict[str, object]]


class RequestCreated(msgspec.Struct, kw_only=True):
    service_request_id: str
    # Our extension of the optional token: the petition's tracking code, for tokens/{token}.json and the
    # citizen's own follow-up (it is returned to the filer only).
    token: str
    service_notice: str
    account_id: str | None


class ServiceRequest(msgspec.Struct, kw_only=True):
    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str
    service_name: str | None
    service_code: str | None
    description: str | None
    agency_responsible: str
    service_notice: str
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


class TokenMapping(msgspec.Struct, kw_only=True):
    service_request_id: str
    token: str


class Open311Error(msgspec.Struct, kw_only=True):
    code: int
    description: str
