"""Import kinds ``accounts``, ``contacts``, ``consumers`` and the registry adapters for accounts.

Accounts are upserted by their external ``code`` in bulk (one transaction per file; rows equal
to what is stored write nothing, not even an audit entry). The registry adapters read public
lists as they are published and build their own region nodes (flagged for review):

* ``nhs-ods`` — NHS England ODS dispensing contractors (headerless 27-field CSV): one account
  per ODS code, so the 1,841 pharmacies named ``BOOTS`` stay 1,841 accounts; the parent
  organisation code (field 15) becomes a pharmacy-chain account, named after the name most of
  its pharmacies carry; region = national grouping (field 3) → ICB (field 4);
* ``cms-hospitals`` — CMS Hospital General Information: CCN as the code, state as region;
* ``beijing-insurance`` — Beijing medical-insurance designated institutions: the 8-digit
  insurance code, Chinese names, district as region, category → hospital or clinic.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import polars as pl
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from pharmacrm.accounts.models import (
    Account,
    AccountKind,
    AccountStatus,
    AccountTier,
    Consumer,
    Contact,
    Gender,
    Grade,
)
from pharmacrm.accounts.search import search_key
from pharmacrm.catalog.master_import import (
    MasterKind,
    RunContext,
    StoreCounts,
    empty_error_frame,
    error_frame,
    register_master_kind,
)
from pharmacrm.core.importkit.fields import FieldSpec
from pharmacrm.core.importkit.mapping import ColumnMapping
from pharmacrm.core.importkit.readers import ROW, ReadOptions
from pharmacrm.core.importkit.registry import Adapter, register_adapter
from pharmacrm.territories import imports as territory_imports
from pharmacrm.territories.imports import RegionNode

BATCH = 2000

KIND_TIERS = {
    AccountKind.MANUFACTURER: AccountTier.UPSTREAM,
    AccountKind.DISTRIBUTOR: AccountTier.DOWNSTREAM,
    AccountKind.HOSPITAL: AccountTier.TERMINAL,
    AccountKind.CLINIC: AccountTier.TERMINAL,
    AccountKind.PHARMACY: AccountTier.TERMINAL,
    AccountKind.PHARMACY_CHAIN: AccountTier.TERMINAL,
    AccountKind.ONLINE_STORE: AccountTier.TERMINAL,
    AccountKind.TENDER_AGENCY: AccountTier.PERIPHERAL,
    AccountKind.MEDIA: AccountTier.PERIPHERAL,
    AccountKind.OTHER: AccountTier.PERIPHERAL,
}
"""The usual tier of each kind, used when a file gives a kind but no tier."""


def account_ids_by_code(*, codes: Iterable[str]) -> dict[str, int]:
    """Map external account codes to ids; unknown codes are absent."""
    wanted = list(dict.fromkeys(code for code in codes if code))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        found.update(Account.objects.filter(code__in=chunk).values_list("code", "pk"))
    return found


def consumer_ids_by_card(*, card_nos: Iterable[str]) -> dict[str, int]:
    """Map loyalty card numbers to consumer ids; unknown cards are absent.

    For resolving imported facts (no person is looking, so no role scope applies and no
    personal data leaves: only the card number the file already holds and the id).
    """
    wanted = list(dict.fromkeys(card for card in card_nos if card))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        found.update(Consumer.objects.filter(card_no__in=chunk).values_list("card_no", "pk"))
    return found


def _choice(
    frame: pl.DataFrame,
    context: RunContext,
    field: str,
    choices: Iterable[tuple[str, Any]],
    errors: list[pl.DataFrame],
) -> pl.DataFrame:
    """Accept a choice by value or label (any case); report anything else."""
    aliases: dict[str, str] = {}
    for value, label in choices:
        aliases[str(value).casefold()] = str(value)
        aliases[str(label).casefold()] = str(value)
    raw = frame.get_column(field)
    mapped = raw.str.to_lowercase().replace_strict(
        list(aliases), list(aliases.values()), default=None, return_dtype=pl.String
    )
    bad = raw.is_not_null() & mapped.is_null()
    known = ", ".join(dict.fromkeys(str(value) for value, _label in choices))
    errors.append(
        error_frame(
            frame.get_column(ROW).filter(bad),
            context.column(field),
            raw.filter(bad),
            f"unknown {field}; expected one of: {known}",
        )
    )
    return frame.with_columns(mapped.alias(field))


def _resolve_regions(
    frame: pl.DataFrame, context: RunContext, errors: list[pl.DataFrame]
) -> pl.DataFrame:
    """Add ``_territory_id`` (or ``_region_new``) for the ``region`` column.

    Unknown regions are bad rows unless the import may create them; adapters declare theirs
    in ``state["regions"]``, a generic file with ``--create-regions`` gets one top-level node
    per unknown value.
    """
    regions = frame.get_column("region")
    declared: dict[str, RegionNode] = context.state.get("regions", {})  # type: ignore[assignment]
    known = territory_imports.territory_ids_by_region(values=regions.drop_nulls().unique())
    ids = regions.replace_strict(
        list(known), list(known.values()), default=None, return_dtype=pl.Int64
    )
    unknown = (
        regions.is_not_null()
        & ids.is_null()
        & ~regions.is_in(pl.Series(list(declared), dtype=pl.String).implode())
    )
    if not context.create_regions:
        errors.append(
            error_frame(
                frame.get_column(ROW).filter(unknown),
                context.column("region"),
                regions.filter(unknown),
                "unknown region: no territory has this code or name "
                "(add it to the territory tree, or import with --create-regions)",
            )
        )
    else:
        for value in regions.filter(unknown).unique().to_list():
            declared[value] = RegionNode(code=value[:64], name=value)
        context.state["regions"] = declared
    return frame.with_columns(ids.alias("_territory_id"))


# ---------------------------------------------------------------------- accounts

ACCOUNT_FIELDS = (
    FieldSpec("code", "code", required=True, synonyms=("account code", "客户编码", "код клиента")),
    FieldSpec(
        "name",
        "text",
        required=True,
        synonyms=("account name", "organisation", "客户名称", "名称", "наименование"),
    ),
    FieldSpec("kind", "text", synonyms=("type", "account type", "类型", "тип")),
    FieldSpec("tier", "text", synonyms=("层级", "уровень")),
    FieldSpec("parent_code", "code", synonyms=("parent", "chain", "上级", "总部", "сеть")),
    FieldSpec("region", "text", synonyms=("territory", "区域", "地区", "регион")),
    FieldSpec("province", "text", synonyms=("state", "省", "省份", "область")),
    FieldSpec("city", "text", synonyms=("town", "城市", "город")),
    FieldSpec("district", "text", synonyms=("区县", "区", "район")),
    FieldSpec("address", "text", synonyms=("地址", "адрес")),
    FieldSpec("postcode", "code", synonyms=("zip", "zip code", "邮编", "индекс")),
    FieldSpec("phone", "text", synonyms=("telephone", "电话", "телефон")),
    FieldSpec("status", "text", synonyms=("状态", "статус")),
    FieldSpec("status_changed_on", "date", synonyms=("status date", "状态日期", "дата статуса")),
    FieldSpec("grade", "text", synonyms=("等级", "класс")),
    FieldSpec("hospital_grade", "text", synonyms=("医院等级", "level")),
    FieldSpec("beds", "int", minimum=0.0, synonyms=("床位", "койки")),
)

ACCOUNT_TEXT_FIELDS = ("province", "city", "district", "address", "postcode", "phone",
                       "hospital_grade")  # fmt: skip


def _check_accounts(frame: pl.DataFrame, context: RunContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    errors = [empty_error_frame()]
    frame = _choice(frame, context, "kind", AccountKind.choices, errors)
    frame = _choice(frame, context, "tier", AccountTier.choices, errors)
    frame = _choice(frame, context, "status", AccountStatus.choices, errors)
    frame = _choice(frame, context, "grade", Grade.choices, errors)
    frame = frame.with_columns(pl.col("kind").fill_null(AccountKind.OTHER))
    frame = frame.with_columns(
        pl.col("tier").fill_null(
            pl.col("kind").replace_strict(
                {str(k): str(v) for k, v in KIND_TIERS.items()}, return_dtype=pl.String
            )
        )
    )
    frame = _resolve_regions(frame, context, errors)
    parents = frame.get_column("parent_code")
    chains: dict[str, str] = context.state.get("chains", {})  # type: ignore[assignment]
    in_file = set(frame.get_column("code").to_list()) | set(chains)
    stored = account_ids_by_code(codes=parents.drop_nulls().unique().to_list())
    unknown = parents.is_not_null() & ~parents.is_in(
        pl.Series(list(in_file | set(stored)), dtype=pl.String).implode()
    )
    errors.append(
        error_frame(
            frame.get_column(ROW).filter(unknown),
            context.column("parent_code"),
            parents.filter(unknown),
            "unknown parent account: not in this file and not stored",
        )
    )
    return frame, pl.concat(errors)


def _account_values(record: dict[str, Any], context: RunContext) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": record["name"],
        "kind": record["kind"],
        "tier": record["tier"],
    }
    for name in ACCOUNT_TEXT_FIELDS:
        if context.mapped(name):
            values[name] = record[name] or ""
    if context.mapped("grade"):
        values["grade"] = record["grade"] or ""
    if context.mapped("beds"):
        values["beds"] = record["beds"]
    return values


def accounts_upsert(
    *, rows: list[dict[str, Any]], context: RunContext, fields: set[str]
) -> tuple[StoreCounts, dict[str, int]]:
    """Bulk upsert accounts by code: create new ones, update the ``fields`` that differ.

    ``rows`` carry ``code`` and values (``parent_id``, ``territory_id`` as ids). New accounts
    take ``status`` (default prospect); stored ones keep theirs (status moves have their own
    service with its transition rules). Returns the counts and code → id of every row.
    """
    existing: dict[str, Account] = {}
    codes = [row["code"] for row in rows]
    for start in range(0, len(codes), BATCH):
        chunk = codes[start : start + BATCH]
        existing.update((a.code, a) for a in Account.objects.filter(code__in=chunk))
    to_create: list[Account] = []
    to_update: list[Account] = []
    changed: set[str] = set()
    for row in rows:
        account = existing.get(row["code"])
        values = {name: row[name] for name in fields if name in row}
        if account is None:
            account = Account(
                code=row["code"],
                status=row.get("status") or AccountStatus.PROSPECT,
                status_reason=row.get("status_reason") or "",
                status_changed_on=row.get("status_changed_on"),
                **values,
            )
            account.search_key = search_key(
                account.name, account.code, account.city, account.district
            )
            to_create.append(account)
            continue
        differing = {name for name, value in values.items() if getattr(account, name) != value}
        if differing:
            for name in differing:
                setattr(account, name, values[name])
            account.search_key = search_key(
                account.name, account.code, account.city, account.district
            )
            changed |= differing
            to_update.append(account)
    if to_create:
        bulk_create_with_history(to_create, Account, batch_size=BATCH, default_user=context.by)
    if to_update:
        bulk_update_with_history(
            to_update,
            Account,
            sorted({*changed, "search_key", "updated_at"}),
            batch_size=BATCH,
            default_user=context.by,
        )
    ids = account_ids_by_code(codes=codes)
    unchanged = len(rows) - len(to_create) - len(to_update)
    return StoreCounts(len(to_create), len(to_update), unchanged), ids


def _store_accounts(frame: pl.DataFrame, context: RunContext) -> StoreCounts:
    """Regions first, then chains an adapter found, then accounts, then their parents."""
    regions: dict[str, RegionNode] = context.state.get("regions", {})  # type: ignore[assignment]
    region_ids = territory_imports.territory_ensure_nodes(by=context.by, nodes=regions)
    if context.state.get("chains"):
        chain_rows = [
            {"code": code, "name": name, "kind": AccountKind.PHARMACY_CHAIN,
             "tier": AccountTier.TERMINAL, "status": AccountStatus.ACTIVE}
            for code, name in sorted(context.state["chains"].items())  # type: ignore[attr-defined]
        ]  # fmt: skip
        accounts_upsert(rows=chain_rows, context=context, fields={"name", "kind", "tier"})
    fields = {"name", "kind", "tier", *(n for n in ACCOUNT_TEXT_FIELDS if context.mapped(n))}
    if context.mapped("grade"):
        fields.add("grade")
    if context.mapped("beds"):
        fields.add("beds")
    if context.mapped("region"):
        fields.add("territory_id")
    parents = account_ids_by_code(codes=frame.get_column("parent_code").drop_nulls().unique())
    rows = []
    late_parents: dict[str, str] = {}
    for record in frame.iter_rows(named=True):
        row = {"code": record["code"], **_account_values(record, context)}
        if context.mapped("region"):
            region = record["region"]
            row["territory_id"] = record["_territory_id"] or region_ids.get(region or "")
        if record["status"]:
            row["status"] = record["status"]
            row["status_changed_on"] = record["status_changed_on"]
            if record["status"] == AccountStatus.TERMINATED:
                row["status_reason"] = context.state.get("terminated_reason", "imported")
        parent_code = record["parent_code"]
        if context.mapped("parent_code"):
            if parent_code in parents or not parent_code:
                row["parent_id"] = parents.get(parent_code) if parent_code else None
            else:
                late_parents[record["code"]] = parent_code
        rows.append(row)
    if context.mapped("parent_code"):
        fields.add("parent_id")
    return _upsert_parents_first(
        rows=rows, late_parents=late_parents, context=context, fields=fields
    )


def _upsert_parents_first(
    *,
    rows: list[dict[str, Any]],
    late_parents: dict[str, str],
    context: RunContext,
    fields: set[str],
) -> StoreCounts:
    """Upsert ``rows`` so that a parent named by rows of the same file is written before them.

    ``late_parents`` maps the code of each row whose parent is another row of this file to
    that parent's code. Rows go in waves: first every row whose parent is stored or absent,
    then the rows whose parents the previous wave wrote (a chain of chains takes one more
    wave), so each outlet is written once, with its parent, and audited once. Writing outlets
    first and linking them in a second pass cost a 2,000-way ``CASE`` update per batch (over
    5 minutes for 35 k outlets in the 100 k-row bench). Rows in a cycle (A under B, B under A)
    never become ready: they are written without the parent and linked afterwards.
    """
    totals = StoreCounts()
    wave = [row for row in rows if row["code"] not in late_parents]
    pending = [row for row in rows if row["code"] in late_parents]
    while wave:
        counts, ids = accounts_upsert(rows=wave, context=context, fields=fields)
        totals = StoreCounts(
            totals.created + counts.created,
            totals.updated + counts.updated,
            totals.unchanged + counts.unchanged,
        )
        ready: list[dict[str, Any]] = []
        waiting: list[dict[str, Any]] = []
        for row in pending:
            parent_id = ids.get(late_parents[row["code"]])
            if parent_id is None:
                waiting.append(row)
            else:
                ready.append({**row, "parent_id": parent_id})
        wave, pending = ready, waiting
    if pending:
        counts, ids = accounts_upsert(rows=pending, context=context, fields=fields)
        totals = StoreCounts(
            totals.created + counts.created,
            totals.updated + counts.updated,
            totals.unchanged + counts.unchanged,
        )
        linked = [
            {**row, "parent_id": ids[late_parents[row["code"]]]}
            for row in pending
            if late_parents[row["code"]] in ids
        ]
        accounts_upsert(rows=linked, context=context, fields={"parent_id"})
    return totals


ACCOUNTS = MasterKind(
    name="accounts",
    fields=ACCOUNT_FIELDS,
    key="code",
    check=_check_accounts,
    store=_store_accounts,
    description="organisations (suppliers, distributors, hospitals, pharmacies …) by code",
)


# --------------------------------------------------------------- registry adapters

NHS_COLUMNS = tuple(f"column_{index}" for index in range(1, 28))
NHS_STATUS = {"A": AccountStatus.ACTIVE, "C": AccountStatus.TERMINATED, "P": AccountStatus.PROSPECT}


def _nhs_prepare(frame: pl.DataFrame, state: dict[str, object]) -> pl.DataFrame:
    """Codes with an ``ODS-`` prefix, address lines joined, regions and chains collected."""
    regions: dict[str, RegionNode] = state.setdefault("regions", {})  # type: ignore[assignment]
    regions.setdefault("GB-ENG", RegionNode("GB-ENG", "England", "country"))
    # A grouping code may also be used as an ICB code (``Y56`` is both in the file): each
    # level gets its own code space so the 20 groupings and 124 ICBs stay distinct nodes.
    for grouping, icb in frame.select("column_3", "column_4").unique().iter_rows():
        parent = "GB-ENG"
        if grouping:
            parent = f"ODS-NG-{grouping}"
            regions.setdefault(parent, RegionNode(parent, grouping, "region", "GB-ENG"))
        if icb:
            code = f"ODS-ICB-{icb}"
            regions.setdefault(code, RegionNode(code, icb, "province", parent))
    names: pl.DataFrame = state.get("chain_names", pl.DataFrame())  # type: ignore[assignment]
    counted = (
        frame.filter(pl.col("column_15").str.len_chars() > 0)
        .group_by("column_15", "column_2")
        .len()
    )
    names = pl.concat([names, counted]) if names.height else counted
    state["chain_names"] = names
    # The most frequent outlet name of each parent code, ties broken alphabetically.
    totals = names.group_by("column_15", "column_2").agg(pl.col("len").sum())
    best = totals.sort(["column_15", "len", "column_2"], descending=[False, True, False])
    state["chains"] = {
        f"ODS-{parent}": name
        for parent, name in best.unique("column_15", keep="first")
        .select("column_15", "column_2")
        .iter_rows()
    }
    state["terminated_reason"] = "closed in the NHS ODS file"
    return frame.with_columns(
        pl.format("ODS-{}", pl.col("column_1")).alias("_code"),
        pl.concat_str(
            [pl.col(f"column_{i}").replace("", None) for i in range(5, 9)],
            separator=", ",
            ignore_nulls=True,
        ).alias("_address"),
        pl.col("column_13")
        .replace_strict(NHS_STATUS, default=None, return_dtype=pl.String)
        .alias("_status"),
        pl.when(pl.col("column_15").str.len_chars() > 0)
        .then(pl.format("ODS-{}", pl.col("column_15")))
        .alias("_parent_code"),
        pl.when(pl.col("column_4").str.len_chars() > 0)
        .then(pl.format("ODS-ICB-{}", pl.col("column_4")))
        .alias("_region"),
    )


NHS_ODS = Adapter(
    name="nhs-ods",
    kind="accounts",
    description="NHS England ODS dispensing contractors (edispensary.csv, 27 fields, no header)",
    mapping=ColumnMapping(
        columns={
            "code": "_code",
            "name": "column_2",
            "address": "_address",
            "city": "column_7",
            "postcode": "column_10",
            "status": "_status",
            "status_changed_on": "column_12",
            "phone": "column_18",
            "parent_code": "_parent_code",
            "region": "_region",
        },
        constants={"kind": "pharmacy", "tier": "terminal"},
        date_formats=("%Y%m%d",),
        read=ReadOptions(header=False, column_names=NHS_COLUMNS, encoding="utf-8"),
    ),
    prepare=_nhs_prepare,
)


def _cms_prepare(frame: pl.DataFrame, state: dict[str, object]) -> pl.DataFrame:
    regions: dict[str, RegionNode] = state.setdefault("regions", {})  # type: ignore[assignment]
    regions.setdefault("US", RegionNode("US", "United States", "country"))
    for (us_state,) in frame.select("State").unique().iter_rows():
        if us_state:
            regions.setdefault(f"US-{us_state}", RegionNode(f"US-{us_state}", us_state,
                                                            "province", "US"))  # fmt: skip
    return frame.with_columns(
        pl.format("CCN-{}", pl.col("Facility ID")).alias("_code"),
        pl.format("US-{}", pl.col("State")).alias("_region"),
    )


CMS_HOSPITALS = Adapter(
    name="cms-hospitals",
    kind="accounts",
    description="CMS Care Compare Hospital General Information (CCN as code, state as region)",
    mapping=ColumnMapping(
        columns={
            "code": "_code",
            "name": "Facility Name",
            "address": "Address",
            "city": "City/Town",
            "province": "State",
            "postcode": "ZIP Code",
            "district": "County/Parish",
            "region": "_region",
        },
        constants={"kind": "hospital", "tier": "terminal", "status": "active"},
    ),
    prepare=_cms_prepare,
)

BEIJING_KINDS = {
    "对外综合": AccountKind.HOSPITAL,
    "对外专科": AccountKind.HOSPITAL,
    "对外中医": AccountKind.HOSPITAL,
    "社区卫生站": AccountKind.CLINIC,
    "村卫生室": AccountKind.CLINIC,
    "对内": AccountKind.CLINIC,
}
"""Insurance categories: general, specialist and TCM hospitals open to the public are
hospitals; community health stations, village clinics and internal (work-unit) medical rooms
are clinics."""


def _beijing_prepare(frame: pl.DataFrame, state: dict[str, object]) -> pl.DataFrame:
    regions: dict[str, RegionNode] = state.setdefault("regions", {})  # type: ignore[assignment]
    regions.setdefault("CN", RegionNode("CN", "中国", "country"))
    regions.setdefault("CN-BJ", RegionNode("CN-BJ", "北京市", "province", "CN"))
    for (district,) in frame.select("district").unique().iter_rows():
        if district:
            regions.setdefault(f"CN-BJ-{district}", RegionNode(f"CN-BJ-{district}", district,
                                                               "district", "CN-BJ"))  # fmt: skip
    return frame.with_columns(
        pl.format("BJYB-{}", pl.col("bj_ins_code")).alias("_code"),
        pl.when(pl.col("district").str.len_chars() > 0)
        .then(pl.format("CN-BJ-{}", pl.col("district")))
        .alias("_region"),
        pl.col("category")
        .replace_strict(BEIJING_KINDS, default="other", return_dtype=pl.String)
        .alias("_kind"),
    )


BEIJING_INSURANCE = Adapter(
    name="beijing-insurance",
    kind="accounts",
    description="Beijing medical-insurance designated institutions (北京医保定点医疗机构)",
    mapping=ColumnMapping(
        columns={
            "code": "_code",
            "name": "name",
            "district": "district",
            "kind": "_kind",
            "hospital_grade": "level",
            "region": "_region",
        },
        constants={"province": "北京市", "city": "北京市", "status": "active"},
    ),
    prepare=_beijing_prepare,
)


# ---------------------------------------------------------------------- contacts

CONTACT_FIELDS = (
    FieldSpec(
        "code", "code", required=True, synonyms=("contact code", "联系人编码", "код контакта")
    ),
    FieldSpec(
        "account_code", "code", required=True, synonyms=("account", "客户编码", "организация")
    ),
    FieldSpec("name", "text", required=True, synonyms=("contact", "姓名", "фио", "имя")),
    FieldSpec("title", "text", synonyms=("role", "position", "职务", "должность")),
    FieldSpec("department", "text", synonyms=("科室", "отделение")),
    FieldSpec("specialty", "text", synonyms=("专业", "специальность")),
    FieldSpec("phone", "text", synonyms=("电话", "телефон")),
    FieldSpec("mobile", "text", synonyms=("手机", "мобильный")),
    FieldSpec("email", "text", synonyms=("e-mail", "邮箱", "почта")),
    FieldSpec("messenger_id", "text", synonyms=("wechat", "微信", "telegram")),
    FieldSpec("birthday", "date", synonyms=("生日", "день рождения")),
    FieldSpec("is_key_contact", "bool", synonyms=("key contact", "关键联系人", "ключевой")),
    FieldSpec("notes", "text", synonyms=("备注", "примечание")),
    FieldSpec("consent_email", "bool"),
    FieldSpec("consent_sms", "bool"),
    FieldSpec("consent_phone", "bool"),
    FieldSpec("consent_messenger", "bool"),
)

CONTACT_VALUE_FIELDS = tuple(spec.name for spec in CONTACT_FIELDS[2:])


def _check_contacts(frame: pl.DataFrame, context: RunContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    errors = [empty_error_frame()]
    codes = frame.get_column("account_code")
    known = account_ids_by_code(codes=codes.unique().to_list())
    ids = codes.replace_strict(
        list(known), list(known.values()), default=None, return_dtype=pl.Int64
    )
    unknown = codes.is_not_null() & ids.is_null()
    errors.append(
        error_frame(
            frame.get_column(ROW).filter(unknown),
            context.column("account_code"),
            codes.filter(unknown),
            "unknown account: no account has this code",
        )  # fmt: skip
    )
    bad_email = frame.get_column("email").is_not_null() & ~frame.get_column("email").str.contains(
        r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    )
    errors.append(
        error_frame(
            frame.get_column(ROW).filter(bad_email),
            context.column("email"),
            frame.get_column("email").filter(bad_email),
            "not an e-mail address",
        )  # fmt: skip
    )
    return frame.with_columns(ids.alias("_account_id")), pl.concat(errors)


def _upsert_simple(
    model: type[Contact] | type[Consumer],
    key: str,
    rows: list[dict[str, Any]],
    fields: set[str],
    context: RunContext,
) -> StoreCounts:
    existing: dict[str, Any] = {}
    codes = [row[key] for row in rows]
    for start in range(0, len(codes), BATCH):
        chunk = codes[start : start + BATCH]
        existing.update(
            (getattr(obj, key), obj) for obj in model.objects.filter(**{f"{key}__in": chunk})
        )
    to_create, to_update, changed = [], [], set()
    for row in rows:
        obj = existing.get(row[key])
        values = {name: row[name] for name in fields if name in row}
        if obj is None:
            to_create.append(model(**{key: row[key], **values}))
            continue
        differing = {name for name, value in values.items() if getattr(obj, name) != value}
        if differing:
            for name in differing:
                setattr(obj, name, values[name])
            changed |= differing
            to_update.append(obj)
    if to_create:
        bulk_create_with_history(to_create, model, batch_size=BATCH, default_user=context.by)
    if to_update:
        bulk_update_with_history(
            to_update, model, sorted(changed), batch_size=BATCH, default_user=context.by
        )
    return StoreCounts(len(to_create), len(to_update), len(rows) - len(to_create) - len(to_update))


def _store_contacts(frame: pl.DataFrame, context: RunContext) -> StoreCounts:
    fields = {"account_id", "name", *(n for n in CONTACT_VALUE_FIELDS if context.mapped(n))}
    rows = []
    for record in frame.iter_rows(named=True):
        row: dict[str, Any] = {"code": record["code"], "account_id": record["_account_id"]}
        for name in fields - {"account_id"}:
            value = record[name]
            if value is None:
                value = False if name.startswith(("consent_", "is_")) else (
                    None if name == "birthday" else "")  # fmt: skip
            row[name] = value
        rows.append(row)
    return _upsert_simple(Contact, "code", rows, fields, context)


CONTACTS = MasterKind(
    name="contacts",
    fields=CONTACT_FIELDS,
    key="code",
    check=_check_contacts,
    store=_store_contacts,
    description="people at accounts, upserted by contact code",
)


# --------------------------------------------------------------------- consumers

CONSUMER_FIELDS = (
    FieldSpec("card_no", "code", required=True),
    FieldSpec("name", "text", synonyms=("姓名", "фио")),
    FieldSpec("phone", "text", synonyms=("手机", "телефон")),
    FieldSpec("email", "text", synonyms=("邮箱", "почта")),
    FieldSpec("gender", "text", synonyms=("sex", "性别", "пол")),
    FieldSpec("birth_year", "int", synonyms=("出生年份", "год рождения")),
    FieldSpec("birth_date", "date", synonyms=("birthday", "生日", "дата рождения")),
    FieldSpec("province", "text", synonyms=("省", "область")),
    FieldSpec("city", "text", synonyms=("城市", "город")),
    FieldSpec("home_outlet_code", "code", synonyms=("home outlet", "home store", "门店", "аптека")),
    FieldSpec(
        "registered_on", "date", synonyms=("registration date", "注册日期", "дата регистрации")
    ),
)

GENDER_ALIASES = {
    "f": Gender.FEMALE, "female": Gender.FEMALE, "w": Gender.FEMALE, "女": Gender.FEMALE,
    "ж": Gender.FEMALE, "m": Gender.MALE, "male": Gender.MALE, "男": Gender.MALE,
    "м": Gender.MALE, "u": Gender.UNKNOWN, "unknown": Gender.UNKNOWN, "未知": Gender.UNKNOWN,
}  # fmt: skip


def _check_consumers(frame: pl.DataFrame, context: RunContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    errors = [empty_error_frame()]
    raw = frame.get_column("gender")
    gender = raw.str.to_lowercase().replace_strict(
        list(GENDER_ALIASES), list(GENDER_ALIASES.values()), default=None, return_dtype=pl.String
    )
    bad = raw.is_not_null() & gender.is_null()
    errors.append(
        error_frame(
            frame.get_column(ROW).filter(bad),
            context.column("gender"),
            raw.filter(bad),
            "unknown gender; expected F, M or U",
        )  # fmt: skip
    )
    outlets = frame.get_column("home_outlet_code")
    known = account_ids_by_code(codes=outlets.drop_nulls().unique().to_list())
    ids = outlets.replace_strict(
        list(known), list(known.values()), default=None, return_dtype=pl.Int64
    )
    unknown = outlets.is_not_null() & ids.is_null()
    errors.append(
        error_frame(
            frame.get_column(ROW).filter(unknown),
            context.column("home_outlet_code"),
            outlets.filter(unknown),
            "unknown home outlet: no account has this code",
        )  # fmt: skip
    )
    this_year = date.today().year  # noqa: DTZ011 - a plausibility bound, not a business date
    years = frame.get_column("birth_year")
    implausible = years.is_not_null() & ((years < 1900) | (years > this_year))
    errors.append(
        error_frame(
            frame.get_column(ROW).filter(implausible),
            context.column("birth_year"),
            years.filter(implausible),
            f"birth year outside 1900–{this_year}",
        )  # fmt: skip
    )
    return frame.with_columns(
        gender.fill_null(Gender.UNKNOWN).alias("gender"), ids.alias("_home_outlet_id")
    ), pl.concat(errors)


def _store_consumers(frame: pl.DataFrame, context: RunContext) -> StoreCounts:
    names = ("name", "phone", "email", "gender", "birth_year", "birth_date", "province", "city",
             "registered_on")  # fmt: skip
    fields = {name for name in names if context.mapped(name)}
    if context.mapped("home_outlet_code"):
        fields.add("home_outlet_id")
    rows = []
    for record in frame.iter_rows(named=True):
        row: dict[str, Any] = {"card_no": record["card_no"]}
        for name in fields:
            value = record["_home_outlet_id"] if name == "home_outlet_id" else record[name]
            if value is None and name in {"name", "phone", "email", "province", "city"}:
                value = ""
            row[name] = value
        rows.append(row)
    return _upsert_simple(Consumer, "card_no", rows, fields, context)


CONSUMERS = MasterKind(
    name="consumers",
    fields=CONSUMER_FIELDS,
    key="card_no",
    check=_check_consumers,
    store=_store_consumers,
    description="loyalty members, upserted by card number",
)

for _kind in (ACCOUNTS, CONTACTS, CONSUMERS):
    register_master_kind(_kind)
for _adapter in (NHS_ODS, CMS_HOSPITALS, BEIJING_INSURANCE):
    register_adapter(_adapter)
