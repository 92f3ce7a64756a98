"""KPIs, the pure parts: references, values, periods and trends."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.errors import InvalidInput
from bot.domain.kpi_targets import judge
from bot.domain.kpis import (
    PeriodKind,
    Trend,
    parse_period,
    parse_value,
    period_kind,
    period_of,
    resolve,
    trend,
)
from bot.services.catalog import PlanCatalog

PLAN = "junior-llm-engineer"


@pytest.mark.parametrize(
    ("typed", "value"),
    [("62%", 62.0), ("4.5", 4.5), ("1,200", 1200.0), ("3 days", 3.0), ("-2 points", -2.0)],
)
def test_a_value_is_the_one_number_typed(typed: str, value: float) -> None:
    """A reading keeps the number people type, whatever unit or separator surrounds it."""
    assert parse_value(typed) == value


@pytest.mark.parametrize(("typed", "why"), [("soon", "no number"), ("4-10", "more than one")])
def test_a_value_without_exactly_one_number_is_refused(typed: str, why: str) -> None:
    """No number, or a range, is refused with the reason and an example."""
    with pytest.raises(InvalidInput, match=why):
        parse_value(typed)


@pytest.mark.parametrize(
    ("frequency", "target", "label"),
    [
        ("Weekly/Monthly", "4–10 meaningful PRs/month depending on scope", "2027-03"),
        ("Weekly", "3 PRs per month", "2027-03"),
        ("Monthly/Quarterly", "+2–5 points QoQ on targeted flows", "2027-Q1"),
        ("Monthly", "2 demos/week", "2027-W10"),
        ("Daily/Weekly", "p95 within product SLA (e.g., <5–8s)", "2027-W10"),
        ("Weekly/Monthly", "Decreasing trend; target depends on domain", "2027-03"),
        ("Monthly/Quarterly", ">90% on baseline injection suite", "2027-Q1"),
        ("Monthly", "60–80% of top intents in 6 months (team-level)", "2027-03"),
        ("Weekly", "Median 3–7 business days for small tickets", "2027-W10"),
        ("Daily", "<0.5–1% depending on SLA", "2027-03-14"),
    ],
)
def test_the_period_follows_the_targets_unit_else_the_coarser_frequency(
    frequency: str, target: str, label: str
) -> None:
    """A KPI's period is the unit its target counts per, else the coarser word of its frequency."""
    assert period_of(period_kind(frequency, target), date(2027, 3, 14)).label == label


@pytest.mark.parametrize(
    ("period", "value", "on_target", "said"),
    [
        ("2026-W49", 2.0, None, "not judged: a week's reading, the target is per month"),
        ("2026-12", 2.0, False, "⚑ off target"),
        ("2026-12", 6.0, True, "on target"),
    ],
)
def test_a_reading_is_judged_only_for_the_period_its_target_counts_per(
    period: str, value: float, on_target: bool | None, said: str
) -> None:
    """2 PRs in a week is not judged against "4–10 PRs/month"; a month's count is."""
    judged = judge("4–10 meaningful PRs/month depending on scope", period, value)
    assert (judged.on_target, judged.said) == (on_target, said)
    assert judge("<1% for mature flows", period, 0.5).on_target is True  # no unit: any period


@pytest.mark.parametrize(
    ("typed", "kind", "start", "end"),
    [
        ("2027-03-14", PeriodKind.DAY, date(2027, 3, 14), date(2027, 3, 14)),
        ("2027-w11", PeriodKind.WEEK, date(2027, 3, 15), date(2027, 3, 21)),
        ("2027-02", PeriodKind.MONTH, date(2027, 2, 1), date(2027, 2, 28)),
        ("2027-Q4", PeriodKind.QUARTER, date(2027, 10, 1), date(2027, 12, 31)),
    ],
)
def test_a_period_parses_to_its_days(typed: str, kind: PeriodKind, start: date, end: date) -> None:
    """Each written period covers the days it says (ISO weeks start on Monday)."""
    period = parse_period(typed)
    assert (period.kind, period.start, period.end) == (kind, start, end)
    assert parse_period(period.label) == period


@pytest.mark.parametrize("typed", ["2027-13", "2027-W54", "2027-Q5", "March", "2027-02-30"])
def test_a_malformed_period_is_refused(typed: str) -> None:
    """A period that is not one of the four formats (or no real date) names the formats."""
    with pytest.raises(InvalidInput, match="2027-W11"):
        parse_period(typed)


@pytest.mark.parametrize("typed", ["9999-12", "9999-W52", "9999-12-31", "9999-Q4", "1999-Q1"])
def test_a_period_outside_2000_to_2100_is_refused_not_overflowed(typed: str) -> None:
    """A far-off year is refused with the years allowed, never an OverflowError."""
    with pytest.raises(InvalidInput, match="outside the years a reading can be for"):
        parse_period(typed)


@pytest.mark.parametrize(
    ("ref", "kpi"),
    [
        ("pr-throughput", "pr-throughput"),
        ("PR THROUGHPUT (LLM domain)", "pr-throughput"),
        ("story", "story-cycle-time"),
        ("Eval coverage", "eval-coverage"),
    ],
)
def test_a_kpi_is_found_by_id_name_or_unique_start(
    catalog: PlanCatalog, ref: str, kpi: str
) -> None:
    """An id, a name in any case or an unambiguous start names the plan's KPI."""
    assert resolve(ref, catalog.get(PLAN).plan.kpis, plan=PLAN).id == kpi


@pytest.mark.parametrize(
    ("ref", "said"),
    [("pr", "could be more than one KPI"), ("evl-coverage", "Did you mean eval-coverage")],
)
def test_a_wrong_kpi_reference_names_the_close_ones(
    catalog: PlanCatalog, ref: str, said: str
) -> None:
    """An ambiguous or misspelt KPI is refused with the KPIs it could have meant."""
    with pytest.raises(InvalidInput, match=said):
        resolve(ref, catalog.get(PLAN).plan.kpis, plan=PLAN)


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], Trend.NONE), ([3.0], Trend.NONE), ([1.0, 3.0], Trend.UP), ([5.0, 3.0, 2.0], Trend.DOWN)],
)
def test_the_trend_is_the_direction_of_the_last_two(values: list[float], expected: Trend) -> None:
    """Up, down or flat from the second-to-last reading to the last; none with fewer than two."""
    assert trend(values) == expected
    assert trend([*values, *values[-1:]]) == (Trend.FLAT if values else Trend.NONE)
