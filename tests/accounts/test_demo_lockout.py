"""The demo shows a locked account: a Nanjing institution user whom the Nanjing regulator may help."""

import pytest
from django.test import RequestFactory

from sujt.accounts.backends import account_locked
from sujt.accounts.demo import LOCKED_DEMO_PHONE, city_regulator_phone
from sujt.accounts.models import User
from sujt.accounts.selectors import users_regulated_by

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]


def test_the_demo_locked_account_is_a_nanjing_institution_user_the_nanjing_regulator_may_help():
    user = User.objects.get(phone=LOCKED_DEMO_PHONE)
    assert account_locked(request=RequestFactory().get("/"), phone=user.phone)
    assert user.memberships.filter(is_active=True, institution__region_code__startswith="3201").exists()
    nanjing = User.objects.get(phone=city_regulator_phone(1))
    assert users_regulated_by(user=nanjing).filter(pk=user.pk).exists()
    suzhou = User.objects.get(phone=city_regulator_phone(5))
    assert not users_regulated_by(user=suzhou).filter(pk=user.pk).exists()
