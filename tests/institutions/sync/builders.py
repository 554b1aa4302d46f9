"""Records of the approval system (docs/qualification-sync.md), built in memory for the engine tests."""

import copy

from tests.factories import make_uscc


def certificate_number(n: int, *, authority: str = "10", field: str = "00", department: str = "01") -> str:
    return f"21{authority}{field}{department}{n:04d}"


def make_record(
    n: int, *, capabilities: int = 3, region_code: str = "320102", phone: str | None = None
) -> dict:
    """Institution record number `n`: one certificate, one site, `capabilities` capability rows, one piece
    of equipment, one signatory and one person, every item with a stable source id."""
    sid = f"INS-{n:04d}"
    cert, site = f"{sid}-CERT-1", f"{sid}-SITE-1"
    return {
        "id": sid,
        "uscc": make_uscc(region_code[:4] + "00", serial=100000 + n),
        "name": f"澄衡第{n}检测技术有限公司",
        "legal_representative": f"冯{n}",
        "legal_representative_phone": f"1390000{n:04d}",
        "address": f"南京市玄武区砚清路{n}号",
        "postcode": "210073",
        "region_code": region_code,
        "phone": "025-85550001",
        "email": f"service{n}@example.cn",
        "website": "https://www.example.cn",
        "contact_person": f"曹{n}",
        "contact_phone": phone if phone is not None else f"1395500{n:04d}",
        "established_on": "2010-10-09",
        "is_independent_legal_person": True,
        "introduction": "从事食品检验检测的第三方机构。",
        "status": "normal",
        "updated_at": "2026-11-20T10:31:00+08:00",
        "withdrawn": False,
        "certificates": [
            {
                "id": cert,
                "number": certificate_number(n),
                "issued_on": "2021-02-08",
                "expires_on": "2027-02-07",
                "status": "valid",
                "withdrawn": False,
            }
        ],
        "sites": [
            {
                "id": site,
                "name": "本部实验室",
                "address": f"南京市玄武区砚清路{n}号",
                "site_type": "fixed",
                "area": "1200.00",
                "tenure": "owned",
                "withdrawn": False,
            }
        ],
        "capabilities": [
            {
                "id": f"{sid}-CAP-{seq}",
                "certificate_id": cert,
                "site_id": site,
                "seq": seq,
                "category": "粮食加工品",
                "item": f"检测参数{seq}",
                "standard": f"GB 5009.{seq}-2016 食品安全国家标准",
                "limitation": "",
                "note": "",
                "withdrawn": False,
            }
            for seq in range(1, capabilities + 1)
        ],
        "equipment": [
            {
                "id": f"{sid}-EQ-1",
                "site_id": site,
                "name": "电子天平",
                "model_spec": "FA2004",
                "measuring_range": "0–200 g",
                "traceability": "calibration",
                "valid_until": "2027-03-01",
                "withdrawn": False,
            }
        ],
        "signatories": [
            {
                "id": f"{sid}-SIG-1",
                "site_id": site,
                "name": f"冯{n}",
                "title": "高级工程师",
                "authorised_fields": "食品理化检验",
                "withdrawn": False,
            }
        ],
        "personnel": [
            {
                "id": f"{sid}-PER-1",
                "name": f"曹{n}",
                "gender": "female",
                "birth_year": 1985,
                "education": "master",
                "title": "工程师",
                "position": "检测员",
                "major": "食品科学",
                "years_in_field": 12,
                "department": "理化室",
                "withdrawn": False,
            }
        ],
    }


def make_records(count: int, *, start: int = 1, **kwargs) -> list[dict]:
    return [make_record(n, **kwargs) for n in range(start, start + count)]


def changed(record: dict, **changes) -> dict:
    """A deep copy of `record` with top-level fields replaced."""
    result = copy.deepcopy(record)
    result.update(changes)
    return result
