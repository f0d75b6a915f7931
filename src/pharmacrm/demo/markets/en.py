"""English-speaking market (United Kingdom): region → city → district, Ltd/PLC, UK formats.

Chain and company names are invented; regions, towns and the 2024–2025 bank holidays of
England (Scotland's extra days are left out for one calendar) are real.
"""

from __future__ import annotations

import random

from pharmacrm.demo.markets import City, FlowLayout, Market, Region, holiday_dates

REGIONS = (
    Region(
        "GB-LDN",
        "London",
        (
            City(
                "GB-LDN-LON",
                "London",
                (
                    ("CMD", "Camden"),
                    ("ISL", "Islington"),
                    ("WSM", "Westminster"),
                    ("SWK", "Southwark"),
                    ("HCK", "Hackney"),
                ),
            ),
        ),
    ),  # fmt: skip
    Region(
        "GB-NW",
        "North West",
        (
            City(
                "GB-NW-MAN",
                "Manchester",
                (("DID", "Didsbury"), ("CHO", "Chorlton"), ("ANC", "Ancoats")),
            ),
            City("GB-NW-LIV", "Liverpool", (("ANF", "Anfield"), ("WAV", "Wavertree"))),
        ),
    ),
    Region(
        "GB-WM",
        "West Midlands",
        (
            City(
                "GB-WM-BHM",
                "Birmingham",
                (("EDG", "Edgbaston"), ("ERD", "Erdington"), ("MOS", "Moseley")),
            ),
            City("GB-WM-COV", "Coventry", (("EAR", "Earlsdon"), ("FOL", "Foleshill"))),
        ),
    ),
    Region(
        "GB-SCT",
        "Scotland",
        (
            City(
                "GB-SCT-GLA",
                "Glasgow",
                (("PAR", "Partick"), ("GOV", "Govan"), ("DEN", "Dennistoun")),
            ),
            City("GB-SCT-EDI", "Edinburgh", (("LEI", "Leith"), ("MOR", "Morningside"))),
        ),
    ),
    Region(
        "GB-YH",
        "Yorkshire and the Humber",
        (
            City("GB-YH-LDS", "Leeds", (("HEA", "Headingley"), ("ROU", "Roundhay"))),
            City("GB-YH-SHF", "Sheffield", (("HIL", "Hillsborough"), ("ECC", "Ecclesall"))),
        ),
    ),
)

_AREA = {"GB-LDN-LON": "020", "GB-NW-MAN": "0161", "GB-NW-LIV": "0151", "GB-WM-BHM": "0121",
         "GB-WM-COV": "024", "GB-SCT-GLA": "0141", "GB-SCT-EDI": "0131", "GB-YH-LDS": "0113",
         "GB-YH-SHF": "0114"}  # fmt: skip
_POSTCODE = {"GB-LDN-LON": "N", "GB-NW-MAN": "M", "GB-NW-LIV": "L", "GB-WM-BHM": "B",
             "GB-WM-COV": "CV", "GB-SCT-GLA": "G", "GB-SCT-EDI": "EH", "GB-YH-LDS": "LS",
             "GB-YH-SHF": "S"}  # fmt: skip


def _mobile(rng: random.Random) -> str:
    return f"07{rng.randrange(100, 1000)} {rng.randrange(100_000, 1_000_000)}"


def _landline(rng: random.Random, city_code: str) -> str:
    area = _AREA.get(city_code, "01632")
    if len(area) == 3:
        return f"{area} {rng.randrange(3000, 9000)} {rng.randrange(1000, 10000)}"
    return f"{area} {rng.randrange(200, 1000)} {rng.randrange(1000, 10000)}"


def _address(rng: random.Random, region: Region, city: City, district: str, street: str) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    outward = f"{_POSTCODE.get(city.code, 'N')}{rng.randrange(1, 20)}"
    inward = f"{rng.randrange(1, 10)}{rng.choice(letters)}{rng.choice(letters)}"
    return f"{rng.randrange(1, 300)} {street}, {district}, {city.name} {outward} {inward}"


def _outlet_name(brand: str, place: str, number: int) -> str:
    return f"{brand} Pharmacy {place} (No. {number})"


