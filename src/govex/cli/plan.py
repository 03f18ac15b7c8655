"""`govex plan ...`: forecasts, interval staffing, vendor cost, allocation and scenarios.

Each command parses its options, calls one library function in govex.planning and prints the
result (a table, or JSON with --json). Heavy imports stay inside the commands.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from govex.cli.common import (
    ConfigOption,
    DbOption,
    FromOption,
    JsonOption,
    ToOption,
    console,
    open_warehouse,
    out_file,
    print_json,
    renamed_option,
)
from govex.errors import ConfigError

plan_app = typer.Typer(help="Workforce, cost and budget planning: forecast, staff, cost, allocate, scenario. The "
                       "warehouse commands read contacts, moderation_cases, vendors and staffing.",
                       no_args_is_help=True)


def _records(frame) -> list[dict]:
    return frame.to_dict("records")


@plan_app.command("staff")
def staff(
    calls: Optional[float] = typer.Option(None, "--calls", help="Contacts offered in the interval."),
    interval_s: float = typer.Option(1800, "--interval-s", help="Interval length in seconds."),
    aht_s: Optional[float] = typer.Option(None, "--aht-s", help="Average handle time in seconds."),
    answer_s: float = typer.Option(20, "--answer-s", help="Service-level answer target in seconds."),
    target_sl: Optional[float] = typer.Option(None, "--target-sl", help="Share to answer within --answer-s (0-1)."),
    agents: Optional[int] = typer.Option(None, "--agents", help="Evaluate this many agents instead of solving."),
    target_asa_s: Optional[float] = typer.Option(None, "--target-asa-s", help="Maximum average speed of answer."),
    patience_s: Optional[float] = typer.Option(None, "--patience-s", help="Mean patience: Erlang A with abandonment."),
    max_abandonment: Optional[float] = typer.Option(None, "--max-abandonment", help="Maximum abandon share (0-1)."),
    shrinkage: float = typer.Option(0.0, "--shrinkage", help="Share of paid time not available (0-1)."),
    max_occupancy: float = typer.Option(1.0, "--max-occupancy", help="Occupancy cap (0-1]."),
    concurrency: int = typer.Option(1, "--concurrency", help="Parallel chats per agent."),
    db: DbOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Staff one interval (Erlang C, or Erlang A with --patience-s), or with --db/--config next week of every queue of
    a warehouse."""
    warehouse = open_warehouse(db=db, config=config, required=False)
    if warehouse is not None:
        from govex.planning import plan_from_warehouse

        result = plan_from_warehouse(warehouse)
        if as_json:
            print_json({"queues": _records(result.plan.queues), "total_fte": result.plan.total_fte,
                        "total_cost_week": result.plan.total_cost_week, "currency": result.plan.settings.currency,
                        "percentiles": None if result.percentiles is None else _records(result.percentiles),
                        "assumptions": result.assumptions})
        else:
            console.print(result.summary(), highlight=False)
        return
    if calls is None or aht_s is None:
        raise ConfigError("govex plan staff: give --calls and --aht-s (one interval), or --db FILE.duckdb or --config govex.yaml "
                          "(a warehouse)")
    if agents is not None and (target_sl is not None or target_asa_s is not None or max_abandonment is not None):
        raise ConfigError("govex plan staff: --agents evaluates a staffing; do not combine it with targets")
    from govex.planning.erlang import evaluate_staffing, staff_intervals

    common = dict(calls=calls, interval_s=interval_s, handle_time_s=aht_s, answer_s=answer_s, patience_s=patience_s,
                  shrinkage=shrinkage, concurrency=concurrency)
    if agents is not None:
        result = evaluate_staffing(agents=agents, **common)
    else:
        result = staff_intervals(target_service_level=target_sl, target_asa_s=target_asa_s,
                                 max_abandonment=max_abandonment, max_occupancy=max_occupancy, **common)
    m = result.metrics
    payload = {
        "model": "erlang_a" if patience_s is not None else "erlang_c",
        "agents": int(result.agents[0]),
        "agents_with_shrinkage": int(result.agents_with_shrinkage[0]),
        "service_level": float(m.service_level[0]),
        "asa_s": float(m.asa_s[0]),
        "p_wait": float(m.p_wait[0]),
        "occupancy": float(m.occupancy[0]),
        "p_abandon": float(m.p_abandon[0]),
        "traffic_erlangs": float(result.traffic_erlangs[0]),
        "binding": str(result.binding[0]),
    }
    if as_json:
        print_json(payload)
        return
    for key, value in payload.items():
        console.print(f"{key:<22} {value:.6g}" if isinstance(value, float) else f"{key:<22} {value}", highlight=False)


