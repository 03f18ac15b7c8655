"""`govex recovery`: what service recovery and customer education achieve, adjusted for who got them.

Compensation's effect on repurchase and on the next CSAT after a failure, and onboarding help's
effect on first-time buyers' contacts per order, each by the doubly robust estimate (with its 90%
interval, the naive difference and the balance check), and whom to compensate by segment, value
against cost.
"""
from __future__ import annotations

import typer

from govex.cli.common import AsOfOption, ConfigOption, DbOption, JsonOption, console, open_warehouse, parse_date, print_json


def _effect_dict(result) -> dict:
    e = result.effect
    return {
        "programme": result.programme, "outcome": result.outcome, "method": e.method, "level": e.level,
        "estimate": e.estimate, "ci_low": e.ci_low, "ci_high": e.ci_high, "naive_difference": e.naive,
        "units": e.units, "treated": e.treated, "trimmed": e.trimmed, "balanced": e.balanced,
        "balance": e.balance.to_dict("records"), "by_segment": e.by_segment.to_dict("records"),
    }


def _print_effect(result) -> None:
    e = result.effect
    console.print(f"[bold]{result.programme}[/bold]: effect on {result.outcome}", highlight=False)
    console.print(f"  adjusted {e.estimate:+.3f} [{e.ci_low:+.3f}, {e.ci_high:+.3f}] ({e.level:.0%}), "
                  f"naive difference {e.naive:+.3f}; {e.treated:,} of {e.units:,} units treated"
                  f"{f', {e.trimmed:,} trimmed for overlap' if e.trimmed else ''}; covariates "
                  f"{'balanced' if e.balanced else 'NOT balanced'} after weighting (max |SMD| "
                  f"{e.balance.smd_before.abs().max():.2f} -> {e.balance.smd_after.abs().max():.2f})", highlight=False)
    for row in e.by_segment.itertuples():
        shown = ("not enough data" if row.estimate != row.estimate
                 else f"{row.estimate:+.3f} [{row.ci_low:+.3f}, {row.ci_high:+.3f}], naive {row.naive:+.3f}")
        console.print(f"    {row.segment}: {shown} ({row.treated:,} of {row.units:,} treated)", highlight=False)
    console.print(f"  method: {e.method}", highlight=False)


def recovery(
    db: DbOption = None,
    config: ConfigOption = None,
    as_of: AsOfOption = None,
    window_days: int = typer.Option(30, "--window-days", min=1,
                                    help="Outcome window after a failure (repurchase, next CSAT), days."),
    as_json: JsonOption = False,
) -> None:
    """Effect of compensation (repurchase, next CSAT) and onboarding help (contacts per order), adjusted, with advice."""
    from govex.analysis.recovery import compensation_effect, default_as_of, onboarding_effect, recommendation

    warehouse = open_warehouse(db=db, config=config)
    end = parse_date(as_of, "--as-of") or default_as_of(warehouse)
    comp = compensation_effect(warehouse, as_of=end, window_days=window_days)
    advice = recommendation(warehouse, comp, as_of=end)
    csat, csat_missing = _csat(warehouse, comp, window_days)
    education = onboarding_effect(warehouse, as_of=end) if warehouse.has("customer_education") else None
    if as_json:
        print_json({"as_of": end.isoformat(), "compensation": _effect_dict(comp),
                    "recommendation": advice.to_dict("records"),
                    "csat_after_recovery": _effect_dict(csat) if csat else {"not_measured": csat_missing},
                    "onboarding_help": _effect_dict(education) if education else None})
        return
    _print_effect(comp)
    console.print("  whom to compensate (value = effect x CLV of a customer who comes back):", highlight=False)
    for row in advice.itertuples():
        console.print(f"    {row.segment}: {row.decision}; cost {row.cost_per_compensation:,.2f}, expected value "
                      f"{row.expected_value:,.2f}, break-even amount {row.break_even_amount:,.2f}", highlight=False)
    if csat is not None:
        _print_effect(csat)
    else:
        console.print(f"CSAT after recovery: not measured ({csat_missing})", highlight=False)
    if education is not None:
        _print_effect(education)
    else:
        console.print("onboarding help: no customer_education table; not measured", highlight=False)


def _csat(warehouse, comp, window_days: int):
    """(effect, None) or (None, why not): CSAT needs surveys answered after enough failures of both kinds."""
    from govex.analysis.recovery import csat_effect
    from govex.errors import ConfigError

    if not warehouse.has("surveys"):
        return None, "no surveys table"
    try:
        return csat_effect(comp.units, window_days=window_days), None
    except ConfigError as error:
        return None, str(error)


def register(app: typer.Typer) -> None:
    app.command("recovery")(recovery)
