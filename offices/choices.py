from django.db import models


class TownKind(models.TextChoices):
    TOWN = "镇", "镇"
    SUBDISTRICT = "街道", "街道"
    TOWNSHIP = "乡", "乡"


class Equipment(models.TextChoices):
    """Office and service equipment (办公服务用品) on the premises checklist."""

    DESKS = "desks", "办公桌椅"
    COMPUTER = "computer", "计算机"
    PRINTER = "printer", "打印机"
    COPIER = "copier", "复印机"
    PHONE = "phone", "办公电话"
    FAX = "fax", "传真机"
    CABINET = "cabinet", "档案柜"
    COUNTER = "counter", "便民服务窗口"
    WAITING = "waiting", "群众等候座椅"


class ItFacility(models.TextChoices):
    """IT in place (信息化建设配套) on the premises checklist."""

    BROADBAND = "broadband", "宽带网络接入"
    EGOV = "egov", "电子政务网络"
    BUSINESS_SYSTEM = "business_system", "民政业务信息系统"
    E_ARCHIVE = "e_archive", "电子档案管理"
    PUBLIC_INFO = "public_info", "政务公开信息平台"


class PostedRuleKind(models.TextChoices):
    """The rules a policy asks to be posted on the wall (制度上墙), section (四)."""

    OFFICE_DUTIES = "office_duties", "民政办公室职责"
    POST_DUTIES = "post_duties", "工作人员岗位职责"
    SERVICE_GUIDE = "service_guide", "民政工作服务指南"
    SERVICE_PLEDGE = "service_pledge", "服务承诺制度"
    CONDUCT = "conduct", "作(行)风建设标准及监督办法"
    POLICIES = "policies", "有关政策法规和工作内容"


class PlanKind(models.TextChoices):
    ANNUAL = "annual", "年度工作计划"
    DEVELOPMENT = "development", "民政事业发展规划"
