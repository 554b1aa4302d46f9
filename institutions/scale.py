"""Province-scale generated data for benchmarks (`python manage.py generate_scale`, DESIGN §10).

Institution number `index` of the dataset `seed` is the fake approval system's record
(institutions.sync.fake_server.generate_institution: name, 统一社会信用代码, district, certificates,
sites, all valid and deterministic), parsed by the sync's own record parser, so its values are the ones a
sync would store. Its capability schedule is not the fake server's synthetic one but rows of the demo's
schedules (institutions.demo_data.capability_pool): real products, parameters and standards
(钢筋, 大肠菌群, GB 5009.12-2023), so searches at scale hit and miss like they would on real data.

Everything is written in bulk, a batch of institutions per transaction: the capability rows, the bulk,
by COPY on PostgreSQL (bulk_create elsewhere). The search index is built once at the end. Later issues
add other modules' data as further `_<module>_build` steps of `ScaleBatch` and `generate`.

Generated rows carry no approval-system ids (source_id): they did not come from a sync, and a real
sync must not take them for its own.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from sujt.core.choices import TestingField

from . import demo_data
from .choices import InstitutionStatus
from .models import Capability, Certificate, Institution, InstitutionField, Site
from .search.segment import search_dictionary_refresh
from .search.services import search_index_update
from .services.completeness import completeness_recalculate
from .sync.fake_server import FIELD_WORDS, generate_institution
from .sync.records import record_parse

INSTITUTIONS_PER_BATCH = 250
ROWS_PER_INSERT = 5000
REPORT_EVERY = 1000

# The fake server names an institution after one of its FIELD_WORDS; its schedule comes from the demo
# pool of the testing field that word means (计量 labs are general ones).
FIELD_OF_WORD: dict[str, str] = {
    "食品": TestingField.FOOD,
    "环境": TestingField.ENVIRONMENT,
    "建筑工程": TestingField.CONSTRUCTION,
    "机动车": TestingField.MOTOR_VEHICLE,
    "电子电器": TestingField.ELECTRONICS,
    "纺织品": TestingField.TEXTILES,
    "计量": TestingField.GENERAL,
    "医疗器械": TestingField.MEDICAL_DEVICES,
    "化工": TestingField.CHEMICALS,
    "材料": TestingField.BUILDING_MATERIALS,
}
assert set(FIELD_OF_WORD) == set(FIELD_WORDS), "every name word of the fake server needs a field"

CAPABILITY_COLUMNS = (
    "institution_id",
    "certificate_id",
    "site_id",
    "seq",
    "category",
    "item",
    "standard",
    "limitation",
    "note",
    "created_at",
    "updated_at",
)

Report = Callable[[str], None]


@dataclass
class ScaleResult:
    institutions: int = 0
    certificates: int = 0
    sites: int = 0
    capabilities: int = 0
    search_rows: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def institution_field(record: dict) -> str:
    """The testing field of a generated institution: the one its name's field word means."""
    stem = record["name"].removesuffix("检测技术有限公司")
    return next(code for word, code in FIELD_OF_WORD.items() if stem.endswith(word))


def _with_field(number: str, field_code: str) -> str:
    """A CMA number (YY AA FF DD NNNN) with its field digits set to `field_code`: still valid and unique,
    since the serial and department digits are untouched."""
    return number[:4] + field_code + number[6:]


def capability_plan(*, seed: int, index: int, fields: list[str], count: int) -> list[tuple[int, tuple]]:
    """The `count` schedule rows of institution `index`: (certificate position, (category, item, standard,
    limitation)). Rows of its own field first, then of its second field, then of a general laboratory;
    a pool smaller than `count` is listed again from its start (a big lab's several sites)."""
    rng = random.Random(f"scale:{seed}:{index}:capabilities")
    pool: list[tuple[int, tuple]] = []
    seen: set[tuple] = set()
    sources = [(position, code) for position, code in enumerate(fields)]
    sources.append((0, TestingField.GENERAL))
    for position, code in sources:
        for row in demo_data.capability_pool(code):
            if row not in seen:
                seen.add(row)
                pool.append((position, row))
    if count <= len(pool):
        chosen = sorted(rng.sample(range(len(pool)), count))
    else:
        chosen = [number % len(pool) for number in range(count)]
    return [pool[number] for number in chosen]


