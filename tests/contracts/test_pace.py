"""Pace rules: same period last year, seasonal target pace, yearly-only totals."""

import datetime

from contracts.figures import YearData
from contracts.pace import cumulative, months_elapsed, pace, seasonality


class Target:
    def __init__(self, value):
        self.value = value


def year(months=None, total_only=None):
    data = YearData()
    for m, value in (months or {}).items():
        data.months[m].add(value, False)
        data.total.add(value, False)
    if total_only is not None:
        data.total.add(total_only, False)
        data.unbroken.add(total_only, False)
    return data


def test_months_elapsed_counts_whole_months_only():
    assert months_elapsed(datetime.date(2026, 11, 24), 2026) == 10
    assert months_elapsed(datetime.date(2026, 10, 31), 2026) == 10
    assert months_elapsed(datetime.date(2027, 1, 2), 2026) == 12
    assert months_elapsed(datetime.date(2025, 6, 1), 2026) == 0


def test_partial_year_is_compared_with_the_same_months_of_last_year():
    current = year(dict.fromkeys(range(1, 11), 100))  # known through October
    previous = year(dict.fromkeys(range(1, 13), 50))
    result = pace(year=2026, through=10, current=current, previous=previous, past=[previous])
    assert result.contracts == 1000
    assert result.previous_value == 500  # January-October, not the whole 600
    assert result.growth == 100.0
    assert result.period_label == "janv.–oct. 2026"


def test_a_year_known_only_as_a_total_gives_no_year_to_date():
    assert cumulative(year(total_only=2173), 6) is None
    assert cumulative(year(total_only=2173), 12).value == 2173
    result = pace(
        year=2021,
        through=6,
        current=year(dict.fromkeys(range(1, 7), 10)),
        previous=year(total_only=2173),
        past=[],
    )
    assert result.previous is None and result.growth is None
    assert result.notes[0].startswith("2020 n'est connu que comme total annuel")


def test_whole_year_growth_uses_yearly_totals():
    result = pace(
        year=2021,
        through=12,
        current=year(total_only=3071),
        previous=year(total_only=2173),
        past=[year(total_only=2173)],
    )
    assert (result.contracts, result.previous_value, result.growth) == (3071, 2173, 41.3)
    assert result.projected == 3071


def test_target_is_spread_with_seasonality_not_a_straight_line():
    # Past year: a quarter of the contracts in January-June, three quarters after.
    past = year({**dict.fromkeys(range(1, 7), 10), **dict.fromkeys(range(7, 13), 30)})
    assert seasonality([past])[0] == 10 / 240
    current = year(dict.fromkeys(range(1, 7), 2000))
    result = pace(
        year=2022,
        through=6,
        current=current,
        previous=past,
        past=[past, None],
        target=Target(40_000),
    )
    assert result.expected == 10_000  # a straight line would say 20 000
    assert result.contracts == 12_000
    assert result.projected == 48_000
    assert result.status == "ahead" and result.status_label == "en avance"


def test_status_on_track_and_behind():
    past = year(dict.fromkeys(range(1, 13), 10))
    on_track = pace(
        year=2022,
        through=6,
        current=year(dict.fromkeys(range(1, 7), 99)),
        previous=past,
        past=[past],
        target=Target(1200),
    )
    assert (on_track.expected, on_track.status_label) == (600, "dans les temps")
    behind = pace(
        year=2022,
        through=6,
        current=year(dict.fromkeys(range(1, 7), 50)),
        previous=past,
        past=[past],
        target=Target(1200),
    )
    assert behind.status_label == "en retard"


def test_no_monthly_history_means_no_expected_level():
    result = pace(
        year=2022,
        through=6,
        current=year(dict.fromkeys(range(1, 7), 10)),
        previous=None,
        past=[year(total_only=100)],
        target=Target(1000),
    )
    assert result.expected is None and result.status is None
    assert any("Pas d'historique mensuel" in note for note in result.notes)
