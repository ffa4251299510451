"""Statuses, checklist items and the allowed steps of admission review (CAT-01) and listing (CAT-02,
CAT-03)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# --- CAT-01: admission review ------------------------------------------------------------------


class AdmissionState(models.TextChoices):
    PENDING = "pending", _("待审核")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("准入通过")
    REJECTED = "rejected", _("准入驳回")


# Each status and the statuses allowed next; every admission action checks its step against this map.
ADMISSION_FLOW: dict[str, tuple[str, ...]] = {
    AdmissionState.PENDING: (AdmissionState.APPROVED, AdmissionState.REJECTED, AdmissionState.RETURNED),
    AdmissionState.RETURNED: (AdmissionState.PENDING,),
    AdmissionState.APPROVED: (),
    AdmissionState.REJECTED: (),
}
OPEN_ADMISSION = (AdmissionState.PENDING, AdmissionState.RETURNED)


class CheckItem(models.TextChoices):
    """CAT-01: what the admission review looks at, in checklist order."""

    QUALITY = "quality", _("质检报告或抽检结果")
    SAFETY = "safety", _("安全性")
    LEGALITY = "legality", _("合法性")
    INTELLECTUAL_PROPERTY = "intellectual_property", _("知识产权")
    BRAND_AUTHORISATION = "brand_authorisation", _("品牌授权")
    CERTIFICATES = "certificates", _("类目所需证照")


class ItemResult(models.TextChoices):
    PENDING = "pending", _("未检查")
    PASSED = "passed", _("符合")
    FAILED = "failed", _("不符合")
    NOT_APPLICABLE = "not_applicable", _("不适用")


class AdmissionEventKind(models.TextChoices):
    OPENED = "opened", _("发起准入审核")
    ITEM = "item", _("检查项目")
    APPROVED = "approved", _("准入通过")
    REJECTED = "rejected", _("准入驳回")
    RETURNED = "returned", _("退回修改")
    RESUBMITTED = "resubmitted", _("重新提交")


# --- CAT-02 / CAT-03: listing per store --------------------------------------------------------


class ListingState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    NEEDS_REVIEW = "needs_review", _("合规待复核")
    AWAITING_REVIEW = "awaiting_review", _("待审核")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("待发布")
    PUBLISHED = "published", _("已上架")
    DELISTED = "delisted", _("已下架")


LISTING_FLOW: dict[str, tuple[str, ...]] = {
    ListingState.DRAFT: (ListingState.NEEDS_REVIEW, ListingState.AWAITING_REVIEW),
    ListingState.RETURNED: (ListingState.NEEDS_REVIEW, ListingState.AWAITING_REVIEW),
    ListingState.DELISTED: (ListingState.NEEDS_REVIEW, ListingState.AWAITING_REVIEW),
    ListingState.NEEDS_REVIEW: (ListingState.APPROVED, ListingState.RETURNED),
    ListingState.AWAITING_REVIEW: (ListingState.APPROVED, ListingState.RETURNED),
    ListingState.APPROVED: (ListingState.PUBLISHED, ListingState.RETURNED),
    ListingState.PUBLISHED: (ListingState.DELISTED,),
}
# Content can be changed only while the editor holds the listing.
EDITABLE_LISTING = (ListingState.DRAFT, ListingState.RETURNED, ListingState.DELISTED)
REVIEWABLE_LISTING = (ListingState.NEEDS_REVIEW, ListingState.AWAITING_REVIEW)


class ListingEventKind(models.TextChoices):
    CREATED = "created", _("创建上架")
    EDITED = "edited", _("修改内容")
    SUBMITTED = "submitted", _("提交审核")
    COMPLIANCE = "compliance", _("合规检查")
    APPROVED = "approved", _("审核通过")
    RETURNED = "returned", _("退回修改")
    PUBLISHED = "published", _("发布上架")
    DELISTED = "delisted", _("下架")
    RELISTED = "relisted", _("重新上架申请")


class ContentField(models.TextChoices):
    TITLE = "title", _("标题")
    SELLING_POINTS = "selling_points", _("卖点")
    DESCRIPTION = "description", _("详情描述")