@dataclass
class ScaleBatch:
    """The generated rows of one batch of institutions, written in dependency order."""

    seed: int
    indexes: range
    capabilities: int
    now: datetime
    records: list[dict] = field(default_factory=list)
    institutions: list[Institution] = field(default_factory=list)
    fields: list[list[str]] = field(default_factory=list)

    def build(self) -> None:
        for index in self.indexes:
            raw = generate_institution(seed=self.seed, index=index, capabilities=0)
            own = institution_field(raw)
            second = demo_data.SECOND_FIELD[own]
            codes = [own, second][: len(raw["certificates"])]
            for certificate, code in zip(raw["certificates"], codes, strict=True):
                certificate["number"] = _with_field(certificate["number"], code)
            self.records.append(record_parse(raw, index=index))
            self.fields.append(codes)

    def write(self) -> tuple[int, int, int]:
        """(certificates, sites, capabilities) written; institutions are in `self.institutions`."""
        self.institutions = Institution.objects.bulk_create(
            # The fake server's institutions are all 正常 and not withdrawn: public.
            [Institution(**record.values) for record in self.records]
        )
        InstitutionField.objects.bulk_create(
            InstitutionField(institution=institution, code=code)
            for institution, codes in zip(self.institutions, self.fields, strict=True)
            for code in dict.fromkeys(codes)
        )
        certificates: list[list[Certificate]] = []
        sites: list[list[Site]] = []
        for institution, record in zip(self.institutions, self.records, strict=True):
            own_certificates = []
            for item in record.items["certificates"]:
                certificate = Certificate(institution=institution, **item.values)
                certificate.derive_from_number()  # bulk_create does not call save()
                own_certificates.append(certificate)
            certificates.append(own_certificates)
            sites.append([Site(institution=institution, **item.values) for item in record.items["sites"]])
        Certificate.objects.bulk_create([row for rows in certificates for row in rows])
        Site.objects.bulk_create([row for rows in sites for row in rows])
        capabilities = _capabilities_write(self._capability_rows(certificates, sites))
        return sum(map(len, certificates)), sum(map(len, sites)), capabilities

    def _capability_rows(self, certificates: list[list[Certificate]], sites: list[list[Site]]):
        for institution, index, codes, own_certificates, own_sites in zip(
            self.institutions, self.indexes, self.fields, certificates, sites, strict=True
        ):
            plan = capability_plan(seed=self.seed, index=index, fields=codes, count=self.capabilities)
            seqs = [0] * len(own_certificates)
            for number, (position, (category, item, standard, limitation)) in enumerate(plan):
                seqs[position] += 1
                site = own_sites[number % len(own_sites)]
                yield (
                    institution.pk,
                    own_certificates[position].pk,
                    site.pk,
                    seqs[position],
                    category,
                    item,
                    standard,
                    limitation,
                    "",
                    self.now,
                    self.now,
                )


def _capabilities_write(rows) -> int:
    """Capability rows (tuples in CAPABILITY_COLUMNS order): COPY on PostgreSQL, bulk_create elsewhere."""
    total = 0
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Capability._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(name) for name in CAPABILITY_COLUMNS)
        # Django's cursor wraps psycopg 3's; COPY needs the driver's own.
        statement = f"COPY {table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                total += 1
        return total
    batch: list[Capability] = []
    for row in rows:
        batch.append(Capability(**dict(zip(CAPABILITY_COLUMNS, row, strict=True))))
        if len(batch) >= ROWS_PER_INSERT:
            total += len(Capability.objects.bulk_create(batch))
            batch = []
    if batch:
        total += len(Capability.objects.bulk_create(batch))
    return total


def public_institutions_exist() -> bool:
    return Institution.objects.filter(
        status__in=(InstitutionStatus.NORMAL, InstitutionStatus.SUSPENDED), withdrawn_at__isnull=True
    ).exists()


def generate(
    *, institutions: int, capabilities: int, seed: int, first: int = 0, report: Report | None = None
) -> ScaleResult:
    """Generates institutions number `first` … `first + institutions - 1` of the dataset `seed` with
    `capabilities` schedule rows each, their completeness and their search index rows."""
    say = report or (lambda message: None)
    result = ScaleResult()
    now = timezone.now()
    created: list[int] = []
    clock = timezone.now

    started = clock()
    for start in range(first, first + institutions, INSTITUTIONS_PER_BATCH):
        batch = ScaleBatch(
            seed=seed,
            indexes=range(start, min(start + INSTITUTIONS_PER_BATCH, first + institutions)),
            capabilities=capabilities,
            now=now,
        )
        batch.build()
        with transaction.atomic():
            certificates, sites, rows = batch.write()
        created.extend(institution.pk for institution in batch.institutions)
        result.institutions += len(batch.institutions)
        result.certificates += certificates
        result.sites += sites
        result.capabilities += rows
        say(f"已生成 {result.institutions} / {institutions} 家机构，{result.capabilities} 条能力")
    result.seconds["data"] = (clock() - started).total_seconds()

    started = clock()
    for number, pk in enumerate(created, start=1):
        completeness_recalculate(institution_id=pk)
        if number % REPORT_EVERY == 0 or number == len(created):
            say(f"已计算信息完整度 {number} / {len(created)} 家机构")
    result.seconds["completeness"] = (clock() - started).total_seconds()

    started = clock()
    search_dictionary_refresh()
    for offset in range(0, len(created), REPORT_EVERY):
        result.search_rows += search_index_update(institution_ids=created[offset : offset + REPORT_EVERY])
        done = min(offset + REPORT_EVERY, len(created))
        say(f"已建检索索引 {done} / {len(created)} 家机构，{result.search_rows} 行")
    result.seconds["index"] = (clock() - started).total_seconds()

    if connection.vendor == "postgresql":
        started = clock()
        # Autovacuum would gather statistics and set the visibility map later; the planner needs the
        # statistics now, and the term sums' index-only scans the visibility map.
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                cursor.execute("ANALYZE")
            else:
                cursor.execute("VACUUM ANALYZE")
        result.seconds["analyze"] = (clock() - started).total_seconds()
    return result
