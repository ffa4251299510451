"""The demo company's catalogue (issue 3): about 200 styles and 1,500 SKUs, deterministic.

山岚茶业 sells tea (West Lake Longjing is its hero group, WMS-14), tea snacks (food, licence needed)
and teaware; 松屿家居 sells home wear in colour × size, bedding, and hand creams and scents
(cosmetics, licence needed). Everything goes in through the same import action people use.
"""

from __future__ import annotations

from decimal import Decimal

from ecomops.catalog.actions import create_brand, create_category, import_products
from ecomops.catalog.enums import ReturnClass, SpecialGoods
from ecomops.catalog.importing import COLUMNS
from ecomops.catalog.sheets import Table

CATEGORIES = [
    # code, name, name_en, parent, special goods
    ("TEA", "茶叶", "Tea", None, SpecialGoods.FOOD),
    ("TEA-GREEN", "绿茶", "Green tea", "TEA", SpecialGoods.FOOD),
    ("TEA-BLACK", "红茶", "Black tea", "TEA", SpecialGoods.FOOD),
    ("TEA-OOLONG", "乌龙茶", "Oolong", "TEA", SpecialGoods.FOOD),
    ("TEA-WHITE", "白茶", "White tea", "TEA", SpecialGoods.FOOD),
    ("SNACK", "茶点", "Tea snacks", None, SpecialGoods.FOOD),
    ("TEAWARE", "茶具", "Teaware", None, SpecialGoods.NONE),
    ("HOMEWEAR", "家居服", "Home wear", None, SpecialGoods.NONE),
    ("BEDDING", "床品", "Bedding", None, SpecialGoods.NONE),
    ("CARE", "护肤香氛", "Skin care and scents", None, SpecialGoods.COSMETICS),
]

TEAS = [  # category, name stem, hero?
    ("TEA-GREEN", "西湖龙井", True), ("TEA-GREEN", "碧螺春", False), ("TEA-GREEN", "黄山毛峰", False),
    ("TEA-GREEN", "六安瓜片", False), ("TEA-GREEN", "安吉白茶", False), ("TEA-BLACK", "祁门红茶", False),
    ("TEA-BLACK", "正山小种", False), ("TEA-BLACK", "滇红", False), ("TEA-OOLONG", "铁观音", False),
    ("TEA-OOLONG", "大红袍", False), ("TEA-OOLONG", "凤凰单丛", False), ("TEA-WHITE", "白毫银针", False),
]
GRADES = ["明前特级", "明前一级", "雨前一级", "传统二级", "口粮茶"]
PACKS, WEIGHTS = ["罐装", "袋装"], ["50g", "100g", "250g"]
SNACKS = ["桂花糕", "绿豆糕", "茶酥", "龙井茶饼干", "红茶曲奇", "抹茶酥", "凤梨酥", "核桃酥", "杏仁饼", "芝麻薄脆"]
TEAWARE = ["青瓷盖碗", "紫砂壶", "玻璃公道杯", "白瓷品茗杯", "竹制茶盘", "便携旅行茶具", "茶叶罐", "煮水壶",
           "茶道六君子", "建盏"]
HOMEWEAR = ["纯棉睡衣套装", "莫代尔家居服", "法兰绒睡袍", "竹纤维睡裙", "针织家居裤", "珊瑚绒套装",
            "真丝睡衣", "亲子家居服", "华夫格家居服", "纱布睡衣"]
HOMEWEAR_COLOURS = ["燕麦色", "雾霾蓝", "豆沙粉"]
SIZES = ["S", "M", "L", "XL", "XXL"]
BEDDING = ["全棉四件套", "水洗棉被套", "天丝床单", "乳胶枕", "羽绒被", "蚕丝被", "荞麦枕", "夏凉被", "床笠",
           "抱枕套"]
BED_COLOURS, BED_SIZES = ["米白", "浅灰"], ["1.5米", "1.8米", "2.0米"]
CARE = ["护手霜", "香薰蜡烛", "扩香精油", "身体乳", "润唇膏", "香皂", "沐浴露", "洗发露", "衣物香氛喷雾", "手部精华"]
SCENTS = ["白茶", "雪松"]

HEADER = [c.header for c in COLUMNS]


def _row(**cells) -> list[str]:
    by_key = {c.key: c for c in COLUMNS}
    return [str(cells.get(key, "")) for key in by_key]


def _money(base: int, step: int) -> str:
    return format(Decimal(base + step).quantize(Decimal("0.01")), "f")