@plan_app.command("forecast")
def forecast(
    db: DbOption = None,
    config: ConfigOption = None,
    grain: str = typer.Option("day", "--grain", help="Grain: day, 60min, 30min or 15min."),
    source: str = typer.Option("contacts", "--source", help="What to forecast: contacts, or moderation (cases by policy x market)."),
    horizon_days: int = typer.Option(14, "--horizon-days"),
    holdout_days: int = typer.Option(14, "--holdout-days"),
    drivers: bool = typer.Option(False, "--drivers", help="Orders forecast x contacts per order (daily)."),
    model: str = typer.Option("auto", "--model", help="Model: auto (seasonal_naive, profile, profile_trend, profile_monthly "
                              "or ets, chosen per queue by back-test), seasonal_naive, profile, profile_trend, "
                              "profile_monthly, ets, theta, mstl or ensemble (mean of ets and mstl)."),
    as_json: JsonOption = False,
) -> None:
    """Volume forecast per queue with p10-p90 intervals, back-test and holdout WAPE beside a seasonal-naive baseline.

    --json gives the accuracy and the forecast rows. The history is checked first: long gaps and closures are not filled (the fit starts after
    them), short gaps are imputed, level shifts and outliers are handled, and all of it is said.
    """
    from govex.planning.forecast import MODELS, driver_forecast, forecast_queues
    from govex.planning.history import cases_by_interval, contacts_by_interval, orders_by_day

    if source not in ("contacts", "moderation"):
        raise ConfigError(f"--source: expected contacts or moderation, got {source!r}")
    if model != "auto" and model not in MODELS:
        raise ConfigError(f"--model: expected auto or one of {', '.join(MODELS)}, got {model!r}")
    warehouse = open_warehouse(db=db, config=config)
    minutes = 1440 if grain == "day" else int(grain.removesuffix("min")) if grain.endswith("min") else 0
    if minutes not in (15, 30, 60, 1440):
        raise ConfigError(f"--grain: expected day, 60min, 30min or 15min, got {grain!r}")
    if source == "contacts":
        history = contacts_by_interval(warehouse, interval_minutes=minutes)
    else:
        history = cases_by_interval(warehouse, interval_minutes=minutes, by_market=True)
    series = history.groupby(["queue", "period_start"], as_index=False)["contacts"].sum()
    if drivers:
        if grain != "day":
            raise ConfigError("--drivers forecasts daily volumes; use --grain day")
        result = driver_forecast(orders_by_day(warehouse), series, horizon_days=horizon_days, holdout_days=holdout_days)
    else:
        result = forecast_queues(series, grain=grain, horizon_days=horizon_days, holdout_days=holdout_days,
                                 model=model)
    if as_json:
        print_json({"accuracy": _records(result.accuracy), "forecast": _records(result.forecast.astype({"period_start": str})),
                    "skipped": result.skipped})
        return
    console.print(result.text(), highlight=False)
    rows = result.forecast
    busiest = rows.loc[rows.groupby("queue")["forecast"].idxmax()].set_index("queue")
    totals = rows.groupby("queue")["forecast"].sum()
    console.print(f"\nforecast volume over the next {horizon_days} days, and the busiest {grain} with its p10-p90 band:",
                  highlight=False)
    for queue, total in totals.items():
        peak = busiest.loc[queue]
        console.print(f"  {queue:<30}{total:>12,.0f}   {peak.period_start:%a %Y-%m-%d %H:%M} {peak.forecast:,.1f} "
                      f"[{peak.p10:,.1f} - {peak.p90:,.1f}]", highlight=False)


@plan_app.command("cost")
def cost(
    db: DbOption = None,
    config: ConfigOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_json: JsonOption = False,
    old_start: Optional[str] = typer.Option(None, "--start", hidden=True, help="Deprecated: --from."),
    old_end: Optional[str] = typer.Option(None, "--end", hidden=True, help="Deprecated: --to."),
) -> None:
    """Plan vs actual hours, utilisation and cost per queue and vendor, with the variance split."""
    from govex.planning.actuals import plan_vs_actual

    start = renamed_option("--from", start, "--start", old_start)
    end = renamed_option("--to", end, "--end", old_end)
    report = plan_vs_actual(open_warehouse(db=db, config=config), start=start, end=end)
    if as_json:
        print_json({"currency": report.currency, "rows": _records(report.table)})
        return
    console.print(report.text(), highlight=False)


