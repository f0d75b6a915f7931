"""China: province → city → district, 三级甲等 hospital grades, GBK and UTF-8 flow reports.

Chain and company names are invented; places, legal forms, grades and holidays are real
(public holidays of the State Council calendars 2024 and 2025).
"""

from __future__ import annotations

import random

from pharmacrm.demo.markets import City, FlowLayout, Market, Region, holiday_dates

REGIONS = (
    Region(
        "CN-ZJ",
        "浙江省",
        (
            City(
                "CN-ZJ-HZ",
                "杭州市",
                (("XH", "西湖区"), ("SC", "上城区"), ("GS", "拱墅区"), ("BJ", "滨江区")),
            ),
            City("CN-ZJ-NB", "宁波市", (("HS", "海曙区"), ("YZ", "鄞州区"), ("JB", "江北区"))),
        ),
    ),
    Region(
        "CN-JS",
        "江苏省",
        (
            City("CN-JS-NJ", "南京市", (("XW", "玄武区"), ("GL", "鼓楼区"), ("QH", "秦淮区"))),
            City("CN-JS-SZ", "苏州市", (("GS", "姑苏区"), ("WZ", "吴中区"), ("XC", "相城区"))),
        ),
    ),
    Region(
        "CN-GD",
        "广东省",
        (
            City(
                "CN-GD-GZ",
                "广州市",
                (("TH", "天河区"), ("YX", "越秀区"), ("HZ", "海珠区"), ("BY", "白云区")),
            ),
            City("CN-GD-SZ", "深圳市", (("FT", "福田区"), ("NS", "南山区"), ("LH", "罗湖区"))),
        ),
    ),
    Region(
        "CN-SC",
        "四川省",
        (
            City(
                "CN-SC-CD",
                "成都市",
                (("JJ", "锦江区"), ("WH", "武侯区"), ("QY", "青羊区"), ("JN", "金牛区")),
            ),
            City("CN-SC-MY", "绵阳市", (("FC", "涪城区"), ("YX", "游仙区"))),
        ),
    ),
    Region(
        "CN-BJ",
        "北京市",
        (
            City(
                "CN-BJ-BJ",
                "北京市",
                (("CY", "朝阳区"), ("HD", "海淀区"), ("DC", "东城区"), ("XC", "西城区")),
            ),
        ),
    ),
)


def _mobile(rng: random.Random) -> str:
    prefix = rng.choice(
        ("133", "135", "138", "139", "150", "152", "158", "177", "180", "186", "189")
    )
    return f"{prefix}{rng.randrange(10_000_000, 100_000_000)}"


_AREA = {"CN-ZJ-HZ": "0571", "CN-ZJ-NB": "0574", "CN-JS-NJ": "025", "CN-JS-SZ": "0512",
         "CN-GD-GZ": "020", "CN-GD-SZ": "0755", "CN-SC-CD": "028", "CN-SC-MY": "0816",
         "CN-BJ-BJ": "010"}  # fmt: skip


def _landline(rng: random.Random, city_code: str) -> str:
    area = _AREA.get(city_code, "010")
    digits = 7 if area == "0816" else 8  # smaller prefectures kept 7-digit local numbers
    return f"{area}-{rng.randrange(10 ** (digits - 1) * 2, 10**digits)}"


def _address(rng: random.Random, region: Region, city: City, district: str, street: str) -> str:
    province = "" if region.name == city.name else region.name
    return f"{province}{city.name}{district}{street}{rng.randrange(1, 400)}号"


def _outlet_name(brand: str, place: str, number: int) -> str:
    return f"{brand}大药房连锁有限公司{place}{number}号店"


