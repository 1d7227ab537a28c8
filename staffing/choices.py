from django.db import models


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Education(models.TextChoices):
    """Highest completed education; 大学专科 and above counts as a college degree (专业化)."""

    POSTGRADUATE = "postgraduate", "研究生"
    BACHELOR = "bachelor", "大学本科"
    COLLEGE = "college", "大学专科"
    SECONDARY = "secondary", "高中、中专"
    JUNIOR = "junior", "初中及以下"


COLLEGE_OR_ABOVE = (Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE)


class EmploymentType(models.TextChoices):
    CIVIL_SERVANT = "civil_servant", "公务员"
    INSTITUTION = "institution", "事业编制"
    CONTRACT = "contract", "编外"
    OTHER = "other", "其他"


class Post(models.TextChoices):
    DIRECTOR = "director", "主任"
    DEPUTY = "deputy", "副主任"
    STAFF = "staff", "工作人员"


class TrainingLevel(models.TextChoices):
    CITY = "city", "市级"
    COUNTY = "county", "县级"


class TrainingKind(models.TextChoices):
    INITIAL = "initial", "初任培训"
    PERIODIC = "periodic", "定期培训"
