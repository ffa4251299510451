"""Chinese receiver addresses: splitting off province / city / district, and masking (LAW-04).

    split_address("上海 上海市 浦东新区 张江路 88 弄")  -> ("上海市", "上海市", "浦东新区", "张江路 88 弄")
    split_address("北京朝阳区建国路 88 号")            -> ("北京市", "北京市", "朝阳区", "建国路 88 号")
    split_address("内蒙古自治区 锡林郭勒盟 锡林浩特市 …") -> ("内蒙古自治区", "锡林郭勒盟", "锡林浩特市", "…")
    mask_address("…中环国际广场2209")                  -> "…中环国际广场***"

Platforms write the region in several ways: with spaces (Taobao: "上海 上海市 浦东新区 …", the
municipality once short, once as its city), run together (JD: "上海浦东新区…"), with or without the
province's suffix (浙江 / 浙江省). The province is recognised from the list of China's
provincial-level divisions below and returned under its full name; for the four municipalities the
city is the municipality itself (上海市), and a repeated "上海市" or a "市辖区" after it is consumed.

Masking (LAW-04: the unit and the room are hidden, as on the national e-waybill): numbers with a
building/unit/room word (3 幢, 12栋, 3单元, 502 室, 5号楼), numbers joined by dashes (5-2-1203), every
number after such a word (3单元1203号), and the number an address ends with (…广场2209, …6号院1203)
become ``***``. Street and lane numbers (文三路 100 号, 88 弄) stay, so the courier's area is still
recognisable. Over-masking is harmless, showing a room is not: when in doubt, a number is hidden.
"""

from __future__ import annotations

import re

MASK = "***"

# China's provincial-level divisions: the full name, then the short forms a platform may write.
MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")
PROVINCES = (
    *MUNICIPALITIES,
    "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省",
    "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省",
    "台湾省",
    "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
    "香港特别行政区", "澳门特别行政区",
)
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


# Every spelling → the full name; longest first so "内蒙古自治区" wins over "内蒙古".
_SPELLINGS = sorted(
    {**{p: p for p in PROVINCES}, **{_short(p): p for p in PROVINCES},
     "广西自治区": "广西壮族自治区", "宁夏自治区": "宁夏回族自治区", "新疆自治区": "新疆维吾尔自治区",
     "香港": "香港特别行政区", "澳门": "澳门特别行政区"}.items(),
    key=lambda item: -len(item[0]))

_NAMES = dict(_SPELLINGS)


def province_name(value: str) -> str | None:
    """The full name of a province written in full or short (浙江 / 浙江省 → 浙江省), or None when it is
    not one of China's provincial-level divisions."""
    return _NAMES.get((value or "").strip())


# The prefecture level: a city (市), an autonomous prefecture (自治州), a league (盟), a prefecture (地区),
# or a forest district directly under the province (林区). No spaces, digits or street words inside.
_NAME = r"[^\s\d０-９路街巷弄号道村]"
_CITY = re.compile(rf"{_NAME}{{1,12}}?(?:自治州|地区|盟|林区|市)")
# The county level: a district (区), county (县), county-level city (市), banner (旗).
_DISTRICT = re.compile(rf"{_NAME}{{1,12}}?(?:自治县|自治旗|区|县|市|旗)")
# What follows a municipality before its districts: its name again, or the old "市辖区"/"县" tiers.
_MUNICIPAL_TIERS = ("市辖区", "县")
LIMITS = {"province": 20, "city": 30, "district": 30}


def _take(pattern: re.Pattern, text: str) -> tuple[str, str]:
    match = pattern.match(text)
    if not match:
        return "", text
    return match.group(0), text[match.end():].lstrip()


def split_address(address: str) -> tuple[str, str, str, str]:
    """(province, city, district, the rest) of a one-line address; ("", "", "", address) when its
    province is not recognised (a foreign address, or one that starts with the street)."""
    text = (address or "").strip()
    province = ""
    for spelling, full in _SPELLINGS:
        if text.startswith(spelling):
            province, text = full, text[len(spelling):].lstrip()
            break
    if not province:
        return "", "", "", address or ""
    if province in MUNICIPALITIES:
        city = province
        # "上海 上海市 浦东新区" (Taobao), "上海市上海市…", "北京 北京 朝阳区", "北京市 市辖区 朝阳区".
        short = _short(province)
        if text.startswith(province):
            text = text[len(province):].lstrip()
        elif text.startswith(short) and text[len(short):len(short) + 1].isspace():
            text = text[len(short):].lstrip()
        for tier in _MUNICIPAL_TIERS:
            if text.startswith(tier) and (tier == "市辖区" or text[len(tier):len(tier) + 1].isspace()):
                text = text[len(tier):].lstrip()
                break
    else:
        city, text = _take(_CITY, text)
    district, text = _take(_DISTRICT, text)
    if not text or len(province) > LIMITS["province"] or len(city) > LIMITS["city"] \
            or len(district) > LIMITS["district"]:
        return "", "", "", address or ""
    return province, city, district, text


# --- masking (LAW-04) --------------------------------------------------------------------------------

_DIGITS = r"[0-9０-９]+"
# A number with the word that makes it a building, unit, floor or room.
_UNIT_WORD = re.compile(
    rf"[A-Za-z]?{_DIGITS}[A-Za-z]?\s*(?:单元|栋|幢|号楼|座|楼|层|室|房|户)"
    r"|[A-Za-z]\s*(?:座|栋|幢)(?![A-Za-z])|(?:room|unit|apt\.?|flat|suite|rm\.?)\s*[\w-]+|#\s*\d+[\w-]*",
    re.IGNORECASE,
)
# Numbers joined by dashes (building-unit-room, 5-2-1203), unless a street or lane word follows (88-90号).
_DASHED = re.compile(rf"{_DIGITS}(?:\s*[-－—–~]\s*[A-Za-z]?{_DIGITS}[A-Za-z]?)+(?![0-9０-９A-Za-z])"
                     r"(?!\s*[号弄路巷街道里])")
_NUMBER = re.compile(rf"[A-Za-z]?{_DIGITS}[A-Za-z]?")
# What may stand after the last number of an address and still leave it the last (a room) number.
_TAIL = re.compile(r"[\s,，。.;；:：)）\]】]*$")


def mask_address(address: str) -> str:
    """Hide the unit and room numbers of an address (LAW-04, national e-waybill standard)."""
    if not address:
        return ""
    text = _UNIT_WORD.sub(MASK, address)
    text = _DASHED.sub(MASK, text)
    # Once a building, unit or room has been hidden, every number after it is a part of it too
    # (3单元1203号, 12栋 1203).
    first = text.find(MASK)
    if first >= 0:
        head, tail = text[:first + len(MASK)], text[first + len(MASK):]
        text = head + _NUMBER.sub(MASK, tail)
    # A number the address ends with is the room (…中环国际广场2209, …6号院1203), whatever word is missing.
    end = _TAIL.search(text).start()
    body = text[:end]
    match = re.search(rf"[A-Za-z]?{_DIGITS}[A-Za-z]?$", body)
    if match:
        text = body[: match.start()] + MASK + text[end:]
    return text
