"""A fake qualification-approval system (资质认定审批系统) for demos and tests.

Serves deterministic generated institutions under docs/qualification-sync.md on 127.0.0.1: the same
seed gives the same data. Every institution is generated on its own from (seed, index), lazily, so a
large dataset starts at once. Tests drive it through the Python API:

    with FakeApprovalServer(institutions=20, token="t") as server:   # port 0: an ephemeral port
        server.script(503)               # the next request answers 503, then normal service
        server.always(401)               # every request answers 401 until server.always(None)
        server.mutate("INS-000003", lambda record: ...)   # change a record; its updated_at becomes now
        server.withdraw_item("INS-000003", "capabilities", "INS-000003-CAP-0001")
        server.drop("INS-000004")        # gone from the approval system (absent from full snapshots)
        server.url                       # "http://127.0.0.1:<port>"
"""

import copy
import json
import random
import threading
from collections import deque
from collections.abc import Callable
from datetime import date, datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from institutions.choices import SupervisingDepartment
from sujt.core.choices import TestingField
from sujt.core.regions import CITIES, DISTRICTS, region_name
from sujt.core.validators import USCC_CHARSET, uscc_check_char

API_PATH = "/api/v1/institutions"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
ITEM_LISTS = ("certificates", "sites", "capabilities", "equipment", "signatories", "personnel")
TZ = ZoneInfo("Asia/Shanghai")
# Generated records were last changed between these two instants (fixed, so the data is deterministic).
UPDATED_FROM = datetime(2025, 1, 1, 8, 0, tzinfo=TZ)
UPDATED_SPAN_MINUTES = 540 * 24 * 60

AREA_CODES = {
    "3201": "025", "3202": "0510", "3203": "0516", "3204": "0519", "3205": "0512", "3206": "0513",
    "3207": "0518", "3208": "0517", "3209": "0515", "3210": "0514", "3211": "0511", "3212": "0523",
    "3213": "0527",
}  # fmt: skip
POSTCODE_PREFIXES = {
    "3201": "210", "3202": "214", "3203": "221", "3204": "213", "3205": "215", "3206": "226",
    "3207": "222", "3208": "223", "3209": "224", "3210": "225", "3211": "212", "3212": "225",
    "3213": "223",
}  # fmt: skip
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "彤敏澜清远舟宁岚韵哲睿涵博瑶航旭晨曦然蓉琛钧"
BRANDS = "澄衡砚清汇谨诚启明润泽瀚思拓峰弘毅嘉禾泓源睿准"
FIELD_WORDS = ["食品", "环境", "建筑工程", "机动车", "电子电器", "纺织品", "计量", "医疗器械", "化工", "材料"]
ROADS = ["砚清", "澄湖", "临江", "望岳", "青枫", "云锦", "星河", "桃源", "梧桐", "松涛"]
CATEGORIES = [
    "粮食加工品",
    "饮料",
    "水质",
    "环境空气",
    "建筑材料",
    "电线电缆",
    "纺织品",
    "土壤",
    "噪声",
    "化工产品",
]
ITEMS = [
    "水分",
    "灰分",
    "蛋白质",
    "铅",
    "镉",
    "总砷",
    "pH值",
    "化学需氧量",
    "抗压强度",
    "拉伸强度",
    "导体电阻",
    "甲醛含量",
    "色牢度",
    "等效连续A声级",
    "二氧化硫",
    "氨氮",
]
EQUIPMENT = [
    ("电子天平", "FA2004", "0–200 g"),
    ("气相色谱仪", "GC-2030", "—"),
    ("原子吸收光谱仪", "AA-7000", "—"),
    ("万能试验机", "WDW-100", "0–100 kN"),
    ("酸度计", "PHS-3C", "0–14 pH"),
    ("声级计", "AWA5688", "28–133 dB"),
]
TITLES = ["工程师", "高级工程师", "助理工程师", "正高级工程师"]
POSITIONS = ["检测员", "技术负责人", "质量负责人", "样品管理员", "报告审核员"]
MAJORS = ["食品科学", "环境工程", "土木工程", "分析化学", "材料科学", "电气工程"]
DEPARTMENTS = ["理化室", "微生物室", "力学室", "环境室", "质量部"]
EDUCATIONS = ["doctorate", "master", "bachelor", "college", "secondary"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.5 else "")


