"""A department tile's colour says what its label says: "0 %" is neutral, whichever side
of zero the unrounded growth falls (Calvados green and Orne red, both "0 %", before)."""

from types import SimpleNamespace

from akto_portal.templatetags.portal import signed_pct
from dashboards.departments import department_tiles


def _row(code, growth):
    return {"code": code, "name": code, "contracts": 100, "growth": growth}


def test_tiles_are_coloured_by_the_growth_their_label_shows():
    page = SimpleNamespace(
        department_rows=[
            _row("14", 0.4),
            _row("61", -0.4),
            _row("27", 0.6),
            _row("50", -2.6),
            _row("76", None),
            _row("", 5.0),  # the part not known by department: no tile
        ]
    )

    tiles = department_tiles(page)

    assert [(t["code"], signed_pct(t["growth"]), t["tone"]) for t in tiles] == [
        ("14", "0\xa0%", "flat"),
        ("61", "0\xa0%", "flat"),
        ("27", "+1\xa0%", "up"),
        ("50", "−3\xa0%", "down"),
        ("76", "—", "unknown"),
    ]
