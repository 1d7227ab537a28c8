"""The 14 duties carry the policy's own words."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from duties.models import Duty

SEED = Path(settings.BASE_DIR).parent / "shared" / "seed" / "000_e277a3930f23e38f.txt"


@pytest.mark.django_db
def test_fourteen_duties_in_order():
    assert list(Duty.objects.values_list("number", flat=True)) == list(range(1, 15))
    assert Duty.objects.get(number=10).text == "负责做好库区入迁我市的移民管理工作"
    assert Duty.objects.get(number=1).text.startswith("贯彻执行国家、省、市和县(市、区)有关民政工作的法律")


@pytest.mark.django_db
@pytest.mark.skipif(not SEED.exists(), reason="the shared policy text is not beside this checkout")
def test_duty_texts_are_the_policy_text_word_for_word():
    text = SEED.read_text(encoding="utf-8")
    section = text[text.index("主要工作职责为") : text.index("各镇(街道)民政办公室要统一刻制")]
    in_policy = {
        int(n): t.strip() for n, t in re.findall(r"^(\d{1,2})\.(.+?)[;。]\s*$", section, re.MULTILINE)
    }
    assert len(in_policy) == 14
    assert dict(Duty.objects.values_list("number", "text")) == in_policy
