"""Model-based test of the write paths of contract figures (hypothesis stateful testing).

Random sequences of counts imports at every grain (region or department, year or
month, all branches or one), contract-line imports, undo of any import, and admin edits,
deletes and additions, on Normandie 2021 (its published total 3 071 protected) and 2024.
After every step the database is compared with an oracle written plainly here, from the
statements themselves:

- which statements are in force (an import supersedes what lies inside the cells it
  states, or the months it gives for contract lines; undo puts them back);
- every figure the API gives (region, months, branches, departments) equals the figure
  the rule gives, computed naively (`figure`);
- departments never exceed their region while the data do not contradict each other;
- undoing the latest import returns the snapshot taken before it;
- the rollup equals a recomputation.

Bounded for CI (profile "ci", the default, tests/conftest.py); `pytest
--hypothesis-profile=long tests/contracts/test_write_paths_stateful.py` runs more and
longer sequences.
"""

import itertools
from dataclasses import dataclass

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from akto_portal.models import Branch, Department, Region, Source
from contracts.models import ContractCount, ContractRollup, ImportBatch
from contracts.rollup import rollup_differences
from contracts.services import ImportRefused, contract_import, import_batch_undo

pytestmark = pytest.mark.django_db

YEARS = (2021, 2024)
DEPARTMENTS = ("14", "27")
MONTHS = (None, 3, 4)
BRANCHES = ("1979", "1501")
TYPE, PUBLIC = "apprentissage", "all"


# --- the oracle -------------------------------------------------------------------------


@dataclass
class Statement:
    pk: int | None
    year: int
    cell: tuple  # (department_id | None, month | None, branch_id | None)
    count: int
    protected: bool
    batch: int | None = None  # the import that wrote it
    superseded_by: int | None = None


def inside(outer, inner):
    return all(o is None or o == i for o, i in zip(outer, inner, strict=True))


class Rule:
    """The reconciliation rule, written naively: a stated cell is its figure; otherwise
    the split (period, then branch, then place on a tie) that covers most atoms."""

    def __init__(self, departments, branches):
        self.sizes = (departments, 12, branches)

    def atoms(self, cell):
        n = 1
        for dim, value in enumerate(cell):
            if value is None:
                n *= self.sizes[dim]
        return n

    def figure(self, stated, cell):
        """(value, covered atoms) or None when nothing is known inside the cell."""
        if cell in stated:
            return stated[cell], self.atoms(cell)
        best = None
        for dim in (1, 2, 0):
            if cell[dim] is not None:
                continue
            values = {s[dim] for s in stated if inside(cell, s) and s[dim] is not None}
            if not values:
                continue
            kids = [self.figure(stated, cell[:dim] + (v,) + cell[dim + 1 :]) for v in values]
            candidate = (sum(k[0] for k in kids), sum(k[1] for k in kids))
            if best is None or candidate[1] > best[1]:
                best = candidate
        return best

    def value(self, stated, cell):
        found = self.figure(stated, cell)
        return None if found is None else found[0]

    def through(self, stated, cell, months):
        """The cell's contracts of January to `months`: its year when 12; else the sum of
        its months, unknown when its months do not add up to its year (no month is
        invented from a yearly total)."""
        year = self.value(stated, cell)
        if year is None or months >= 12:
            return year
        by_month = [self.value(stated, (cell[0], m, cell[2])) for m in range(1, 13)]
        if sum(v or 0 for v in by_month) != year:
            return None
        return sum(v or 0 for v in by_month[:months])

    def problems(self, stated):
        found = set()
        cells = {
            tuple(c if keep else None for c, keep in zip(cell, mask, strict=True))
            for cell in stated
            for mask in itertools.product((True, False), repeat=3)
        }
        for cell in cells:
            whole = self.value(stated, cell)
            for dim in range(3):
                if cell[dim] is not None:
                    continue
                values = {s[dim] for s in stated if inside(cell, s) and s[dim] is not None}
                kids = [self.value(stated, cell[:dim] + (v,) + cell[dim + 1 :]) for v in values]
                if kids and sum(kids) > whole:
                    found.add((cell, dim))
        return found


