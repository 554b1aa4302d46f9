"""The HTTP client against the fake approval system over real HTTP: paging, errors, the import file."""

import json
import socket
from datetime import datetime

import pytest

from institutions.sync.client import PermanentSyncError, QualificationClient, TransientSyncError, read_file


@pytest.fixture
def client(fake_api):
    return QualificationClient()


def test_pages_until_has_next_is_false(client, fake_api):
    pages = list(client.pages(full=False))
    assert [page["page"] for page in pages] == [1, 2, 3]
    assert sum(len(page["results"]) for page in pages) == 12
    assert len(fake_api.requests) == 3


def test_updated_since_is_sent_and_filters(client, fake_api):
    all_records = [r for page in client.pages(full=False) for r in page["results"]]
    middle = datetime.fromisoformat(all_records[6]["updated_at"])
    recent = [r for page in client.pages(full=False, updated_since=middle) for r in page["results"]]
    assert [r["id"] for r in recent] == [r["id"] for r in all_records[6:]]


def test_full_mode_asks_for_the_snapshot(client, fake_api):
    page = client.get_page(page=1, full=True)
    assert page["mode"] == "full"
    assert "mode=full" in fake_api.requests[-1]


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_server_errors_and_throttling_are_transient(client, fake_api, status):
    fake_api.script(status)
    with pytest.raises(TransientSyncError, match=f"HTTP {status}"):
        client.get_page(page=1, full=False)


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_is_permanent_with_a_clear_message(client, fake_api, status):
    fake_api.always(status)
    with pytest.raises(PermanentSyncError) as caught:
        client.get_page(page=1, full=False)
    assert str(caught.value) == (
        f"资质认定审批系统拒绝了访问令牌（HTTP {status}），请检查 QUALIFICATION_API_TOKEN。"
    )


def test_a_wrong_token_is_refused_by_the_server(settings, fake_api):
    with pytest.raises(PermanentSyncError, match="HTTP 401"):
        QualificationClient(token="nope").get_page(page=1, full=False)


def test_other_client_errors_are_permanent(client, fake_api):
    fake_api.script(404)
    with pytest.raises(PermanentSyncError, match="HTTP 404"):
        client.get_page(page=1, full=False)


def test_connection_refused_is_transient():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TransientSyncError, match="无法连接"):
        QualificationClient(base_url=f"http://127.0.0.1:{port}", token="", timeout=2).get_page(
            page=1, full=False
        )


def test_a_timeout_is_transient():
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        client = QualificationClient(base_url=f"http://127.0.0.1:{port}", token="", timeout=0.3)
        with pytest.raises(TransientSyncError, match="秒内没有响应"):
            client.get_page(page=1, full=False)


def test_an_answer_that_is_not_json_is_reported(client, fake_api, monkeypatch):
    class Response:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self):
            return b"<html>maintenance</html>"

    monkeypatch.setattr("institutions.sync.client.urlopen", lambda *a, **k: Response())
    with pytest.raises(PermanentSyncError, match="不是有效的 JSON"):
        client.get_page(page=1, full=False)


def test_read_file_accepts_a_page_a_list_of_pages_or_a_list_of_records(tmp_path):
    record = {"id": "INS-1"}
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"page": 1, "results": [record]}), encoding="utf-8")
    many = tmp_path / "many.json"
    many.write_text(json.dumps([{"results": [record]}, {"results": []}]), encoding="utf-8")
    records = tmp_path / "records.json"
    records.write_text(json.dumps([record, record]), encoding="utf-8")
    assert [len(p["results"]) for p in read_file(one)] == [1]
    assert [len(p["results"]) for p in read_file(many)] == [1, 0]
    assert [len(p["results"]) for p in read_file(records)] == [2]


def test_read_file_reports_bad_files(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(PermanentSyncError, match="不是有效的 UTF-8 JSON"):
        read_file(bad)
    with pytest.raises(PermanentSyncError, match="无法读取导入文件"):
        read_file(tmp_path / "missing.json")
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"data": []}), encoding="utf-8")
    with pytest.raises(PermanentSyncError, match="缺少 results"):
        read_file(wrong)
