"""`govex policy check|simulate|promises`: consistency findings, side-by-side simulation, promises in force."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from govex.cli.common import (
    ConfigOption,
    DbOption,
    FrameworksOption,
    JsonOption,
    SegmentsAsOfOption,
    console,
    open_warehouse,
    parse_date,
    print_json,
)
from govex.errors import ConfigError

EntityOption = Annotated[str, typer.Option("--entity", help="Whose shipped policy when no file is given: customer or seller.")]


def check_command(
    policy: Annotated[Optional[Path], typer.Argument(help="Policy YAML (default: the shipped policy).")] = None,
    db: DbOption = None, config: ConfigOption = None, frameworks: FrameworksOption = None, as_of: SegmentsAsOfOption = None,
    entity: EntityOption = "customer", as_json: JsonOption = False,
) -> None:
    """Check a policy: gaps, ambiguous overlaps, monotonicity, cross-journey contradictions, unknown segments.

    Without --db/--config only the segment combinations are checked; with a warehouse, its
    current customers (sellers, for a seller policy) too. Exits 1 when there is any finding.
    """
    from govex.policy import check_policy_in_warehouse, load_policy, summarise

    loaded = load_policy(policy, entity=entity)
    findings = check_policy_in_warehouse(loaded, open_warehouse(config=config, db=db, required=False), frameworks_dir=frameworks,
                                         as_of=parse_date(as_of, "--as-of"))
    if as_json:
        print_json({"policy": loaded.spec.name, "version": loaded.version, "summary": summarise(findings),
                    "findings": [f.to_dict() for f in findings]})
    else:
        for finding in findings:
            console.print(finding.render(), highlight=False, markup=False)
        counts = ", ".join(f"{k} {v}" for k, v in summarise(findings).items())
        verdict = "consistent" if not findings else f"{len(findings)} finding(s)"
        console.print(f"policy {loaded.spec.name} {loaded.version} ({loaded.source}): {verdict} [{counts}]",
                      highlight=False, markup=False)
    if findings:
        raise typer.Exit(1)


def simulate_command(
    policies: Annotated[Optional[list[Path]], typer.Argument(help="One or two policy files (default: shipped).")] = None,
    db: DbOption = None, config: ConfigOption = None, as_of: SegmentsAsOfOption = None,
    window_days: Annotated[int, typer.Option("--window-days", help="Days of contacts/disputes/returns.")] = 90,
    entity: EntityOption = "customer", as_json: JsonOption = False,
) -> None:
    """Apply one policy, or two side by side, to the current segments and recent volumes.

    A seller policy (`entity: seller`) shows the sellers each seller journey sends to each tier.
    """
    from govex.policy import load_policy, simulate_policies

    warehouse = open_warehouse(config=config, db=db, required=False)
    if warehouse is None:
        raise ConfigError("give --db FILE.duckdb or --config govex.yaml: the simulation needs segments and volumes")
    loaded = [load_policy(p) for p in policies] if policies else [load_policy(entity=entity)]
    if len(loaded) > 2:
        raise ConfigError(f"simulate compares at most two policies; got {len(loaded)}")
    if loaded[0].spec.entity == "seller":
        _print_seller_tiers(warehouse, loaded, parse_date(as_of, "--as-of"), as_json)
        return
    result = simulate_policies(warehouse, loaded, as_of=parse_date(as_of, "--as-of"), window_days=window_days)
    frames = {"tiers": result.tiers, "queues": result.queues, "exposure": result.exposure, "cost": result.cost}
    titles = {k: f"{k} (segments of {result.as_of}, {result.window_days} days of volume)" for k in frames}
    standards = _standards(warehouse)
    if standards is not None:
        frames["standards"] = standards.table
        titles["standards"] = (f"standards: promised vs delivered in force, {standards.start}..{standards.end} "
                               f"(misses: under {standards.target:.0%} of contacts within the promise)")
    if as_json:
        print_json({"as_of": str(result.as_of), "window_days": result.window_days,
                    **{k: v.to_dict(orient="records") for k, v in frames.items()}})
        return
    from rich.table import Table

    for title, frame in frames.items():
        table = Table(title=titles[title])
        for column in frame.columns:
            table.add_column(str(column))
        for row in frame.itertuples(index=False):
            table.add_row(*[f"{v:,.2f}" if isinstance(v, float) else str(v) for v in row])
        console.print(table)


def _print_seller_tiers(warehouse, loaded, as_of, as_json: bool) -> None:
    from govex.policy.sellers import seller_policy_tiers

    frame = seller_policy_tiers(warehouse, loaded, as_of=as_of)
    if as_json:
        print_json({"entity": "seller", "tiers": frame.to_dict(orient="records")})
        return
    from rich.table import Table

    table = Table(title="sellers per journey and tier (latest seller segments)")
    for column in frame.columns:
        table.add_column(str(column))
    for row in frame.itertuples(index=False):
        table.add_row(*[f"{v:,}" if isinstance(v, int) else str(v) for v in row])
    console.print(table)


def _standards(warehouse):
    """Promised vs delivered of the promises in force (`govex policy promises`), or None with a hint."""
    from govex.policy.promises import PROMISES_TABLE
    from govex.policy.standards import service_standards

    if not warehouse.has(PROMISES_TABLE):
        console.print(f"no {PROMISES_TABLE} table: run `govex policy promises` to compare promised and delivered "
                      "service per tier", highlight=False, markup=False)
        return None
    return service_standards(warehouse)


def promises_command(
    policy: Annotated[Optional[Path], typer.Argument(help="Policy in force (default: the shipped policy).")] = None,
    db: DbOption = None, config: ConfigOption = None,
) -> None:
    """Write service_promises: each customer contact's tier and promise (segments of its day) and whether it was met."""
    from govex.policy import load_policy
    from govex.policy.promises import PROMISES_TABLE, write_service_promises

    warehouse = open_warehouse(config=config, db=db, required=False)
    if warehouse is None:
        raise ConfigError("give --db FILE.duckdb or --config govex.yaml: promises need contacts and segments")
    loaded = load_policy(policy)
    covered = write_service_promises(warehouse, loaded)
    console.print(f"{PROMISES_TABLE}: {covered:,} customer contacts with the promise of policy {loaded.spec.name} "
                  f"{loaded.version}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help="Customer and seller prioritisation policy: consistency checks and simulation.", no_args_is_help=True)
    sub.command("check")(check_command)
    sub.command("simulate")(simulate_command)
    sub.command("promises")(promises_command)
    app.add_typer(sub, name="policy")
