"""Statuses, kinds and the allowed transitions of the onboarding workflow (STO-02, STO-04)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ecomops.catalog.enums import SpecialGoods as CatalogSpecialGoods


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    UNDER_REVIEW = "under_review", _("审核中")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("审核通过")
    ACTIVATED = "activated", _("已开通")


# STO-02: each status and the statuses allowed next; every action checks its step against this map.
APPLICATION_FLOW: dict[str, tuple[str, ...]] = {
    ApplicationState.DRAFT: (ApplicationState.SUBMITTED,),
    ApplicationState.RETURNED: (ApplicationState.SUBMITTED,),
    ApplicationState.SUBMITTED: (ApplicationState.UNDER_REVIEW, ApplicationState.RETURNED),
    ApplicationState.UNDER_REVIEW: (ApplicationState.APPROVED, ApplicationState.RETURNED),
    ApplicationState.APPROVED: (ApplicationState.ACTIVATED,),
    ApplicationState.ACTIVATED: (),
}

# Documents can be uploaded or replaced only while the applicant holds the application.
EDITABLE_STATUSES = (ApplicationState.DRAFT, ApplicationState.RETURNED)


class DocumentReview(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACCEPTED = "accepted", _("已通过")
    REJECTED = "rejected", _("不通过")


class ApplicationEventKind(models.TextChoices):
    CREATED = "created", _("创建申请")
    UPLOADED = "uploaded", _("上传资料")
    SUBMITTED = "submitted", _("提交审核")
    REVIEW_STARTED = "review_started", _("开始审核")
    DOCUMENT_REVIEWED = "document_reviewed", _("审核资料")
    APPROVED = "approved", _("审核通过")
    RETURNED = "returned", _("退回修改")
    AGREEMENT = "agreement", _("登记平台协议")
    ACTIVATED = "activated", _("店铺开通")


class ChangeState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")


# STO-03: a profile change request is decided once (or withdrawn by who asked).
CHANGE_FLOW: dict[str, tuple[str, ...]] = {
    ChangeState.PENDING: (ChangeState.APPROVED, ChangeState.REJECTED, ChangeState.WITHDRAWN),
    ChangeState.APPROVED: (),
    ChangeState.REJECTED: (),
    ChangeState.WITHDRAWN: (),
}


class HolderKind(models.TextChoices):
    COMPANY = "company", _("本公司")
    CLIENT = "client", _("委托方")
    STORE = "store", _("店铺")
    BRAND = "brand", _("品牌")
    SUPPLIER = "supplier", _("供应商")


class QualificationKind(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("营业执照")
    FOOD_LICENCE = "food_licence", _("食品经营许可证")
    DRUG_LICENCE = "drug_licence", _("药品经营许可证")
    MEDICAL_DEVICE_LICENCE = "medical_device_licence", _("医疗器械经营许可证")
    COSMETICS_LICENCE = "cosmetics_licence", _("化妆品生产经营许可证")
    BRAND_AUTHORISATION = "brand_authorisation", _("品牌授权书")
    TRADEMARK = "trademark", _("商标注册证")
    QUALITY_REPORT = "quality_report", _("质检报告")
    OTHER = "other", _("其他")


# STO-04: special goods need their licence on file; the kinds are the catalogue's (one list, one place).
SpecialGoods = CatalogSpecialGoods


# STO-04: the licence each kind of special goods requires.
LICENCE_FOR: dict[str, str] = {
    SpecialGoods.FOOD: QualificationKind.FOOD_LICENCE,
    SpecialGoods.DRUG: QualificationKind.DRUG_LICENCE,
    SpecialGoods.MEDICAL_DEVICE: QualificationKind.MEDICAL_DEVICE_LICENCE,
    SpecialGoods.COSMETICS: QualificationKind.COSMETICS_LICENCE,
}

# LAW-03 art. 15: the business licence and the permits are shown on the store.
DISPLAYED_KINDS = (QualificationKind.BUSINESS_LICENCE, *LICENCE_FOR.values())


class QualificationState(models.TextChoices):
    VALID = "valid", _("有效")
    EXPIRING = "expiring", _("即将到期")
    EXPIRED = "expired", _("已过期")
    NOT_YET_VALID = "not_yet_valid", _("未生效")
    SUPERSEDED = "superseded", _("已换证")