def _address(rng: random.Random, region_code: str) -> str:
    return f"{region_name(region_code)}{rng.choice(ROADS)}路{rng.randint(1, 999)}号"


def _iso(moment: datetime, timespec: str = "seconds") -> str:
    return moment.astimezone(TZ).isoformat(timespec=timespec)


def generate_institution(*, seed: int, index: int, capabilities: int = 20) -> dict[str, Any]:
    """The institution number `index` (0-based) of the dataset `seed`: a record under the contract."""
    rng = random.Random(seed * 1_000_003 + index)
    source_id = f"INS-{index + 1:06d}"
    region_code = rng.choice(DISTRICT_CODES)
    city_prefix = region_code[:4]
    body = f"91{region_code}MA{index:06d}{rng.choice(USCC_CHARSET)}"
    uscc = body + uscc_check_char(body)
    brand = rng.choice(BRANDS) + rng.choice(BRANDS)
    field_word = rng.choice(FIELD_WORDS)
    city = CITIES[city_prefix + "00"]
    name = f"{city[:-1]}{brand}{field_word}检测技术有限公司"
    legal = _name(rng)
    contact = _name(rng)
    address = _address(rng, region_code)
    domain = f"lab{index + 1:05d}.example.cn"
    updated_at = UPDATED_FROM + timedelta(minutes=rng.randrange(UPDATED_SPAN_MINUTES))

    certificates = []
    for k in range(2 if index % 5 == 0 else 1):
        serial = index * 2 + k
        year = rng.randint(21, 25)
        authority = "00" if index % 10 == 9 else "10"
        issued = date(2000 + year, rng.randint(1, 12), rng.randint(1, 28))
        certificates.append(
            {
                "id": f"{source_id}-CERT-{k + 1}",
                # DD: a supervising-department code (institutions.choices), NNNN: the serial.
                "number": f"{year:02d}{authority}{rng.choice(TESTING_FIELDS)}"
                f"{DEPARTMENT_CODES[(index + serial // 10000) % len(DEPARTMENT_CODES)]}{serial % 10000:04d}",
                "issued_on": issued.isoformat(),
                "expires_on": (issued.replace(year=issued.year + 6) - timedelta(days=1)).isoformat(),
                "status": "valid",
                "withdrawn": False,
            }
        )
    sites = [
        {
            "id": f"{source_id}-SITE-{k + 1}",
            "name": "本部实验室" if k == 0 else f"第{k + 1}实验室",
            "address": address if k == 0 else _address(rng, region_code),
            "site_type": "fixed",
            "area": f"{rng.randint(200, 5000)}.00",
            "tenure": rng.choice(["owned", "leased"]),
            "withdrawn": False,
        }
        for k in range(2 if index % 4 == 0 else 1)
    ]
    capability_rows = [
        {
            "id": f"{source_id}-CAP-{seq:04d}",
            "certificate_id": certificates[0]["id"],
            "site_id": sites[seq % len(sites)]["id"],
            "seq": seq,
            "category": CATEGORIES[(index + seq) % len(CATEGORIES)],
            "item": ITEMS[(index * 7 + seq) % len(ITEMS)],
            "standard": f"GB/T {1000 + (index * 31 + seq * 17) % 39000}-20{10 + seq % 15:02d} "
            f"{field_word}检测方法",
            "limitation": "",
            "note": "",
            "withdrawn": False,
        }
        for seq in range(1, capabilities + 1)
    ]
    equipment = []
    for k in range(5):
        equipment_name, model_spec, measuring_range = EQUIPMENT[(index + k) % len(EQUIPMENT)]
        equipment.append(
            {
                "id": f"{source_id}-EQ-{k + 1}",
                "site_id": sites[k % len(sites)]["id"],
                "name": equipment_name,
                "model_spec": model_spec,
                "measuring_range": measuring_range,
                "traceability": rng.choice(["verification", "calibration", "internal"]),
                "valid_until": date(2027, rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
                "withdrawn": False,
            }
        )
    signatories = [
        {
            "id": f"{source_id}-SIG-{k + 1}",
            "site_id": sites[0]["id"],
            "name": legal if k == 0 else _name(rng),
            "title": rng.choice(TITLES),
            "authorised_fields": f"{field_word}检验",
            "withdrawn": False,
        }
        for k in range(2)
    ]
    personnel = [
        {
            "id": f"{source_id}-PER-{k + 1}",
            "name": contact if k == 0 else _name(rng),
            "gender": rng.choice(["male", "female"]),
            "birth_year": rng.randint(1965, 2000),
            "education": rng.choice(EDUCATIONS),
            "title": rng.choice(TITLES),
            "position": rng.choice(POSITIONS),
            "major": rng.choice(MAJORS),
            "years_in_field": rng.randint(1, 30),
            "department": rng.choice(DEPARTMENTS),
            "withdrawn": False,
        }
        for k in range(5)
    ]
    return {
        "id": source_id,
        "uscc": uscc,
        "name": name,
        "legal_representative": legal,
        "address": address,
        "postcode": f"{POSTCODE_PREFIXES[city_prefix]}{rng.randint(0, 999):03d}",
        "region_code": region_code,
        "phone": f"{AREA_CODES[city_prefix]}-8555{index % 10000:04d}",
        "email": f"service@{domain}",
        "website": f"https://www.{domain}",
        "contact_person": contact,
        "contact_phone": f"139555{index % 100000:05d}",
        "established_on": date(rng.randint(1990, 2020), rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
        "is_independent_legal_person": index % 8 != 7,
        "introduction": f"{name}是一家从事{field_word}检验检测的第三方机构。",
        "status": "normal",
        "updated_at": _iso(updated_at),
        "withdrawn": False,
        "certificates": certificates,
        "sites": sites,
        "capabilities": capability_rows,
        "equipment": equipment,
        "signatories": signatories,
        "personnel": personnel,
    }


DISTRICT_CODES = sorted(DISTRICTS)
TESTING_FIELDS = list(TestingField.values)
DEPARTMENT_CODES = [code for code in SupervisingDepartment.values if code != SupervisingDepartment.OTHER]


class FakeDataset:
    """The approval system's data: generated records plus the changes a test made to them."""

    def __init__(self, *, institutions: int, seed: int = 1, capabilities: int = 20) -> None:
        self.size = institutions
        self.seed = seed
        self.capabilities = capabilities
        self.clock: Callable[[], datetime] = lambda: datetime.now(TZ)
        self._records: dict[int, dict[str, Any]] = {}
        self._dropped: set[int] = set()
        self._lock = threading.Lock()

    def index_of(self, source_id: str) -> int:
        index = int(source_id.removeprefix("INS-")) - 1
        if not 0 <= index < self.size:
            raise KeyError(source_id)
        return index

    def record(self, index: int) -> dict[str, Any]:
        with self._lock:
            if index not in self._records:
                self._records[index] = generate_institution(
                    seed=self.seed, index=index, capabilities=self.capabilities
                )
            return self._records[index]

    def mutate(self, source_id: str, change: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
        """Applies `change` to a copy of the record; the institution's updated_at becomes now."""
        index = self.index_of(source_id)
        record = copy.deepcopy(self.record(index))
        change(record)
        record["updated_at"] = _iso(self.clock(), "microseconds")
        with self._lock:
            self._records[index] = record
        return record

    def withdraw_item(self, source_id: str, kind: str, item_id: str) -> None:
        def withdraw(record: dict[str, Any]) -> None:
            for item in record[kind]:
                if item["id"] == item_id:
                    item["withdrawn"] = True
                    return
            raise KeyError(item_id)

        self.mutate(source_id, withdraw)

    def drop(self, source_id: str) -> None:
        """The institution disappears from the approval system (and so from full snapshots)."""
        with self._lock:
            self._dropped.add(self.index_of(source_id))

    def select(self, *, updated_since: datetime | None) -> list[dict[str, Any]]:
        """Current records, oldest change first; with `updated_since`, only those changed since."""
        records = [self.record(i) for i in range(self.size) if i not in self._dropped]
        if updated_since is not None:
            records = [r for r in records if datetime.fromisoformat(r["updated_at"]) >= updated_since]
        records.sort(key=lambda r: (r["updated_at"], r["id"]))
        return records


class _Handler(BaseHTTPRequestHandler):
    server: "_HttpServer"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        status, payload = self.server.owner.respond(self.path, dict(self.headers.items()))
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.owner.verbose:
            super().log_message(format, *args)


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: "FakeApprovalServer"


class FakeApprovalServer:
    """The fake approval system's HTTP server, run in a background thread (port 0: an ephemeral port)."""

    def __init__(
        self,
        *,
        institutions: int = 20,
        seed: int = 1,
        capabilities: int = 20,
        token: str = "",
        fail_rate: float = 0.0,
        port: int = 0,
        host: str = "127.0.0.1",
        verbose: bool = False,
    ) -> None:
        self.dataset = FakeDataset(institutions=institutions, seed=seed, capabilities=capabilities)
        self.token = token
        self.fail_rate = fail_rate
        self.verbose = verbose
        self.requests: list[str] = []
        self._failures = random.Random(seed)
        self._scripted: deque[int | None] = deque()
        self._always: int | None = None
        self._lock = threading.Lock()
        self._httpd = _HttpServer((host, port), _Handler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None

    # --- lifecycle ---

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self._httpd.server_address[0]}:{self.port}"

    def start(self) -> "FakeApprovalServer":
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="fake-approval", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> "FakeApprovalServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- test hooks ---

    def script(self, *statuses: int | None) -> None:
        """The next requests answer these statuses, in order (None: that one is served normally); then
        normal service resumes. script(None, 503): the first page is served, the second fails."""
        with self._lock:
            self._scripted.extend(statuses)

    def always(self, status: int | None) -> None:
        """Every request answers `status` (None: normal service)."""
        self._always = status

    def mutate(self, source_id: str, change: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
        return self.dataset.mutate(source_id, change)

    def withdraw_item(self, source_id: str, kind: str, item_id: str) -> None:
        self.dataset.withdraw_item(source_id, kind, item_id)

    def drop(self, source_id: str) -> None:
        self.dataset.drop(source_id)

    # --- the contract ---

    def respond(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append(path)
            forced = self._scripted.popleft() if self._scripted else self._always
            if forced == 200:
                forced = None
            injected = self.fail_rate > 0 and self._failures.random() < self.fail_rate
        if forced is not None:
            return forced, {"error": HTTPStatus(forced).phrase}
        parts = urlsplit(path)
        if parts.path.rstrip("/") != API_PATH:
            return 404, {"error": "not found"}
        if self.token and headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"error": "missing or wrong token"}
        if injected:
            return 503, {"error": "injected failure"}
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        try:
            page = int(query.get("page", "1"))
            page_size = int(query.get("page_size", str(DEFAULT_PAGE_SIZE)))
            mode = query.get("mode", "incremental")
            # A literal "+" of the offset arrives as a space when the caller did not percent-encode it.
            since = query.get("updated_since", "").replace(" ", "+")
            updated_since = datetime.fromisoformat(since) if since else None
            if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE or mode not in ("incremental", "full"):
                raise ValueError
            if updated_since is not None and updated_since.tzinfo is None:
                raise ValueError
        except ValueError:
            return 400, {"error": "bad parameters"}
        records = self.dataset.select(updated_since=None if mode == "full" else updated_since)
        start = (page - 1) * page_size
        return 200, {
            "mode": mode,
            "page": page,
            "page_size": page_size,
            "total": len(records),
            "has_next": start + page_size < len(records),
            "generated_at": _iso(self.dataset.clock(), "microseconds"),
            "results": records[start : start + page_size],
        }
