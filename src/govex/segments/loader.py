"""Read framework YAML files and check them, naming the file and line of every problem.

Checks, all collected before raising once: unknown or missing fields (pydantic), conditions
that cannot be read, rules naming a segment not declared, rules or signals naming a feature
that does not exist or whose table the warehouse lacks, and rule sets that overlap or leave a
gap (proved on probe points, see `govex.segments.rules`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from govex.config.loader import line_of, parse_yaml
from govex.errors import ConfigError
from govex.features.catalogue import CUSTOMER_FEATURES, RECENT_REASON_PREFIX, FeatureInfo, recent_reason_feature
from govex.features.seller_catalogue import SELLER_FEATURES
from govex.segments.latent_risk import CLEAN
from govex.segments.rules import Box, ConditionSyntaxError, coverage_problems, parse_condition
from govex.segments.spec import CompositeFramework, FrameworkSpec, RulesFramework

_ADAPTER: TypeAdapter = TypeAdapter(FrameworkSpec)
SHIPPED_FRAMEWORKS = ("lifecycle", "value", "risk", "intent", "value_x_risk")


@dataclass(frozen=True)
class Framework:
    """A validated framework spec with the file it came from and the line of each YAML key."""

    spec: RulesFramework | CompositeFramework
    source: str
    lines: dict[tuple[str, ...], int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.spec.name

    def where(self, *path: str | int) -> str:
        """'file:line' of the deepest key of `path` that the file has."""
        return line_of(self.source, self.lines, path)


def _describe(error: dict, source: str, lines: dict[tuple[str, ...], int]) -> str:
    loc = tuple(str(p) for p in error["loc"])
    if error["type"] not in ("union_tag_invalid", "union_tag_not_found"):
        loc = loc[1:]  # a tagged union puts the tag ('rules' or 'composite') first
    where = line_of(source, lines, loc)
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown field {'.'.join(loc)!r} (check its spelling against docs/segmentation.md)"
    return f"{where}: {'.'.join(loc) or '(top level)'}: {error['msg']}"


def parse_framework(text: str, *, source: str) -> Framework:
    """Parse one framework's YAML text; raises ConfigError listing every problem with its line."""
    data, lines = parse_yaml(text, source=source)
    if not isinstance(data, dict):
        raise ConfigError(f"{source}:1: a framework file must be a mapping with name, segments and rules")
    data.setdefault("kind", "rules")
    try:
        spec = _ADAPTER.validate_python(data)
    except ValidationError as exc:
        errors = exc.errors()
        # A bad list item also fails the list's min_length; report only the item.
        errors = [e for e in errors if not (e["type"] == "too_short" and any(
            o is not e and o["loc"][: len(e["loc"])] == e["loc"] for o in errors))]
        problems = [_describe(error, source, lines) for error in errors]
        raise ConfigError(f"{source}: {len(problems)} problem(s):\n  " + "\n  ".join(problems)) from None
    return Framework(spec=spec, source=source, lines=lines)


def load_framework(path: str | Path) -> Framework:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such framework file") from None
    return parse_framework(text, source=str(path))


def shipped_framework_dir() -> Path:
    return Path(str(resources.files("govex.segments") / "frameworks"))


def load_frameworks(directory: str | Path | None = None, *, names: tuple[str, ...] | None = None) -> list[Framework]:
    """Every `*.yaml` framework in `directory` (the shipped defaults when None), composites last."""
    directory = Path(directory) if directory is not None else shipped_framework_dir()
    if not directory.is_dir():
        raise ConfigError(f"{directory}: no such framework directory")
    frameworks = [load_framework(p) for p in sorted(directory.glob("*.yaml"))]
    seen: dict[str, str] = {}
    for fw in frameworks:
        if fw.name in seen:
            raise ConfigError(f"{fw.where('name')}: framework {fw.name!r} is also defined in {seen[fw.name]}")
        seen[fw.name] = fw.source
    if names is not None:
        unknown = sorted(set(names) - set(seen))
        if unknown:
            raise ConfigError(f"{directory}: no framework named {', '.join(unknown)}; available: {', '.join(sorted(seen))}")
        wanted = set(names) | {part for fw in frameworks if fw.name in names and isinstance(fw.spec, CompositeFramework) for part in fw.spec.of}
        frameworks = [fw for fw in frameworks if fw.name in wanted]
    return sorted(frameworks, key=lambda fw: isinstance(fw.spec, CompositeFramework))


def derived_features(spec: RulesFramework) -> dict[str, FeatureInfo]:
    """Features a framework's own sections (rfm, clv, risk) add for its rules to use."""
    out: dict[str, FeatureInfo] = {}
    if spec.rfm is not None:
        n = spec.rfm.n_bins
        for name in ("r_score", "f_score", "m_score"):
            out[name] = FeatureInfo(name, f"{name[0].upper()} score 1..{n}", "orders", integer=True, lower=1, upper=n)
        out["rfm_score"] = FeatureInfo("rfm_score", "r + f + m scores", "orders", integer=True, lower=3, upper=3 * n)
    if spec.clv is not None:
        for name, upper in (("p_alive", 1.0), ("expected_purchases", None), ("expected_spend", None),
                            ("clv", None), ("clv_percentile", 1.0)):
            out[name] = FeatureInfo(name, f"{name} from the {spec.clv.model} model", "orders", upper=upper)
    if spec.risk is not None:
        out["risk_score"] = FeatureInfo("risk_score", "weighted shrunk incident rates", "orders")
        out["risk_ratio"] = FeatureInfo("risk_ratio", "risk_score / population baseline", "orders")
        for signal in spec.risk.signals:
            name = f"risk_{signal.name}_rate"
            out[name] = FeatureInfo(name, f"shrunk rate of {signal.events} per {signal.exposure}", "orders", upper=1.0)
        if spec.risk.latent_class is not None:
            out["risk_posterior"] = FeatureInfo("risk_posterior", "P(high-incident class | incident levels)", "orders",
                                                upper=1.0)
            out["risk_log_odds"] = FeatureInfo("risk_log_odds", "log-odds of risk_posterior", "orders", lower=-50.0,
                                               upper=50.0)
    return out


