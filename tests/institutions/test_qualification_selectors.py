"""Date rules of the qualification selectors: certificate expiry and calibration states (the month
arithmetic they use is tested with sujt.core.dates in tests/core/test_dates.py)."""

import datetime

import pytest

from institutions.choices import CertificateStatus
from institutions.models import Certificate, Equipment
from institutions.selectors.qualification import (
    calibration_state,
    certificate_expired_q,
    certificate_expiring_q,
    certificate_expiry_state,
)
from tests.factories import CertificateFactory

D = datetime.date
TODAY = D(2026, 11, 23)


@pytest.mark.parametrize(
    ("status", "expires_on", "expected"),
    [
        ("valid", D(2026, 11, 22), "expired"),
        ("valid", D(2026, 11, 23), "expiring"),
        ("valid", D(2027, 2, 23), "expiring"),
        ("valid", D(2027, 2, 24), ""),
        ("expired", D(2030, 1, 1), "expired"),
        ("suspended", D(2027, 1, 1), ""),
        ("suspended", D(2026, 11, 22), "expired"),
        ("revoked", D(2026, 1, 1), "expired"),
    ],
)
def test_certificate_expiry_state(status, expires_on, expected):
    certificate = Certificate(number="211013010001", status=status, expires_on=expires_on)
    assert certificate_expiry_state(certificate, today=TODAY) == expected


@pytest.mark.parametrize(
    ("valid_until", "expected"),
    [
        (None, "none"),
        (D(2026, 11, 22), "expired"),
        (D(2026, 11, 23), "soon"),
        (D(2026, 12, 23), "soon"),
        (D(2026, 12, 24), "valid"),
    ],
)
def test_calibration_state(valid_until, expected):
    assert calibration_state(Equipment(name="天平", valid_until=valid_until), today=TODAY) == expected


@pytest.mark.django_db
def test_the_expiry_state_of_a_row_and_the_expiry_filters_agree(institution):
    """certificate_expiry_state (one row: the flags) and certificate_expired_q / certificate_expiring_q
    (the workspace and admin filters) are one rule: every status against every side of the dates."""
    days = [-400, -1, 0, 1, 30, 92, 93, 200, 400]
    rows = [
        CertificateFactory(institution=institution, status=status, expires_on=TODAY + datetime.timedelta(d))
        for status in CertificateStatus.values
        for d in days
    ]
    expired = set(Certificate.objects.filter(certificate_expired_q(today=TODAY)))
    expiring = set(Certificate.objects.filter(certificate_expiring_q(today=TODAY)))
    assert not expired & expiring
    for row in rows:
        state = certificate_expiry_state(row, today=TODAY)
        assert (state == "expired") == (row in expired), (row.status, row.expires_on)
        assert (state == "expiring") == (row in expiring), (row.status, row.expires_on)
    assert {(r.status, r.expires_on < TODAY) for r in expired} >= {("suspended", True), ("revoked", True)}