MARKET = Market(
    code="cn",
    country="中国",
    country_code="CN",
    faker_locale="zh_CN",
    currency="CNY",
    timezone="Asia/Shanghai",
    eur_rate=7.0,
    regions=REGIONS,
    company_legal_forms=("有限公司", "有限责任公司", "股份有限公司"),
    pharmacy_legal_forms=("有限公司", "个体工商户"),
    chain_brands=("康泰", "仁心堂", "益民", "百草堂", "济生", "华康"),
    pharmacy_words=("大药房", "药店", "医药商店", "药房"),
    distributor_words=("医药", "医药商业", "医药物流", "药业"),
    manufacturer_words=("制药", "药业", "生物制药", "医药科技"),
    hospital_grades=("三级甲等", "三级乙等", "二级甲等", "二级乙等", "一级甲等"),
    hospital_patterns=(
        "{city}第{n}人民医院",
        "{city}中医院",
        "{district}人民医院",
        "{city}妇幼保健院",
    ),
    clinic_patterns=("{district}社区卫生服务中心", "{street}诊所", "{district}口腔门诊部"),
    agency_patterns=("{city}公共资源交易中心", "{province}药品集中采购平台"),
    media_patterns=("{city}健康报", "{province}医药导报"),
    departments=(
        "心内科",
        "内分泌科",
        "呼吸内科",
        "消化内科",
        "神经内科",
        "儿科",
        "妇产科",
        "皮肤科",
        "骨科",
        "药剂科",
        "急诊科",
        "肿瘤科",
    ),  # fmt: skip
    specialties=(
        "心血管",
        "内分泌",
        "呼吸",
        "消化",
        "神经",
        "儿科",
        "妇产",
        "皮肤",
        "骨科",
        "临床药学",
        "急诊",
        "肿瘤",
    ),  # fmt: skip
    hospital_titles=("主任医师", "副主任医师", "主治医师", "科主任", "药剂科主任", "采购科长"),
    pharmacy_titles=("店长", "执业药师", "采购经理", "营运总监", "品类经理"),
    company_titles=("总经理", "采购总监", "销售经理", "商务经理"),
    streets=(
        "中山路",
        "人民路",
        "解放路",
        "建设路",
        "和平路",
        "新华路",
        "文化路",
        "长江路",
        "延安路",
        "环城北路",
        "学院路",
        "光明街",
    ),  # fmt: skip
    holidays=holiday_dates(
        ("2024-01-01", "2024-01-01"),
        ("2024-02-10", "2024-02-17"),
        ("2024-04-04", "2024-04-06"),
        ("2024-05-01", "2024-05-05"),
        ("2024-06-10", "2024-06-10"),
        ("2024-09-15", "2024-09-17"),
        ("2024-10-01", "2024-10-07"),
        ("2025-01-01", "2025-01-01"),
        ("2025-01-28", "2025-02-04"),
        ("2025-04-04", "2025-04-06"),
        ("2025-05-01", "2025-05-05"),
        ("2025-05-31", "2025-06-02"),
        ("2025-10-01", "2025-10-08"),
    ),  # fmt: skip
    messenger="wechat",
    online_stores=(
        ("marketplace", "天猫旗舰店"),
        ("marketplace", "京东旗舰店"),
        ("web_shop", "官方商城"),
        ("o2o", "美团买药"),
        ("o2o", "饿了么"),
    ),
    flow_layouts=(
        FlowLayout(
            "cn-gbk",
            "csv",
            "gbk",
            ",",
            "%Y/%m/%d",
            False,
            {
                "day": "销售日期",
                "terminal_name": "客户名称",
                "terminal_address": "客户地址",
                "product_raw": "品名规格",
                "sku_code": "商品编码",
                "qty": "数量",
                "amount": "金额",
            },
        ),  # fmt: skip
        FlowLayout(
            "cn-utf8bom",
            "csv",
            "utf-8-sig",
            ",",
            "%Y%m%d",
            False,
            {
                "day": "日期",
                "terminal_name": "终端名称",
                "terminal_region": "所在地区",
                "terminal_phone": "联系电话",
                "product_raw": "产品名称",
                "qty": "销量",
                "amount": "销售额",
            },
        ),  # fmt: skip
        FlowLayout(
            "cn-xlsx-en",
            "xlsx",
            "",
            "",
            "%Y-%m-%d",
            False,
            {
                "day": "Date",
                "terminal_name": "Customer",
                "terminal_address": "Address",
                "product_raw": "Product",
                "sku_code": "Item Code",
                "qty": "Qty",
                "amount": "Amount",
            },
        ),  # fmt: skip
    ),
    abbreviations=(
        ("大药房连锁有限公司", "大药房"),
        ("有限责任公司", ""),
        ("有限公司", ""),
        ("连锁", ""),
        ("人民医院", "人医"),
        ("社区卫生服务中心", "社区医院"),
        ("第一", "一"),
    ),
    mobile_phone=_mobile,
    landline_phone=_landline,
    address=_address,
    outlet_name=_outlet_name,
    uses_fullwidth_brackets=True,
)
