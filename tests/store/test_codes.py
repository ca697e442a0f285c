"""Dossier codes: national format, daily restart per agency, parse round trip, agency checks, 9999 limit."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from dossier.store.codes import (
    STRICT_POLICY,
    CodePolicy,
    DossierCode,
    InvalidAgencyError,
    InvalidCodeError,
    SequenceExhaustedError,
    issue_code,
    parse_code,
    reception_day,
    validate_agency,
)
from dossier.store.db import database_path, open_db

THANH_HOA = "000.00.06.H56"
QUANG_NGAI = "000.00.53.H48"
MORNING = datetime(2023, 10, 27, 9, 32)  # naive: Vietnam wall-clock time


@pytest.fixture
def conn() -> Iterator[sqlite3.Connection]:
    with closing(open_db()) as connection:
        yield connection


def texts(conn: sqlite3.Connection, agency: str, when: datetime, count: int) -> list[str]:
    return [issue_code(conn, agency, when).text for _ in range(count)]


def test_codes_have_the_national_format(conn: sqlite3.Connection) -> None:
    code = issue_code(conn, THANH_HOA, MORNING)
    assert code == DossierCode(agency=THANH_HOA, day=date(2023, 10, 27), sequence=1)
    assert code.text == "000.00.06.H56-231027-0001"
    assert str(code) == code.text
    assert asdict(code)["text"] == code.text


def test_sequence_counts_up_within_a_day(conn: sqlite3.Connection) -> None:
    assert texts(conn, THANH_HOA, MORNING, 3) == [f"000.00.06.H56-231027-000{n}" for n in (1, 2, 3)]


def test_counter_restarts_every_day_and_old_days_continue(conn: sqlite3.Connection) -> None:
    texts(conn, THANH_HOA, MORNING, 5)
    next_day = issue_code(conn, THANH_HOA, MORNING + timedelta(days=1))
    assert next_day.text == "000.00.06.H56-231028-0001"
    late_entry = issue_code(conn, THANH_HOA, MORNING)  # a dossier recorded late for the 27th
    assert late_entry.sequence == 6


def test_each_agency_has_its_own_counter(conn: sqlite3.Connection) -> None:
    texts(conn, THANH_HOA, MORNING, 4)
    assert issue_code(conn, QUANG_NGAI, MORNING).text == "000.00.53.H48-231027-0001"
    assert issue_code(conn, THANH_HOA, MORNING).sequence == 5


def test_reception_day_is_the_date_in_vietnam() -> None:
    # 23:30 UTC on 26/10 is 06:30 on 27/10 in Hà Nội (UTC+7)
    assert reception_day(datetime(2023, 10, 26, 23, 30, tzinfo=UTC)) == date(2023, 10, 27)
    assert reception_day(datetime(2023, 10, 27, 16, 59, tzinfo=UTC)) == date(2023, 10, 27)
    assert reception_day(datetime(2023, 10, 27, 17, 0, tzinfo=UTC)) == date(2023, 10, 28)
    assert reception_day(datetime(2023, 10, 27, 23, 59)) == date(2023, 10, 27)  # naive = Vietnam time
    paris = timezone(timedelta(hours=2))
    assert reception_day(datetime(2023, 10, 27, 20, 0, tzinfo=paris)) == date(2023, 10, 28)


def test_a_utc_timestamp_after_17h_counts_for_the_next_day(conn: sqlite3.Connection) -> None:
    code = issue_code(conn, THANH_HOA, datetime(2023, 10, 27, 18, 0, tzinfo=UTC))
    assert code.text == "000.00.06.H56-231028-0001"


def test_issuing_through_a_path_uses_the_same_counter(conn: sqlite3.Connection) -> None:
    issue_code(conn, THANH_HOA, MORNING)
    assert issue_code(database_path(), THANH_HOA, MORNING).sequence == 2
    assert issue_code(str(database_path()), THANH_HOA, MORNING).sequence == 3


def test_every_issued_code_is_recorded(conn: sqlite3.Connection) -> None:
    issued = texts(conn, THANH_HOA, MORNING, 3)
    rows = conn.execute("SELECT code, sequence, received_at FROM dossier_codes ORDER BY sequence").fetchall()
    assert [r[0] for r in rows] == issued
    assert rows[0][2] == MORNING.isoformat()


@pytest.mark.parametrize(
    "text",
    ["000.00.06.H56-231027-0361", "000.00.53.H48-220921-0099", "H57.132-260804-0583", "X01.001-000101-9999"],
)
def test_parse_round_trips(text: str) -> None:
    assert parse_code(text).text == text
    assert parse_code(f"  {text}\n").text == text


def test_parse_gives_the_parts() -> None:
    code = parse_code("000.00.06.H56-231027-0361")
    assert (code.agency, code.day, code.sequence) == ("000.00.06.H56", date(2023, 10, 27), 361)


def test_issued_codes_parse_back(conn: sqlite3.Connection) -> None:
    for code in (issue_code(conn, agency, MORNING) for agency in (THANH_HOA, "H57.132")):
        assert parse_code(code.text) == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "000.00.06.H56",
        "000.00.06.H56-231027",
        "000.00.06.H56-231027-361",  # 3 digits
        "000.00.06.H56-231027-03610",  # 5 digits
        "000.00.06.H56-231027-0000",  # sequences start at 0001
        "000.00.06.H56-231327-0001",  # month 13
        "000.00.06.H56-230229-0001",  # 29/02/2023 does not exist
        "000.00.06.h56-231027-0001",  # lower case
        "000.00.06.H56 -231027-0001",
        "HOSO-231027-0001",  # agency without digits or dots
        "000.00.06.H56-2023-10-27-0001",
    ],
)
def test_parse_rejects_malformed_codes(text: str) -> None:
    with pytest.raises(InvalidCodeError):
        parse_code(text)


def test_leap_day_is_a_valid_date() -> None:
    assert parse_code("000.00.06.H56-240229-0001").day == date(2024, 2, 29)


@pytest.mark.parametrize("agency", ["000.00.06.H56", "000.00.53.H48", "H57.132", "000.00.00.H47"])
def test_known_agency_identifiers_are_accepted(agency: str) -> None:
    assert validate_agency(agency) == agency


@pytest.mark.parametrize(
    "agency",
    ["", "H56", "000.00.06.h56", "000-00-06-H56", "000.00.06.H56 extra", "ABC.DEF", "000..06.H56", ".H56.1"],
)
def test_invalid_agency_identifiers_are_rejected(conn: sqlite3.Connection, agency: str) -> None:
    with pytest.raises(InvalidAgencyError):
        issue_code(conn, agency, MORNING)
    assert conn.execute("SELECT count(*) FROM code_counters").fetchone()[0] == 0


def test_strict_policy_accepts_only_the_qcvn_102_shape(conn: sqlite3.Connection) -> None:
    assert validate_agency("000.00.06.H56", STRICT_POLICY) == "000.00.06.H56"
    for agency in ("H57.132", "000.00.6.H56", "000.00.06.H5", "000.00.06.56"):
        with pytest.raises(InvalidAgencyError):
            validate_agency(agency, STRICT_POLICY)
    with pytest.raises(InvalidCodeError):
        parse_code("H57.132-260804-0583", STRICT_POLICY)
    with pytest.raises(InvalidAgencyError):
        issue_code(conn, "H57.132", MORNING, STRICT_POLICY)


def test_the_day_can_start_at_a_configured_value(conn: sqlite3.Connection) -> None:
    policy = CodePolicy(start=362)
    assert [issue_code(conn, THANH_HOA, MORNING, policy).sequence for _ in range(2)] == [362, 363]
    assert issue_code(conn, THANH_HOA, MORNING + timedelta(days=1), policy).sequence == 362


def test_raising_the_start_during_the_day_skips_ahead_but_never_back(conn: sqlite3.Connection) -> None:
    texts(conn, THANH_HOA, MORNING, 3)
    assert issue_code(conn, THANH_HOA, MORNING, CodePolicy(start=100)).sequence == 100
    assert issue_code(conn, THANH_HOA, MORNING, CodePolicy(start=50)).sequence == 101
    assert issue_code(conn, THANH_HOA, MORNING).sequence == 102


@pytest.mark.parametrize("start", [0, 10000, -1])
def test_start_outside_four_digits_is_refused(start: int) -> None:
    with pytest.raises(ValueError, match="start"):
        CodePolicy(start=start)


def test_code_9999_is_the_last_of_the_day(conn: sqlite3.Connection) -> None:
    near_end = CodePolicy(start=9998)
    assert [issue_code(conn, THANH_HOA, MORNING, near_end).text[-4:] for _ in range(2)] == ["9998", "9999"]
    with pytest.raises(SequenceExhaustedError, match="9999"):
        issue_code(conn, THANH_HOA, MORNING)
    # the failed attempt changed nothing, and other agencies and days are unaffected
    last = conn.execute("SELECT last_sequence FROM code_counters WHERE agency = ?", (THANH_HOA,)).fetchone()
    assert last == (9999,)
    assert conn.execute("SELECT count(*) FROM dossier_codes").fetchone()[0] == 2
    assert not conn.in_transaction
    assert issue_code(conn, QUANG_NGAI, MORNING).sequence == 1
    assert issue_code(conn, THANH_HOA, MORNING + timedelta(days=1)).sequence == 1


def test_a_code_object_cannot_hold_an_impossible_sequence() -> None:
    for sequence in (0, 10000):
        with pytest.raises(ValueError, match="sequence"):
            DossierCode(agency=THANH_HOA, day=date(2023, 10, 27), sequence=sequence)


def test_issuing_inside_an_open_transaction_is_refused(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN")
    with pytest.raises(RuntimeError, match="transaction"):
        issue_code(conn, THANH_HOA, MORNING)
    conn.execute("ROLLBACK")