def _tea_rows(store_code: str) -> list[list[str]]:
    rows = []
    number = 0
    for category, stem, hero in TEAS:
        for g, grade in enumerate(GRADES):
            number += 1
            style_no = f"SL-T{number:03d}"
            for p, pack in enumerate(PACKS):
                for w, weight in enumerate(WEIGHTS):
                    cost = 40 + 30 * (len(GRADES) - g) + 25 * w + 8 * p
                    rows.append(_row(
                        style_no=style_no, name=f"{stem}·{grade}", brand="山岚", category=category, colour=pack,
                        size=weight, unit_cost=_money(cost, 0), price=_money(cost * 2, 8),
                        is_hero="是" if hero else "否",
                        return_class=ReturnClass.EXCLUDED_WITH_CONFIRMATION.label,
                        platform_sku_code=f"TM{number:03d}{p}{w}", store_code=store_code,
                    ))
    for s, name in enumerate(SNACKS, start=1):
        for b, box in enumerate(["单盒", "礼盒"]):
            rows.append(_row(style_no=f"SL-S{s:03d}", name=name, brand="山岚", category="SNACK", colour=box,
                             unit_cost=_money(12 + 3 * s, 20 * b), price=_money(29 + 5 * s, 40 * b),
                             return_class=ReturnClass.EXCLUDED.label))
    for s, name in enumerate(TEAWARE * 2, start=1):
        for c, colour in enumerate(["天青", "月白", "墨黑"]):
            rows.append(_row(style_no=f"SL-W{s:03d}", name=name if s <= len(TEAWARE) else f"{name}（礼盒装）",
                             brand="山岚", category="TEAWARE", colour=colour,
                             unit_cost=_money(25 + 9 * s, c), price=_money(69 + 19 * s, 0)))
    return rows


def _home_rows(store_code: str) -> list[list[str]]:
    rows = []
    number = 0
    for series in ["春", "夏", "秋", "冬", "经典", "轻奢"]:
        for name in HOMEWEAR:
            number += 1
            style_no = f"SY-H{number:03d}"
            for c, colour in enumerate(HOMEWEAR_COLOURS):
                for z, size in enumerate(SIZES):
                    title = f"{series}季{name}" if len(series) == 1 else f"{series}{name}"
                    rows.append(_row(style_no=style_no, name=title, brand="松屿", category="HOMEWEAR",
                                     colour=colour, size=size, unit_cost=_money(45 + number, 2 * z),
                                     price=_money(119 + 2 * number, 10 * (z // 3)),
                                     platform_sku_code=f"PDD{number:03d}{c}{z}", store_code=store_code))
    for s, name in enumerate(BEDDING * 2, start=1):
        for colour in BED_COLOURS:
            for z, size in enumerate(BED_SIZES):
                rows.append(_row(style_no=f"SY-B{s:03d}", name=name if s <= len(BEDDING) else f"{name}（加厚）",
                                 brand="松屿", category="BEDDING", colour=colour, size=size,
                                 unit_cost=_money(80 + 6 * s, 20 * z), price=_money(199 + 10 * s, 40 * z)))
    for s, name in enumerate(CARE * 2, start=1):
        for scent in SCENTS:
            rows.append(_row(style_no=f"SY-C{s:03d}", name=name if s <= len(CARE) else f"{name}（旅行装）",
                             brand="松屿", category="CARE", colour=scent, unit_cost=_money(18 + 2 * s, 0),
                             price=_money(49 + 4 * s, 0), return_class=ReturnClass.EXCLUDED_WITH_CONFIRMATION.label))
    return rows


def build_catalogue(*, admin, clients: dict, stores: dict) -> dict[str, int]:
    """Categories, brands and both clients' catalogues; returns counts of what the import wrote."""
    created = {}
    for code, name, name_en, parent, special in CATEGORIES:
        created[code] = create_category(user=admin, code=code, name=name, name_en=name_en,
                                        parent=created.get(parent), special_goods=special)
    create_brand(user=admin, client=clients["SHANLAN"], name="山岚", name_en="Shanlan")
    create_brand(user=admin, client=clients["SONGYU"], name="松屿", name_en="Songyu")
    totals = {"styles": 0, "skus": 0}
    for client_code, rows in (("SHANLAN", _tea_rows("SL-TM")), ("SONGYU", _home_rows("SY-PDD"))):
        table = Table(headers=HEADER, rows=list(enumerate(rows, start=2)), name=f"demo-{client_code}.xlsx")
        result = import_products(user=admin, client=clients[client_code], table=table, reason="演示数据")
        totals["styles"] += result.styles_created
        totals["skus"] += result.skus_created
    return totals
