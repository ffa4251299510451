"""Receiver addresses (``core.addresses``): the region split off as platforms write it, and LAW-04
masking (unit and room hidden, however the room is written)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomops.audit.masking import mask_address as masking_mask_address
from ecomops.core.addresses import MASK, mask_address, split_address


@pytest.mark.parametrize(("address", "expected"), [
    # Municipalities: province and city are the municipality, the district the next level.
    ("上海 上海市 浦东新区 张江路 88 弄", ("上海市", "上海市", "浦东新区", "张江路 88 弄")),
    ("上海市 上海市 浦东新区 张江路 88 弄", ("上海市", "上海市", "浦东新区", "张江路 88 弄")),
    ("上海上海市浦东新区世纪大道100号", ("上海市", "上海市", "浦东新区", "世纪大道100号")),
    ("上海浦东新区世纪大道100号", ("上海市", "上海市", "浦东新区", "世纪大道100号")),
    ("北京 北京市 朝阳区 建国路 88 号", ("北京市", "北京市", "朝阳区", "建国路 88 号")),
    ("北京市 市辖区 朝阳区 建国路 88 号", ("北京市", "北京市", "朝阳区", "建国路 88 号")),
    ("天津 天津市 和平区 南京路 1 号", ("天津市", "天津市", "和平区", "南京路 1 号")),
    ("重庆 重庆市 巫山县 巫峡镇 1 号", ("重庆市", "重庆市", "巫山县", "巫峡镇 1 号")),
    # Provinces, with and without their suffix, spaced or run together.
    ("浙江省 杭州市 西湖区 文三路 100 号", ("浙江省", "杭州市", "西湖区", "文三路 100 号")),
    ("浙江 杭州市 余杭区 文一西路 969 号", ("浙江省", "杭州市", "余杭区", "文一西路 969 号")),
    ("浙江省杭州市西湖区文三路100号", ("浙江省", "杭州市", "西湖区", "文三路100号")),
    ("广东省 深圳市 南山区 科技园南路 8 号", ("广东省", "深圳市", "南山区", "科技园南路 8 号")),
    # Autonomous regions, prefectures and leagues.
    ("内蒙古自治区 锡林郭勒盟 锡林浩特市 贝子庙街 1 号", ("内蒙古自治区", "锡林郭勒盟", "锡林浩特市", "贝子庙街 1 号")),
    ("内蒙古 呼和浩特市 新城区 新华大街 1 号", ("内蒙古自治区", "呼和浩特市", "新城区", "新华大街 1 号")),
    ("广西壮族自治区南宁市青秀区民族大道1号", ("广西壮族自治区", "南宁市", "青秀区", "民族大道1号")),
    ("广西 南宁市 青秀区 民族大道 1 号", ("广西壮族自治区", "南宁市", "青秀区", "民族大道 1 号")),
    ("新疆维吾尔自治区 乌鲁木齐市 天山区 解放路 1 号", ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", "解放路 1 号")),
    ("吉林省延边朝鲜族自治州延吉市光明街1号", ("吉林省", "延边朝鲜族自治州", "延吉市", "光明街1号")),
    ("西藏 阿里地区 噶尔县 狮泉河镇 1 号", ("西藏自治区", "阿里地区", "噶尔县", "狮泉河镇 1 号")),
    ("湖北省 恩施土家族苗族自治州 恩施市 舞阳大街 1 号", ("湖北省", "恩施土家族苗族自治州", "恩施市", "舞阳大街 1 号")),
    # Not a Chinese region: left whole.
    ("100 Main St Apt 5", ("", "", "", "100 Main St Apt 5")),
    ("文三路 100 号", ("", "", "", "文三路 100 号")),
    ("", ("", "", "", "")),
])
def test_law04_addresses_split_into_province_city_district(address, expected):
    assert split_address(address) == expected


@pytest.mark.parametrize(("address", "hidden", "kept"), [
    ("上海市浦东新区世纪大道100号中环国际广场2209", "2209", "世纪大道100号中环国际广场"),
    ("北京市朝阳区望京6号院3号楼1203", "1203", "望京6号院"),
    ("望京街道 6号院 3号楼 1203", "1203", "6号院"),
    ("文三路 100 号 3 单元 502", "502", "文三路 100 号"),
    ("文三路 100 号 3 单元 502 室", "502", "文三路 100 号"),
    ("小区12栋1203号", "1203", "小区"),
    ("新华大街 1 号 5-2-1203", "1203", "新华大街 1 号"),
    ("张江路 88 弄 6 号 1201", "1201", "张江路 88 弄"),
    ("中环国际广场2209）", "2209", "中环国际广场"),
    ("科技园南路8号2单元301室", "301", "科技园南路8号"),
    ("文三路 88-90 号 1 幢 101", "101", "88-90 号"),
    ("B座1203", "1203", ""),
])
def test_law04_masking_hides_units_and_rooms_written_any_way(address, hidden, kept):
    masked = mask_address(address)
    assert hidden not in masked and MASK in masked and kept in masked
    assert masking_mask_address(address) == masked  # one rule, whoever masks


ROOM = st.from_regex(r"\A[1-9][0-9]{0,5}\Z")
TAIL = st.sampled_from(["", "室", "房", "户", " ", "。", "）", " 室"])
PREFIX = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(prefix=PREFIX, room=ROOM, tail=TAIL)
def test_law04_masking_never_reveals_the_trailing_room_number(prefix, room, tail):
    """Whatever comes before it, the number an address ends with (the room) is hidden."""
    masked = mask_address(prefix + room + tail)
    assert masked.rstrip(" 。）室房户").endswith(MASK)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=120))
def test_law04_masking_and_splitting_never_raise(text):
    assert isinstance(mask_address(text), str)
    province, city, district, rest = split_address(text)
    assert len(province) <= 20 and len(city) <= 30 and len(district) <= 30
    if province:
        assert rest and rest in text