def table_feature_catalogue(spec: RulesFramework) -> dict[str, FeatureInfo]:
    """The features computed from warehouse tables for the framework's entity (customer or seller)."""
    return SELLER_FEATURES if spec.entity == "seller" else CUSTOMER_FEATURES


def known_features(spec: RulesFramework) -> dict[str, FeatureInfo]:
    groups = {info.name: info for info in map(recent_reason_feature, spec.features.reason_groups)}
    return table_feature_catalogue(spec) | groups | derived_features(spec)


def _feature_problem(
    name: str, known: dict[str, FeatureInfo], available: set[str] | None, tables: dict[str, FeatureInfo] = CUSTOMER_FEATURES,
) -> str | None:
    if name not in known:
        hint = " (declare its reason group under features.reason_groups)" if name.startswith(RECENT_REASON_PREFIX) else ""
        return f"unknown feature {name!r}{hint}; known features: {', '.join(sorted(known))}"
    from_tables = name in tables or name.startswith(RECENT_REASON_PREFIX)
    if available is not None and from_tables and name not in available:
        return f"feature {name!r} needs table {known[name].table!r}, which this warehouse does not have"
    return None


def _referenced(fw: Framework) -> list[tuple[str, str]]:
    """Features a rules framework names outside its rules (score, risk signals, latent classes), with file:line."""
    spec = fw.spec
    referenced = [(spec.score, fw.where("score"))] + [
        (getattr(signal, attr), fw.where("risk", "signals", i, attr))
        for i, signal in enumerate(spec.risk.signals if spec.risk else ()) for attr in ("events", "exposure")
    ]
    latent = spec.risk.latent_class if spec.risk else None
    if latent is not None:
        referenced += [(name, fw.where("risk", "latent_class", "categories", i)) for i, name in enumerate(latent.categories)]
        referenced.append((CLEAN, fw.where("risk", "latent_class")))
    return referenced


def table_features(fw: Framework) -> set[str]:
    """Every feature computed from a warehouse table that a rules framework needs (rules, score, signals)."""
    spec = fw.spec
    names = {name for name, _ in _referenced(fw) if name} | {f for rule in spec.rules for f in rule.when}
    return {n for n in names if n in table_feature_catalogue(spec) or n.startswith(RECENT_REASON_PREFIX)}


def check_framework(fw: Framework, *, available: set[str] | None = None, frameworks: set[str] | None = None) -> None:
    """Raise ConfigError listing every problem of one framework, each with file:line.

    `available` is the set of features the warehouse can compute (None: do not check tables);
    `frameworks` the names a composite may cross.
    """
    problems: list[str] = []
    spec = fw.spec
    if isinstance(spec, CompositeFramework):
        for i, part in enumerate(spec.of):
            if frameworks is not None and part not in frameworks:
                problems.append(f"{fw.where('of', i)}: composite {spec.name!r} crosses unknown framework {part!r}")
        if problems:
            raise ConfigError(f"{fw.source}: {len(problems)} problem(s):\n  " + "\n  ".join(problems))
        return
    known, tables = known_features(spec), table_feature_catalogue(spec)
    for name, where in _referenced(fw):
        problem = name and _feature_problem(name, known, available, tables)
        if problem:
            problems.append(f"{where}: {problem}")
    boxes: list[Box] = []
    for i, rule in enumerate(spec.rules):
        if rule.segment not in spec.segments:
            problems.append(f"{fw.where('rules', i, 'segment')}: segment {rule.segment!r} is not one of the declared "
                            f"segments ({', '.join(spec.segments)})")
        intervals = {}
        for feature, condition in rule.when.items():
            where = fw.where("rules", i, "when", feature)
            problem = _feature_problem(feature, known, available, tables)
            if problem:
                problems.append(f"{where}: {problem}")
                continue
            try:
                intervals[feature] = parse_condition(condition)
            except ConditionSyntaxError as exc:
                problems.append(f"{where}: {feature}: {exc}")
        boxes.append(Box(rule.segment, intervals, i))
    if not problems:
        problems += _coverage_messages(fw, boxes, known)
    if problems:
        raise ConfigError(f"{fw.source}: framework {spec.name!r}: {len(problems)} problem(s):\n  " + "\n  ".join(problems))


def _coverage_messages(fw: Framework, boxes: list[Box], known: dict[str, FeatureInfo]) -> list[str]:
    try:
        found = coverage_problems(boxes, known, limit=3)
    except ValueError as exc:
        return [f"{fw.where('rules')}: {exc}"]
    messages = []
    for problem in found:
        if not problem.rules:
            messages.append(f"{fw.where('rules')}: gap: no rule covers {problem.describe_point()}; "
                            "add a rule for it or widen a neighbouring one")
        else:
            first, second = (boxes[i] for i in problem.rules[:2])
            messages.append(
                f"{fw.where('rules', second.index)}: overlap: rule {second.index + 1} ({second.segment}: {second.render()}) "
                f"and rule {first.index + 1} at {fw.where('rules', first.index)} ({first.segment}: {first.render()}) "
                f"both match {problem.describe_point()}; make their conditions exclusive"
            )
    return messages
