"""Choices of the compliance lists (LAW-02)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TermCategory(models.TextChoices):
    """Why a term is barred: the families of terms Advertising Law art. 9(3) and the SAMR guide name."""

    SUPERLATIVE = "superlative", _("最高级用语")
    ABSOLUTE = "absolute", _("绝对化用语")
    RANKING = "ranking", _("排名用语")
    AUTHORITY = "authority", _("级别与权威用语")
    URGENCY = "urgency", _("虚构紧迫与抢购")
    OTHER = "other", _("其他")


class Severity(models.TextChoices):
    """How the reviewer should weigh a hit; every hit goes to human review whatever its severity."""

    HIGH = "high", _("高：通常须修改")
    MEDIUM = "medium", _("中：结合语境判断")
    LOW = "low", _("低：提示")


SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}
# One word for badges; the full label is the badge's title.
SEVERITY_SHORT = {Severity.HIGH: _("高"), Severity.MEDIUM: _("中"), Severity.LOW: _("低")}


class TermOrigin(models.TextChoices):
    POLICY = "policy", _("政策参数 LAW-02")
    BUILTIN = "builtin", _("系统预置")
    MANUAL = "manual", _("手工添加")


class PhraseKind(models.TextChoices):
    """What a cleared phrase is: the exemptions of the SAMR enforcement guide (2023), and the rest."""

    TRADEMARK = "trademark", _("注册商标")
    PRODUCT_NAME = "product_name", _("商品名称")
    STANDARD_GRADE = "standard_grade", _("标准等级")
    USAGE_TIP = "usage_tip", _("使用建议")
    CLEARED = "cleared", _("审核放行")
