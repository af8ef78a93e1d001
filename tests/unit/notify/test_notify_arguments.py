"""`notify()` refuses, before writing anything, what no push could carry or what would surprise a user."""

import pytest

from backend.features.notify.kinds import KINDS, UnknownKind
from backend.features.notify.service import check_notification
from backend.features.notify.webpush import PayloadTooLarge
from backend.lib.i18n import MESSAGES

pytestmark = pytest.mark.unit

GOOD = {
    "kind": "assignment",
    "title": "Kiến nghị mới",
    "body": "Nội dung",
    "url": "/kien-nghi/42",
    "tag": "kn-42",
    "dedup_key": "petition:42:assigned",
    "urgency": "normal",
    "ttl": 3600,
}


def test_a_good_notification_passes() -> None:
    check_notification(**GOOD)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"kind": "asignment"}, UnknownKind, "unknown notification kind"),
        ({"dedup_key": ""}, ValueError, "dedup_key"),
        ({"dedup_key": "k" * 201}, ValueError, "dedup_key"),
        ({"title": ""}, ValueError, "title"),
        ({"url": "https://evil.example/login"}, ValueError, "path inside the app"),
        ({"url": "//evil.example/login"}, ValueError, "path inside the app"),
        ({"tag": "t" * 65}, ValueError, "tag"),
        ({"urgency": "urgent"}, ValueError, "urgency"),
        ({"ttl": -1}, ValueError, "ttl"),
        ({"ttl": 29 * 24 * 3600}, ValueError, "ttl"),
        ({"body": "Đặng " * 700}, PayloadTooLarge, "at most 3993"),
    ],
)
def test_bad_arguments_are_refused(change: dict[str, object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        check_notification(**(GOOD | change))  # type: ignore[arg-type]


def test_every_kind_has_a_label_in_both_languages() -> None:
    assert all(MESSAGES[key]["vi"] and MESSAGES[key]["en"] for key in KINDS.values())
