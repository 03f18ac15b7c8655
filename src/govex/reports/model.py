"""The report's content model: one tree that the HTML, PDF and PPTX renderers all read.

A report is a list of sections; a section carries a one-line message (the slide title), the
findings behind it, charts and tables. Every number in a finding is a `Number` that names the
metric definition, target, spec or file that produced it, so each claim in the narrative can be
traced; a section whose data is missing carries the reason instead of findings.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from govex._renamed import renamed_names
from govex.reports.formatting import format_number, interval_after


@dataclass(frozen=True)
class Source:
    """Where a number comes from: a metric definition, a target, a spec, a module call or a file."""

    kind: str
    name: str
    detail: str = ""

    def label(self) -> str:
        return f"{self.kind} {self.name}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class Number:
    """A value with its unit and its source; `text` is how it reads in the narrative."""

    value: float
    unit: str
    source: Source
    currency: str = ""
    signed: bool = False

    @property
    def text(self) -> str:
        return format_number(self.value, self.unit, currency=self.currency, signed=self.signed)


@dataclass(frozen=True)
class Finding:
    """One claim: a sentence template whose `{name}` slots are filled from its numbers."""

    template: str
    numbers: dict[str, Number] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=dict)
    cited: tuple[Source, ...] = ()

    @property
    def text(self) -> str:
        return self.template.format(**{k: n.text for k, n in self.numbers.items()}, **self.words)

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys([*(n.source.label() for n in self.numbers.values()), *(s.label() for s in self.cited)]))


@dataclass(frozen=True)
class Figure:
    """A rendered chart (PNG bytes) with its title and alternative text."""

    title: str
    png: bytes
    alt: str
    width_px: int
    height_px: int


@dataclass(frozen=True)
class ReportTable:
    """A small table of already formatted cells, and where its numbers come from."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    source: str


@dataclass(frozen=True)
class Action:
    """An action card: what to do, who owns it, what it costs, what it should change and by when."""

    what: str
    owner: str
    cost: Number | None
    expected: Number | None
    interval: tuple[Number, Number] | None
    confidence: str
    due: dt.date
    costing: str = ""  # how the cost was arrived at
    metric: str = ""  # the KPI, segment (framework=label or all) and journey it acts on, to find its play
    segment: str = "all"
    journey: str = ""

    def cost_text(self) -> str:
        if self.cost is None:
            return "not costed yet"
        return f"{self.cost.text} ({self.costing})" if self.costing else self.cost.text

    def expected_text(self) -> str:
        if self.expected is None:
            return "not estimated"
        if self.interval is None:
            return self.expected.text
        low, high = self.interval
        return (f"{self.expected.text} (95% interval "
                f"{interval_after(low.value, high.value, low.unit, currency=low.currency, signed=True)})")


@dataclass(frozen=True)
class ReportIssue:
    """One issue for the executive summary: a short title, where the KPI stands, its cause and the action.

    `money` and `affected` size it (money at stake in the period; customers, orders or contacts
    affected); issues are ranked by money, then by the count affected.
    """

    title: str
    kpi: str
    value: Number
    target: Number | None
    previous: Number | None
    last_year: Number | None
    cause: str
    action: Action
    money: Number | None = None
    affected: Number | None = None
    section: str = ""
    earlier: bool = False
    previous_label: str = "previous period"
    last_year_label: str = "a year before"

    def standing(self) -> str:
        """'now 0.184; target 0.172; 2025-Q3 0.181; 2024-Q4 0.188; at stake 390 USD, 113 contacts'."""
        parts = [f"now {self.value.text}"]
        parts += [f"{name} {n.text}" for name, n in (("target", self.target), (self.previous_label, self.previous),
                                                    (self.last_year_label, self.last_year)) if n is not None]
        stake = [n.text for n in (self.money, self.affected) if n is not None]
        return "; ".join(parts + ([f"at stake {', '.join(stake)}"] if stake else []))

    def rank_key(self) -> tuple[float, float]:
        return (-(abs(self.money.value) if self.money is not None else 0.0),
                -(abs(self.affected.value) if self.affected is not None else 0.0))

    def numbers(self) -> list[Number]:
        found = [self.value, self.target, self.previous, self.last_year, self.money, self.affected,
                 self.action.cost, self.action.expected, *(self.action.interval or ())]
        return [n for n in found if n is not None]


@dataclass(frozen=True)
class Section:
    """One part of the report; `absent` says plainly why there is nothing to show."""

    key: str
    title: str
    message: str
    findings: tuple[Finding, ...] = ()
    figures: tuple[Figure, ...] = ()
    tables: tuple[ReportTable, ...] = ()
    absent: str = ""
    issues: tuple[ReportIssue, ...] = ()

    @property
    def sources(self) -> list[str]:
        out = ([s for f in self.findings for s in f.sources] + [t.source for t in self.tables]
               + [n.source.label() for i in self.issues for n in i.numbers()])
        return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Report:
    """The executive report: title, period, generation time and its sections in reading order."""

    title: str
    period_label: str
    generated_at: dt.datetime
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = ()

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(f"no section {key!r}; sections: {', '.join(s.key for s in self.sections)}")

    def texts(self) -> list[str]:
        """Every piece of prose the renderers print, for checks such as 'no nan in the text'."""
        out = [self.title, self.period_label, *self.notes]
        for s in self.sections:
            out += [s.title, s.message, s.absent, *(f.text for f in s.findings)]
            for i in s.issues:
                out += [i.title, i.cause, i.action.what, i.action.owner, i.action.cost_text(), i.action.expected_text(),
                        *(n.text for n in i.numbers())]
            for t in s.tables:
                out += [t.title, *t.columns, *(c for row in t.rows for c in row)]
        return [t for t in out if t]



# Old names kept for one release: `Table` is the data contract's canonical table (govex.contract)
# and `Issue` a validation finding (govex.errors).
__getattr__ = renamed_names(__name__, {"Table": "ReportTable", "Issue": "ReportIssue"}, globals())
