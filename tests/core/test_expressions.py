"""sujt.core.expressions.InIds: `IN` over a long id list, one array parameter on PostgreSQL."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Case, IntegerField, Value, When
from django.test.utils import CaptureQueriesContext

from sujt.core.expressions import InIds

pytestmark = pytest.mark.django_db


def test_it_filters_like_in():
    ids = list(ContentType.objects.order_by("pk").values_list("pk", flat=True))
    chosen = ids[::3]
    found = ContentType.objects.filter(InIds("pk", [*chosen, *chosen, 10**9]))
    assert sorted(found.values_list("pk", flat=True)) == chosen
    assert not ContentType.objects.filter(InIds("pk", [])).exists()
    assert ContentType.objects.exclude(InIds("pk", chosen)).count() == len(ids) - len(chosen)


def test_it_is_a_condition_of_when():
    first, second, *_ = ContentType.objects.order_by("pk").values_list("pk", flat=True)
    marked = ContentType.objects.annotate(
        mark=Case(When(InIds("pk", [second]), then=Value(2)), default=Value(0), output_field=IntegerField())
    )
    assert dict(marked.filter(pk__in=[first, second]).values_list("pk", "mark")) == {first: 0, second: 2}


def test_on_postgresql_thousands_of_ids_are_one_parameter():
    with CaptureQueriesContext(connection) as queries:
        list(ContentType.objects.filter(InIds("pk", range(1, 5001))).values_list("pk", flat=True))
    sql = queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql
    else:
        assert sql.count(",") >= 4999