MARKET = Market(
    code="en",
    country="United Kingdom",
    country_code="GB",
    faker_locale="en_GB",
    currency="GBP",
    timezone="Europe/London",
    eur_rate=0.86,
    regions=REGIONS,
    company_legal_forms=("Ltd", "Limited", "PLC", "LLP"),
    pharmacy_legal_forms=("Ltd", "Limited"),
    chain_brands=("HealthFirst", "Wellway", "CareChem", "Greenleaf", "Northway", "Medico"),
    pharmacy_words=("Pharmacy", "Chemist", "Chemists"),
    distributor_words=("Pharmaceutical Wholesale", "Healthcare Distribution", "Pharma Supplies"),
    manufacturer_words=("Pharmaceuticals", "Laboratories", "Healthcare", "Life Sciences"),
    hospital_grades=("Teaching", "District General", "Specialist", "Community"),
    hospital_patterns=(
        "{city} Royal Infirmary",
        "{city} General Hospital",
        "St {name}'s Hospital",
        "{district} Community Hospital",
    ),  # fmt: skip
    clinic_patterns=("{district} Medical Centre", "{street} Surgery", "{district} Health Centre"),
    agency_patterns=("{province} Procurement Hub", "NHS Supply Partners {n}"),
    media_patterns=("{city} Pharmacy Gazette", "Pharma Trade Weekly {n}"),
    departments=(
        "Cardiology",
        "Endocrinology",
        "Respiratory Medicine",
        "Gastroenterology",
        "Neurology",
        "Paediatrics",
        "Obstetrics and Gynaecology",
        "Dermatology",
        "Orthopaedics",
        "Pharmacy",
        "Emergency Medicine",
        "Oncology",
    ),  # fmt: skip
    specialties=(
        "cardiology",
        "endocrinology",
        "respiratory",
        "gastroenterology",
        "neurology",
        "paediatrics",
        "obstetrics",
        "dermatology",
        "orthopaedics",
        "clinical pharmacy",
        "general practice",
        "oncology",
    ),  # fmt: skip
    hospital_titles=(
        "Consultant",
        "Specialty Doctor",
        "Chief Pharmacist",
        "Clinical Director",
        "Procurement Manager",
    ),  # fmt: skip
    pharmacy_titles=("Pharmacy Manager", "Superintendent Pharmacist", "Pharmacist", "Buyer"),
    company_titles=("Managing Director", "Commercial Director", "Purchasing Manager"),
    streets=(
        "High Street",
        "Station Road",
        "Church Lane",
        "Victoria Road",
        "Green Lane",
        "Park Road",
        "London Road",
        "Manor Road",
        "Queen Street",
        "King Street",
        "Mill Lane",
        "New Road",
    ),  # fmt: skip
    holidays=holiday_dates(
        ("2024-01-01", "2024-01-01"),
        ("2024-03-29", "2024-03-29"),
        ("2024-04-01", "2024-04-01"),
        ("2024-05-06", "2024-05-06"),
        ("2024-05-27", "2024-05-27"),
        ("2024-08-26", "2024-08-26"),
        ("2024-12-25", "2024-12-26"),
        ("2025-01-01", "2025-01-01"),
        ("2025-04-18", "2025-04-18"),
        ("2025-04-21", "2025-04-21"),
        ("2025-05-05", "2025-05-05"),
        ("2025-05-26", "2025-05-26"),
        ("2025-08-25", "2025-08-25"),
        ("2025-12-25", "2025-12-26"),
    ),  # fmt: skip
    messenger="whatsapp",
    online_stores=(
        ("marketplace", "Amazon storefront"),
        ("marketplace", "eBay official shop"),
        ("web_shop", "Online pharmacy"),
        ("o2o", "Deliveroo pharmacy"),
        ("o2o", "Uber Eats pharmacy"),
    ),
    flow_layouts=(
        FlowLayout(
            "en-utf8",
            "csv",
            "utf-8",
            ",",
            "%d/%m/%Y",
            False,
            {
                "day": "Invoice Date",
                "terminal_name": "Customer Name",
                "terminal_address": "Delivery Address",
                "terminal_phone": "Phone",
                "product_raw": "Description",
                "sku_code": "PIP Code",
                "qty": "Units",
                "amount": "Net Value",
            },
        ),  # fmt: skip
        FlowLayout(
            "en-utf8bom-semicolon",
            "csv",
            "utf-8-sig",
            ";",
            "%Y-%m-%d",
            False,
            {
                "day": "date",
                "terminal_name": "account",
                "terminal_region": "region",
                "product_raw": "item",
                "qty": "qty",
                "amount": "value",
            },
        ),  # fmt: skip
        FlowLayout(
            "en-xlsx",
            "xlsx",
            "",
            "",
            "%d-%b-%Y",
            False,
            {
                "day": "Date",
                "terminal_name": "Ship-To Name",
                "terminal_address": "Ship-To Address",
                "product_raw": "Product Description",
                "sku_code": "Product Code",
                "qty": "Quantity",
                "amount": "Sales Value",
            },
        ),  # fmt: skip
    ),
    abbreviations=(
        ("Pharmacy", "Pharm."),
        ("Limited", "Ltd"),
        ("Street", "St"),
        ("Road", "Rd"),
        ("Lane", "Ln"),
        ("Hospital", "Hosp."),
        ("Medical Centre", "Med Ctr"),
        ("No. ", "#"),
    ),
    mobile_phone=_mobile,
    landline_phone=_landline,
    address=_address,
    outlet_name=_outlet_name,
)
