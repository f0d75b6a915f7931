"""Russian-speaking market: oblast → city, ООО/АО legal forms, cp1251 flow reports.

Chain and company names are invented; regions, legal forms and the public holidays of the
Labour Code (art. 112, with the 2024 and 2025 transfer calendars) are real.
"""

from __future__ import annotations

import random

from pharmacrm.demo.markets import City, FlowLayout, Market, Region, holiday_dates

REGIONS = (
    Region("RU-MOW", "г. Москва", (City("RU-MOW-MSK", "Москва"),)),
    Region(
        "RU-MOS",
        "Московская область",
        (
            City("RU-MOS-KHI", "Химки"),
            City("RU-MOS-POD", "Подольск"),
            City("RU-MOS-BAL", "Балашиха"),
        ),
    ),
    Region("RU-SPE", "г. Санкт-Петербург", (City("RU-SPE-SPB", "Санкт-Петербург"),)),
    Region(
        "RU-SVE",
        "Свердловская область",
        (City("RU-SVE-EKB", "Екатеринбург"), City("RU-SVE-NTG", "Нижний Тагил")),
    ),
    Region(
        "RU-NVS",
        "Новосибирская область",
        (City("RU-NVS-NSK", "Новосибирск"), City("RU-NVS-BRD", "Бердск")),
    ),
    Region(
        "RU-TA",
        "Республика Татарстан",
        (City("RU-TA-KZN", "Казань"), City("RU-TA-NCH", "Набережные Челны")),
    ),
)


def _mobile(rng: random.Random) -> str:
    n = rng.randrange(10_000_000)
    return f"+7 (9{rng.randrange(10, 100)}) {n // 10000:03d}-{n // 100 % 100:02d}-{n % 100:02d}"


_AREA = {"RU-MOW-MSK": "495", "RU-SPE-SPB": "812", "RU-SVE-EKB": "343", "RU-NVS-NSK": "383",
         "RU-TA-KZN": "843"}  # fmt: skip


def _landline(rng: random.Random, city_code: str) -> str:
    n = rng.randrange(2_000_000, 10_000_000)
    area = _AREA.get(city_code, "496")
    return f"+7 ({area}) {n // 10000:03d}-{n // 100 % 100:02d}-{n % 100:02d}"


def _address(rng: random.Random, region: Region, city: City, district: str, street: str) -> str:
    # A federal city is its own region: "г. Москва, ул. Ленина, д. 5", not "г. Москва, г. Москва".
    federal_city = region.name.startswith("г.")
    head = f"г. {city.name}" if federal_city else f"{region.name}, г. {city.name}"
    return f"{head}, {street}, д. {rng.randrange(1, 150)}"


def _outlet_name(brand: str, place: str, number: int) -> str:
    return f"Аптека «{brand}» № {number}"