@plan_app.command("allocate")
def allocate(
    problem: Optional[Path] = typer.Option(None, "--problem", help="YAML with queues, vendors and/or a budget."),
    db: DbOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Least-cost routing of queue hours to vendors (and a budget split), with shadow prices in words.

    The problem is a YAML file (--problem), or next week's planned hours of a warehouse (--db or --config).
    """
    from govex.planning.allocation import route_volume, split_budget
    from govex.planning.problems import load_allocation_problem, routing_problem_from_warehouse

    warehouse = open_warehouse(db=db, config=config, required=False)
    if (problem is None) == (warehouse is None):
        raise ConfigError("govex plan allocate: give --problem FILE.yaml, or a warehouse (--db FILE.duckdb or --config "
                          "govex.yaml), not both")
    spec = load_allocation_problem(problem) if problem else routing_problem_from_warehouse(warehouse)
    out: dict = {}
    texts = []
    if spec.queues:
        routing = route_volume(queues=spec.queues, vendors=spec.vendors)
        out["routing"] = {"total_cost_week": routing.total_cost_week, "currency": routing.currency,
                          "allocation": _records(routing.allocation), "shadow_prices": _records(routing.shadow_prices)}
        texts += [routing.allocation.to_string(index=False), routing.explain()]
    if spec.budget is not None:
        budget = split_budget(cells=spec.budget.cells, budget=spec.budget.budget,
                              outcome_name=spec.budget.outcome_name, step=spec.budget.step)
        out["budget"] = {"total_outcome": budget.total_outcome, "marginal_value": budget.marginal_value,
                         "allocation": _records(budget.allocation), "explanations": list(budget.explanations)}
        texts += [budget.allocation.to_string(index=False), budget.explain()]
    if as_json:
        print_json(out)
        return
    console.print("\n\n".join(texts), highlight=False)


@plan_app.command("scenario")
def scenario(
    file: Path = typer.Argument(..., help="Scenario YAML (name, description, changes)."),
    db: DbOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Apply a scenario to next week's plan and show FTE, cost and service level side by side."""
    from govex.planning import load_scenario, plan_from_warehouse, run_scenario

    spec = load_scenario(file)
    base = plan_from_warehouse(open_warehouse(db=db, config=config))
    result = run_scenario(base.inputs, spec, base.plan.settings)
    if as_json:
        print_json({"scenario": spec.name, "comparison": _records(result.comparison), "notes": list(result.notes)})
        return
    console.print(result.text(), highlight=False)


ACTUALS_HELP = ("Interval actuals CSV: interval_start, interval_s, calls, aht_s, agents (may be fractional), "
                "abandoned, answered_in_target.")


@plan_app.command("calibrate")
def calibrate(
    actuals: Path = typer.Option(..., "--actuals", help=ACTUALS_HELP),
    answer_target_s: float = typer.Option(20, "--answer-target-s", help="Answer target of answered_in_target (s)."),
    out: Path = out_file("the calibration JSON"),
    as_json: JsonOption = False,
) -> None:
    """Fit Erlang A's patience and agent availability to interval actuals (abandonment and service level)."""
    from govex.planning.calibration import fit_calibration, read_actuals

    calibration = fit_calibration(read_actuals(actuals), answer_target_s=answer_target_s)
    calibration.write(out)
    if as_json:
        from dataclasses import asdict

        print_json(asdict(calibration))
        return
    console.print(calibration.text() + f"\nwritten to {out}", highlight=False)


@plan_app.command("predict")
def predict(
    actuals: Path = typer.Option(..., "--actuals", help=ACTUALS_HELP + " abandoned/answered_in_target unused."),
    calibration: Path = typer.Option(..., "--calibration", help="Calibration JSON from `govex plan calibrate`."),
    answer_target_s: float = typer.Option(20, "--answer-target-s", help="Answer target of the service level (s)."),
    out: Path = out_file("the predictions CSV (interval_start, calls, effective_agents, p_abandon, service_level, "
                         "asa_s)"),
) -> None:
    """Predict abandonment, service level and ASA per interval with a calibrated Erlang A."""
    from govex.planning.calibration import Calibration, predict as predict_intervals, read_actuals, write_csv

    frame = read_actuals(actuals)
    result = predict_intervals(frame, Calibration.read(calibration), answer_target_s=answer_target_s)
    write_csv(result, out)
    filled = int(frame["filled_aht"].sum())
    note = f" ({filled} intervals without an aht_s used the file's mean AHT)" if filled else ""
    console.print(f"{len(result)} intervals predicted{note}; written to {out}", highlight=False)


def _required(option: str, value: Optional[Path]) -> Path:
    if value is None:
        raise ConfigError(f"give {option} FILE.yaml")
    return value


@plan_app.command("capacity")
def capacity(
    plan_file: Optional[Path] = typer.Option(None, "--capacity-plan", help="Capacity plan YAML (queues, vendors, "
                                             "headcount terms); example: docs/examples/capacity-plan.yaml."),
    months: int = typer.Option(12, "--months", help="Months to plan (12-18 typical)."),
    scenario: Optional[str] = typer.Option(None, "--scenario", help="A scenario named in the plan's scenarios."),
    as_json: JsonOption = False,
    old_config: Optional[Path] = typer.Option(None, "--config", hidden=True, help="Deprecated: --capacity-plan."),
) -> None:
    """Month-by-month required FTE, hires to request, headcount, productive FTE, gap and cost; the annual budget.

    --json gives one row per month, queue and vendor.
    """
    from govex.planning.capacity import build_capacity_plan, load_capacity_config

    path = _required("--capacity-plan", renamed_option("--capacity-plan", plan_file, "--config", old_config))
    plan = build_capacity_plan(load_capacity_config(path), months=months, scenario=scenario)
    if as_json:
        print_json({"scenario": plan.scenario, "currency": plan.currency, "annual_budget": plan.annual_budget,
                    "months": _records(plan.months)})
        return
    console.print(plan.text(), highlight=False)


@plan_app.command("cascade")
def cascade(
    cascade_file: Optional[Path] = typer.Option(None, "--cascade", help="Target cascade YAML (inputs with ranges and "
                                                "costs, output targets with exponents); example: docs/examples/target-cascade.yaml."),
    as_json: JsonOption = False,
    old_config: Optional[Path] = typer.Option(None, "--config", hidden=True, help="Deprecated: --cascade."),
) -> None:
    """Least-cost input targets that meet the output targets (LP), with binding ranges and marginal costs."""
    from govex.planning.cascade import load_cascade, solve_cascade

    result = solve_cascade(load_cascade(_required("--cascade", renamed_option("--cascade", cascade_file, "--config", old_config))))
    if as_json:
        print_json({"total_cost": result.total_cost, "inputs": _records(result.inputs),
                    "outputs": _records(result.outputs)})
        return
    console.print(result.text(), highlight=False)


@plan_app.command("variance")
def variance(
    plan: Path = typer.Option(..., "--plan", help="Planned month, CSV: cell, volume, handle_time_s, utilisation, "
                              "shrinkage, price_per_paid_hour (one row per queue/vendor cell)."),
    actual: Path = typer.Option(..., "--actual", help="Actual month, same columns."),
    as_json: JsonOption = False,
) -> None:
    """Split actual - plan cost into volume, mix, handle time, utilisation, shrinkage and price (adds up exactly).

    --json gives the effects in cents, adding up to the variance.
    """
    from govex.planning.variance import read_cells, split_cost_variance

    split = split_cost_variance(read_cells(plan), read_cells(actual))
    if as_json:
        print_json({"plan_cost": float(split.plan_cost), "actual_cost": float(split.actual_cost),
                    "variance": round(float(split.total), 2), "effects": split.rounded()})
        return
    console.print(split.text(), highlight=False)


@plan_app.command("targets")
def targets(
    history: Path = typer.Option(..., "--history", help="Monthly history CSV: a month column (YYYY-MM) and the metric."),
    metric: str = typer.Option(..., "--metric", help="The metric's column in the history."),
    month: str = typer.Option(..., "--month", help="Month to set the target for (YYYY-MM)."),
    direction: str = typer.Option(..., "--direction", help="Direction: lower (cost, contact rate) or raise (CSAT)."),
    target: Optional[list[float]] = typer.Option(None, "--target", help="A target to price (repeatable)."),
    as_json: JsonOption = False,
) -> None:
    """Stretch, base and safe targets from history (trend, seasonality, spread) with the probability of hitting each."""
    import pandas as pd

    from govex.planning.targets import propose_targets

    if not history.exists():
        raise ConfigError(f"{history}: history file not found")
    proposal = propose_targets(pd.read_csv(history), metric=metric, month=month, direction=direction,
                               targets=target or [])
    if as_json:
        print_json({"metric": proposal.metric, "month": proposal.month, "direction": proposal.direction,
                    "forecast": proposal.forecast, "standard_error": proposal.standard_error,
                    "levels": _records(proposal.levels)})
        return
    console.print(proposal.text(), highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")
