"""The fake approval system: deterministic, valid data under the contract, test hooks, injected failures."""

import json
from datetime import datetime
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from django.core.exceptions import ValidationError

from institutions.sync.fake_server import FakeApprovalServer, generate_institution
from sujt.core.regions import DISTRICTS
from sujt.core.validators import parse_cma_number, validate_mobile, validate_uscc


def get(server: FakeApprovalServer, query: str, token: str | None = "tok") -> tuple[int, dict]:
    request = Request(f"{server.url}/api/v1/institutions?{query}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except HTTPError as error:
        return error.code, json.loads(error.read())


def test_same_seed_same_data_other_seed_other_data():
    assert generate_institution(seed=3, index=5) == generate_institution(seed=3, index=5)
    assert generate_institution(seed=3, index=5) != generate_institution(seed=4, index=5)


def test_generated_records_are_valid():
    numbers, usccs = set(), set()
    authorities = []
    for index in range(200):
        record = generate_institution(seed=1, index=index, capabilities=3)
        validate_uscc(record["uscc"])
        validate_mobile(record["contact_phone"])
        assert record["region_code"] in DISTRICTS
        assert record["email"].endswith(".example.cn")
        assert len(record["capabilities"]) == 3
        for certificate in record["certificates"]:
            authorities.append(parse_cma_number(certificate["number"]).authority_code)
            numbers.add(certificate["number"])
        usccs.add(record["uscc"])
        site_ids = {site["id"] for site in record["sites"]}
        assert all(item["site_id"] in site_ids for item in record["capabilities"] + record["equipment"])
    assert len(usccs) == 200
    assert len(numbers) == len(authorities)
    assert authorities.count("10") > len(authorities) * 0.8


def test_a_broken_uscc_would_be_caught_by_the_validator():
    record = generate_institution(seed=1, index=0)
    broken = record["uscc"][:-1] + ("0" if record["uscc"][-1] != "0" else "1")
    with pytest.raises(ValidationError):
        validate_uscc(broken)


def test_token_paging_and_updated_since():
    with FakeApprovalServer(institutions=30, capabilities=2, token="tok") as server:
        assert get(server, "page=1", token=None)[0] == 401
        assert get(server, "page=1", token="wrong")[0] == 401

        status, first = get(server, "page=1&page_size=20")
        assert status == 200
        assert (first["total"], first["has_next"], len(first["results"])) == (30, True, 20)
        _status, second = get(server, "page=2&page_size=20")
        assert (second["has_next"], len(second["results"])) == (False, 10)
        ids = [r["id"] for r in first["results"] + second["results"]]
        assert len(set(ids)) == 30
        stamps = [r["updated_at"] for r in first["results"] + second["results"]]
        assert stamps == sorted(stamps)  # oldest change first

        middle = stamps[15]
        _status, since = get(server, f"updated_since={middle.replace('+', '%2B')}&page_size=100")
        assert since["total"] == 15
        assert all(
            datetime.fromisoformat(r["updated_at"]) >= datetime.fromisoformat(middle)
            for r in since["results"]
        )
        _status, full = get(server, f"mode=full&updated_since={middle.replace('+', '%2B')}")
        assert (full["mode"], full["total"]) == ("full", 30)

        assert get(server, "page=0")[0] == 400
        assert get(server, "page_size=501")[0] == 400
        assert get(server, "updated_since=yesterday")[0] == 400


def test_scripted_responses_and_mutations():
    with FakeApprovalServer(institutions=5, capabilities=2, token="tok") as server:
        server.script(503, 429)
        assert [get(server, "page=1")[0] for _ in range(3)] == [503, 429, 200]
        server.always(401)
        assert [get(server, "page=1")[0] for _ in range(2)] == [401, 401]
        server.always(None)

        _status, before = get(server, "page=1")
        watermark = before["generated_at"]
        server.mutate("INS-000002", lambda record: record["capabilities"][0].update(item="新参数"))
        server.withdraw_item("INS-000003", "capabilities", "INS-000003-CAP-0002")
        _status, changed = get(server, f"updated_since={watermark.replace('+', '%2B')}")
        records = {r["id"]: r for r in changed["results"]}
        assert set(records) == {"INS-000002", "INS-000003"}
        assert records["INS-000002"]["capabilities"][0]["item"] == "新参数"
        assert records["INS-000003"]["capabilities"][1]["withdrawn"] is True

        server.drop("INS-000004")
        _status, full = get(server, "mode=full")
        assert full["total"] == 4
        assert "INS-000004" not in {r["id"] for r in full["results"]}


def test_fail_rate_is_deterministic_for_a_seed():
    def pattern() -> list[int]:
        with FakeApprovalServer(institutions=3, capabilities=1, seed=5, fail_rate=0.5) as server:
            return [get(server, "page=1", token=None)[0] for _ in range(20)]

    first = pattern()
    assert first == pattern()
    assert {200, 503} == set(first)


def test_a_large_dataset_serves_quickly():
    import time

    with FakeApprovalServer(institutions=1000, capabilities=200) as server:
        started = time.monotonic()
        _status, page = get(server, "mode=full&page=10&page_size=100", token=None)
        assert len(page["results"]) == 100 and len(page["results"][0]["capabilities"]) == 200
        assert time.monotonic() - started < 15


def test_the_management_command_serves_the_contract():
    import os
    import re
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sujt.settings_test", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "fake_approval_server", "--port", "0", "--institutions", "7",
         "--seed", "3", "--token", "tok"],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        banner = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/api/v1/institutions", banner)
        assert match, banner + process.stderr.read() if process.poll() is not None else banner
        request = Request(f"http://127.0.0.1:{match.group(1)}/api/v1/institutions?mode=full")
        request.add_header("Authorization", "Bearer tok")
        with urlopen(request, timeout=10) as response:
            page = json.loads(response.read())
        assert page["total"] == 7
        assert page["results"][0] == generate_institution(seed=3, index=int(page["results"][0]["id"][4:]) - 1)
    finally:
        process.terminate()
        process.wait(timeout=10)