class WritePaths(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        ContractCount.statements.filter(source__kind=Source.Kind.IMPORT).delete()
        ContractCount.statements.filter(region=self.region, year__in=YEARS).exclude(
            source__kind=Source.Kind.DOCUMENT
        ).delete()
        ImportBatch.objects.all().delete()
        Source.objects.filter(kind=Source.Kind.IMPORT).delete()
        self.statements = [
            Statement(s.pk, s.year, (s.department_id, s.month, s.branch_id), s.count, True)
            for s in ContractCount.objects.filter(
                region=self.region, year__in=YEARS, contract_type=TYPE, public=PUBLIC
            )
        ]
        self.snapshots = {}  # batch pk -> database state before it
        self.latest = []  # batches in force, latest last, with no write since but imports
        self.numbers = itertools.count(1)

    # the machine's fixed world, set by the test
    region: Region
    client = None
    rule_ = None
    tmp = None

    def in_force(self, year):
        return {
            s.cell: s.count for s in self.statements if s.year == year and s.superseded_by is None
        }

    # --- writes ---------------------------------------------------------------------

    def _import(self, text, facts, by_contract):
        """Import `text`; the oracle predicts refusal or the statements after."""
        name = f"f{next(self.numbers)}.csv"
        path = self.tmp / name
        path.write_text(text)
        before = [Statement(**vars(s)) for s in self.statements]
        state = database_state()
        superseded, refused = [], False
        for year in {y for y, _cell in facts}:
            stated = [cell for y, cell in facts if y == year]
            for s in self.statements:
                if s.year != year or s.superseded_by is not None:
                    continue
                hit = (
                    any(s.cell[1] == c[1] for c in stated)
                    if by_contract
                    else any(inside(c, s.cell) for c in stated)
                )
                if hit:
                    refused |= s.protected
                    superseded.append(s)
            old = self.in_force(year)
            new = {
                s.cell: s.count
                for s in self.statements
                if s.year == year and s.superseded_by is None and s not in superseded
            }
            new.update({cell: n for (y, cell), n in facts.items() if y == year})
            refused |= bool(self.rule_.problems(new) - self.rule_.problems(old))
        report = contract_import(path=path, file_name=name)
        if refused:
            assert not report.ok, "the oracle expected a refusal"
            assert report.batch is None
            self.statements = before
            assert database_state() == state
            return
        assert report.ok, [str(e) for e in report.errors]
        batch = report.batch.pk
        for s in superseded:
            s.superseded_by = batch
        rows = {
            (r.year, (r.department_id, r.month, r.branch_id)): r.pk
            for r in ContractCount.objects.filter(source=report.batch.source)
        }
        for (year, cell), count in facts.items():
            self.statements.append(Statement(rows[(year, cell)], year, cell, count, False, batch))
        self.snapshots[batch] = state
        self.latest.append(batch)

    @rule(
        lines=st.dictionaries(
            st.tuples(
                st.sampled_from(YEARS),
                st.sampled_from((None, *DEPARTMENTS)),
                st.sampled_from(MONTHS),
                st.sampled_from((None, *BRANCHES)),
            ),
            st.integers(0, 40),
            min_size=1,
            max_size=4,
        )
    )
    def import_counts(self, lines):
        text = "region;departement;branche;annee;mois;type_contrat;public;nombre;note\n"
        facts = {}
        for (year, dep, month, idcc), count in lines.items():
            text += f"28;{dep or ''};{idcc or ''};{year};{month or ''};{TYPE};all;{count};"
            text += f"{next(self.numbers)}\n"
            facts[(year, (self.dep_ids.get(dep), month, self.branch_ids.get(idcc)))] = count
        self._import(text, facts, by_contract=False)

    @rule(
        contracts=st.lists(
            st.tuples(
                st.sampled_from(YEARS),
                st.sampled_from(DEPARTMENTS),
                st.sampled_from((3, 4)),
                st.sampled_from(BRANCHES),
            ),
            min_size=1,
            max_size=5,
        )
    )
    def import_lines(self, contracts):
        text = "numero_contrat;date_debut;departement;idcc;type_contrat\n"
        facts = {}
        for year, dep, month, idcc in contracts:
            text += f"C-{next(self.numbers)};02/{month:02d}/{year};{dep};{idcc};{TYPE}\n"
            key = (year, (self.dep_ids[dep], month, self.branch_ids[idcc]))
            facts[key] = facts.get(key, 0) + 1
        self._import(text, facts, by_contract=True)

    @precondition(lambda self: self.snapshots)
    @rule(data=st.data())
    def undo(self, data):
        batch = data.draw(st.sampled_from(sorted(self.snapshots)))
        mine = [s for s in self.statements if s.batch == batch]
        restored = [s for s in self.statements if s.superseded_by == batch]
        taken = {
            (s.year, s.cell)
            for s in self.statements
            if s.superseded_by is None and s.batch != batch
        }
        refused = any(s.superseded_by is not None for s in mine) or any(
            (s.year, s.cell) in taken for s in restored
        )
        is_latest = self.latest[-1:] == [batch]
        state = database_state()
        if refused:
            with pytest.raises(ImportRefused):
                import_batch_undo(batch=ImportBatch.objects.get(pk=batch))
            assert database_state() == state
            return
        import_batch_undo(batch=ImportBatch.objects.get(pk=batch))
        self.statements = [s for s in self.statements if s.batch != batch]
        for s in restored:
            s.superseded_by = None
        if is_latest:
            assert database_state() == self.snapshots[batch]
        del self.snapshots[batch]
        self.latest = [b for b in self.latest if b != batch]

    def _editable(self, data):
        editable = [s for s in self.statements if s.superseded_by is None and not s.protected]
        return data.draw(st.sampled_from(editable)) if editable else None

    @rule(data=st.data(), count=st.integers(0, 60))
    def admin_edit(self, data, count):
        statement = self._editable(data)
        if statement is None:
            return
        row = ContractCount.objects.get(pk=statement.pk)
        row.count = count
        row.save()
        statement.count = count
        self.latest = []

    @rule(data=st.data())
    def admin_delete(self, data):
        statement = self._editable(data)
        if statement is None:
            return
        ContractCount.objects.get(pk=statement.pk).delete()
        self.statements.remove(statement)
        self.latest = []

    # --- checks ---------------------------------------------------------------------

    def _consistent(self, stated, region):
        return region is not None and not self.rule_.problems(stated)

    @invariant()
    def figures_are_the_rule(self):
        assert rollup_differences() == []
        for year in YEARS:
            stated = self.in_force(year)
            region = self.rule_.value(stated, (None, None, None))
            query = f"region=28&year={year}&contract_type={TYPE}"
            summary = self.client.get(f"/api/v1/contracts/summary?{query}").json()
            assert summary["contracts"] == region, (year, stated)
            by_month = self.client.get(f"/api/v1/contracts/by-month?{query}").json()
            month_values = {m: self.rule_.value(stated, (None, m, None)) for m in range(1, 13)}
            known = [m for m, v in month_values.items() if v is not None]
            # The months the page counts: the whole year when part of it is known only
            # as a total (or nothing is known by month), else through the last month known.
            whole = region is None or not known or sum(month_values[m] for m in known) != region
            through = 12 if whole else max(known)
            if known and sum(month_values[m] for m in known) == region:
                # The year is its months: up to the last month known, a month with no
                # figure had none; after it, nothing is known yet.
                for row in by_month["rows"]:
                    m = row["month"]
                    expected = month_values[m] if m in known else 0
                    assert row["contracts"] == (expected if m <= max(known) else None), row
            branches = self.client.get(f"/api/v1/contracts/by-branch?{query}").json()["rows"]
            for row in branches:
                if row["branch"] is None:  # the rest of the region, never negative
                    assert not self._consistent(stated, region) or row["contracts"] >= 0
                    continue
                cell = (None, None, row["branch"])
                assert row["contracts"] == self.rule_.through(stated, cell, through), row
            departments = self.client.get(f"/api/v1/contracts/by-department?{query}").json()
            consistent = self._consistent(stated, region)
            for row in departments["rows"]:
                if row["code"] not in self.dep_by_code:  # "Non ventilé": never negative
                    assert not consistent or (row["contracts"] or 0) >= 0, row
                    continue
                dep = self.dep_by_code[row["code"]]
                expected = self.rule_.through(stated, (dep, None, None), through)
                assert row["contracts"] == expected, (row, stated, through)
                if consistent:
                    assert (row["contracts"] or 0) <= region


def database_state():
    fields = [f.attname for f in ContractCount._meta.concrete_fields]
    rollup = [f.attname for f in ContractRollup._meta.concrete_fields if f.name != "id"]
    return (
        sorted(ContractCount.statements.values_list(*fields)),
        sorted(ContractRollup.objects.values_list(*rollup), key=repr),
    )


def test_write_paths_keep_every_figure_the_rule(documents, admin_user, client, tmp_path):
    client.force_login(admin_user)
    normandie = Region.objects.get(code="28")
    WritePaths.region = normandie
    WritePaths.client = client
    WritePaths.tmp = tmp_path
    WritePaths.rule_ = Rule(
        Department.objects.filter(region=normandie).count(), Branch.objects.count()
    )
    WritePaths.dep_ids = {d.code: d.pk for d in Department.objects.filter(region=normandie)}
    WritePaths.dep_by_code = WritePaths.dep_ids
    WritePaths.branch_ids = {b.idcc: b.pk for b in Branch.objects.filter(idcc__in=BRANCHES)}
    run_state_machine_as_test(WritePaths)