MARKET = Market(
    code="ru",
    country="Россия",
    country_code="RU",
    faker_locale="ru_RU",
    currency="RUB",
    timezone="Europe/Moscow",
    eur_rate=70.0,
    regions=REGIONS,
    company_legal_forms=("ООО", "АО", "ПАО"),
    pharmacy_legal_forms=("ООО", "ИП"),
    chain_brands=(
        "Здоровье+",
        "Фарма-Плюс",
        "Доктор Рядом",
        "Аптека Низких Цен",
        "Вита-Мед",
        "Лекарь",
    ),
    pharmacy_words=("Аптека", "Аптечный пункт", "Аптека-магазин"),
    distributor_words=("Фармдистрибуция", "Фарм-Трейд", "Медснаб", "Фармкомплект"),
    manufacturer_words=("Фармстандарт", "Биофарм", "Химфармзавод", "Фармацевт"),
    hospital_grades=("федеральная", "областная", "городская", "районная"),
    hospital_patterns=(
        "ГБУЗ «Городская клиническая больница № {n}»",
        "ГБУЗ «Областная больница № {n}»",
        "ГАУЗ «Детская поликлиника № {n}»",
        "ГБУЗ «Родильный дом № {n}»",
    ),  # fmt: skip
    clinic_patterns=(
        "Клиника «Медицина-{n}»",
        "Медицинский центр «Здоровье {city}»",
        "Стоматология «Дента-{n}»",
    ),  # fmt: skip
    agency_patterns=("ГКУ «Дирекция по закупкам {province}»", "Тендерное агентство «Госзаказ-{n}»"),
    media_patterns=("Журнал «Фармацевтический вестник {city}»", "Портал «Аптека-{n}»"),
    departments=(
        "кардиология",
        "эндокринология",
        "пульмонология",
        "гастроэнтерология",
        "неврология",
        "педиатрия",
        "гинекология",
        "дерматология",
        "травматология",
        "аптека",
        "приёмное отделение",
        "онкология",
    ),  # fmt: skip
    specialties=(
        "кардиолог",
        "эндокринолог",
        "пульмонолог",
        "гастроэнтеролог",
        "невролог",
        "педиатр",
        "гинеколог",
        "дерматолог",
        "травматолог",
        "провизор",
        "терапевт",
        "онколог",
    ),  # fmt: skip
    hospital_titles=(
        "заведующий отделением",
        "врач",
        "главный врач",
        "заместитель главного врача",
        "заведующий аптекой",
    ),  # fmt: skip
    pharmacy_titles=("заведующий аптекой", "провизор", "фармацевт", "категорийный менеджер"),
    company_titles=("генеральный директор", "коммерческий директор", "менеджер по закупкам"),
    streets=(
        "ул. Ленина",
        "пр. Мира",
        "ул. Советская",
        "ул. Гагарина",
        "ул. Пушкина",
        "ул. Садовая",
        "Ленинградский пр.",
        "ул. Кирова",
        "ул. Молодёжная",
        "ул. Лесная",
        "Комсомольский пр.",
        "ул. Победы",
    ),  # fmt: skip
    holidays=holiday_dates(
        ("2024-01-01", "2024-01-08"),
        ("2024-02-23", "2024-02-23"),
        ("2024-03-08", "2024-03-08"),
        ("2024-04-29", "2024-05-01"),
        ("2024-05-09", "2024-05-12"),
        ("2024-06-12", "2024-06-12"),
        ("2024-11-04", "2024-11-04"),
        ("2024-12-30", "2024-12-31"),
        ("2025-01-01", "2025-01-08"),
        ("2025-02-23", "2025-02-23"),
        ("2025-03-08", "2025-03-08"),
        ("2025-05-01", "2025-05-04"),
        ("2025-05-08", "2025-05-11"),
        ("2025-06-12", "2025-06-15"),
        ("2025-11-02", "2025-11-04"),
        ("2025-12-31", "2025-12-31"),
    ),  # fmt: skip
    messenger="telegram",
    online_stores=(
        ("marketplace", "Ozon: официальный магазин"),
        ("marketplace", "Wildberries: официальный магазин"),
        ("web_shop", "Интернет-аптека"),
        ("o2o", "Яндекс Еда: аптека"),
        ("o2o", "Самокат: аптека"),
    ),
    flow_layouts=(
        FlowLayout(
            "ru-cp1251",
            "csv",
            "cp1251",
            ";",
            "%d.%m.%Y",
            True,
            {
                "day": "Дата отгрузки",
                "terminal_name": "Грузополучатель",
                "terminal_address": "Адрес доставки",
                "terminal_phone": "Телефон",
                "product_raw": "Наименование товара",
                "sku_code": "Код товара",
                "qty": "Количество",
                "amount": "Сумма, руб.",
            },
        ),  # fmt: skip
        FlowLayout(
            "ru-xlsx",
            "xlsx",
            "",
            "",
            "%d.%m.%Y",
            True,
            {
                "day": "Дата",
                "terminal_name": "Клиент",
                "terminal_region": "Регион",
                "terminal_address": "Адрес",
                "product_raw": "Товар",
                "qty": "Кол-во",
                "amount": "Сумма",
            },
        ),  # fmt: skip
        FlowLayout(
            "ru-utf8-en",
            "csv",
            "utf-8",
            ",",
            "%Y-%m-%d",
            False,
            {
                "day": "ship_date",
                "terminal_name": "customer_name",
                "terminal_address": "customer_address",
                "product_raw": "product",
                "sku_code": "product_code",
                "qty": "quantity",
                "amount": "net_amount",
            },
        ),  # fmt: skip
    ),
    abbreviations=(
        ("Общество с ограниченной ответственностью", "ООО"),
        ("Аптека", "Апт."),
        ("Городская клиническая больница", "ГКБ"),
        ("ул. ", "улица "),
        ("пр. ", "проспект "),
        (" № ", " №"),
        ("ГБУЗ ", ""),
    ),
    mobile_phone=_mobile,
    landline_phone=_landline,
    address=_address,
    outlet_name=_outlet_name,
)
