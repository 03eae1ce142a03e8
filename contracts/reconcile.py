"""The reconciliation rule: what a contract figure is when statements exist at several
grains — its one implementation (the rollup and every fallback read it).

A *statement* is one contract count in force: "in this cell there were n new contracts".
A cell of a series (region, year, contract type, public) is a triple

    (department or all, month or the whole year, branch or all branches)

so statements come at eight granularities, from Normandie's published 2020 total
(all, year, all) to a contract-lines export (Calvados, March, HCR). Cells nest: a cell
is split along one *dimension* — period (the year into its 12 months), branch (all
branches into each branch) or place (the region into its departments) — into children.

The figure of a cell Q, `resolve`:

1. A statement of Q itself is its figure: a coarser statement is never replaced by the
   sum of a finer breakdown (a published total stays the total).
2. Otherwise Q is split along one dimension and its figure is the sum of its children's
   figures (recursively). Of the dimensions along which something is known inside Q,
   the one that *covers* most of Q wins: coverage counts the finest cells ("atoms":
   department × month × branch, over the region's departments and every branch) that
   the figures used account for. Ties go to period, then branch, then place. So a
   cell's figure depends on the statements inside it only.
3. Nothing known inside Q: Q is unknown ("—"), never 0.

So a year is counted once, however many grains state it; a statement of one month of
one branch changes that month of that branch and nothing else (the other months keep
their own statements, whatever their grain); a department's figure comes only from
statements inside the department, and a region known only as a total has unknown
departments. Finer statements inside a coarser one are its breakdown; when they add up
to more than it, the data contradict each other (`problems`): imports refuse to create
such a contradiction (departments never exceed their region, "Non ventilé" is never
negative).

Worked examples are in the README ("The reconciliation rule").
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# A cell: (department_id or None, month or None, branch_id or None); None = all.
Cell = tuple[int | None, int | None, int | None]
PLACE, PERIOD, BRANCH = 0, 1, 2
# The order in which dimensions are tried; the first wins a tie of coverage.
SPLIT_ORDER = (PERIOD, BRANCH, PLACE)
MONTHS = 12


@dataclass(frozen=True, slots=True)
class Resolved:
    """A cell's figure: its value, whether synthetic data went into it, how many atoms of
    the cell it accounts for (`atoms` of the cell when complete) and the dimension it was
    split along (None: stated)."""

    value: int
    synthetic: bool
    covered: int
    split: int | None = None


class Series:
    """The statements of one series and their figures at every cell that has something
    known inside it (`figures`), computed once."""

    def __init__(
        self, statements: Mapping[Cell, tuple[int, bool]], *, departments: int, branches: int
    ) -> None:
        """`departments`: how many the region has; `branches`: how many there are."""
        self.statements = dict(statements)
        self.sizes = (max(1, departments), MONTHS, max(1, branches))
        self.children: dict[Cell, dict[int, set[Cell]]] = defaultdict(lambda: defaultdict(set))
        cells: set[Cell] = set()
        for cell in self.statements:
            for ancestor in ancestors(cell):
                cells.add(ancestor)
                for dim in range(3):
                    if ancestor[dim] is None and cell[dim] is not None:
                        child = list(ancestor)
                        child[dim] = cell[dim]
                        self.children[ancestor][dim].add(tuple(child))  # type: ignore[arg-type]
        self.figures: dict[Cell, Resolved] = {}
        # Children have fewer "all" coordinates: resolve them first.
        for cell in sorted(cells, key=lambda c: sum(x is None for x in c)):
            self.figures[cell] = self._resolve(cell)

    def atoms(self, cell: Cell) -> int:
        n = 1
        for dim in range(3):
            if cell[dim] is None:
                n *= self.sizes[dim]
        return n

    def _resolve(self, cell: Cell) -> Resolved:
        stated = self.statements.get(cell)
        if stated is not None:
            return Resolved(stated[0], stated[1], self.atoms(cell))
        best: Resolved | None = None
        splits = self.children.get(cell, {})
        for dim in SPLIT_ORDER:
            kids = splits.get(dim)
            if not kids:
                continue
            figures = [self.figures[kid] for kid in kids]
            candidate = Resolved(
                sum(f.value for f in figures),
                any(f.synthetic for f in figures),
                sum(f.covered for f in figures),
                dim,
            )
            if best is None or candidate.covered > best.covered:
                best = candidate
        assert best is not None  # every cell resolved has a statement inside it
        return best

    def problems(self) -> list[tuple[Cell, int, int, int]]:
        """Contradictions: (cell, dimension, its children's sum, its figure) wherever a
        breakdown of a cell adds up to more than the cell's figure."""
        found = []
        for cell, figure in self.figures.items():
            for dim, kids in self.children.get(cell, {}).items():
                total = sum(self.figures[kid].value for kid in kids)
                if total > figure.value:
                    found.append((cell, dim, total, figure.value))
        return found


def ancestors(cell: Cell) -> Iterable[Cell]:
    """The cell and every coarser cell containing it."""
    seen = set()
    d, m, b = cell
    for place in {d, None}:
        for period in {m, None}:
            for branch in {b, None}:
                ancestor = (place, period, branch)
                if ancestor not in seen:
                    seen.add(ancestor)
                    yield ancestor


def contains(outer: Cell, inner: Cell) -> bool:
    """Whether `inner` lies inside `outer` (or is it)."""
    return all(o is None or o == i for o, i in zip(outer, inner, strict=True))
