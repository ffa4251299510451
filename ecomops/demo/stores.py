"""The demo company's certificates (STO-04): valid ones, one about to expire, one expired.

山岚茶业 holds a valid food licence, so its tea and snacks may be listed; the JD store's own food
licence runs out within the reminder period (a due item for its account manager). 松屿家居's cosmetics
licence expired last month, so its hand creams and scents cannot be listed until it is renewed.
"""

from __future__ import annotations

from datetime import date, timedelta

from ecomops.policy import registry
from ecomops.stores.actions import create_qualification
from ecomops.stores.enums import HolderKind, QualificationKind

REMINDER = "STO-04.renewal_reminder_before"


def build_qualifications(*, admin, clients: dict, stores: dict, today: date) -> int:
    reminder = registry.value(REMINDER, on=today)
    soon = today + reminder - timedelta(days=max(reminder.days // 3, 1))  # inside the reminder period
    rows = [
        dict(holder_kind=HolderKind.COMPANY, holder_name="青禾电商代运营有限公司",
             kind=QualificationKind.BUSINESS_LICENCE, title="营业执照", number="91330106MA2DEMO01X",
             issuer="杭州市市场监督管理局", valid_from=date(2021, 6, 1)),
        dict(holder_kind=HolderKind.CLIENT, client=clients["SHANLAN"], kind=QualificationKind.BUSINESS_LICENCE,
             title="营业执照", number="91330110MA2DEMO02Y", issuer="杭州市余杭区市场监督管理局",
             valid_from=date(2019, 3, 1)),
        dict(holder_kind=HolderKind.CLIENT, client=clients["SHANLAN"], kind=QualificationKind.FOOD_LICENCE,
             title="食品经营许可证", number="JY13301100DEMO01", issuer="杭州市余杭区市场监督管理局",
             scope="预包装食品（含茶叶）销售", valid_from=date(2022, 1, 1), valid_to=date(today.year + 2, 12, 31)),
        dict(holder_kind=HolderKind.STORE, store=stores["SL-JD"], client=clients["SHANLAN"],
             kind=QualificationKind.FOOD_LICENCE, title="食品经营许可证（京东店）", number="JY13301100DEMO02",
             issuer="杭州市余杭区市场监督管理局", scope="预包装食品销售", valid_from=date(2021, 9, 1), valid_to=soon),
        dict(holder_kind=HolderKind.BRAND, holder_name="山岚", client=clients["SHANLAN"],
             kind=QualificationKind.TRADEMARK, title="商标注册证 第 30 类", number="第12345678号",
             issuer="国家知识产权局", valid_from=date(2018, 5, 14), valid_to=date(2028, 5, 13)),
        dict(holder_kind=HolderKind.CLIENT, client=clients["SONGYU"], kind=QualificationKind.BUSINESS_LICENCE,
             title="营业执照", number="91330206MA2DEMO03Z", issuer="宁波市市场监督管理局",
             valid_from=date(2020, 8, 1)),
        dict(holder_kind=HolderKind.CLIENT, client=clients["SONGYU"], kind=QualificationKind.COSMETICS_LICENCE,
             title="化妆品经营备案凭证", number="浙妆备DEMO2023001", issuer="宁波市市场监督管理局",
             valid_from=date(2023, 1, 1), valid_to=today.replace(day=1) - timedelta(days=1)),
    ]
    for row in rows:
        create_qualification(user=admin, **row)
    return len(rows)
