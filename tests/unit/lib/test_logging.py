import json
import logging

import pytest

from backend.lib.logging import JsonFormatter
from backend.lib.request_context import begin_request, current_request_id

pytestmark = pytest.mark.unit


def test_json_log_line_carries_request_id_and_extra_fields() -> None:
    request_id = begin_request("proxy-given-id-123")
    record = logging.LogRecord("mattran.test", logging.INFO, __file__, 1, "served %s", ("x",), None)
    record.status = 200
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "served x"
    assert line["request_id"] == request_id == "proxy-given-id-123"
    assert line["status"] == 200
    assert line["level"] == "info"


@pytest.mark.parametrize("incoming", [None, "", "short", "has spaces in it", "x" * 65, "<script>alert(1)</script>"])
def test_untrusted_request_ids_are_replaced(incoming: str | None) -> None:
    request_id = begin_request(incoming)
    assert request_id != incoming
    assert len(request_id) == 32
    assert current_request_id() == request_id
