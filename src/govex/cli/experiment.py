"""`govex experiment read`: effect by segment with CUPED, sample-ratio check and guardrails."""
from __future__ import annotations

from pathlib import Path

import typer

from govex.cli.common import console, print_json

experiment_app = typer.Typer(help="Read experiments (A/B tests).", no_args_is_help=True)


@experiment_app.command("read")
def read(
    data: Path = typer.Option(..., "--data", help="CSV, one row per randomised unit"),
    arm: str = typer.Option(..., "--arm", help="arm column"),
    metric: str = typer.Option(..., "--metric", help="primary metric column"),
    pre: str = typer.Option(None, "--pre", help="pre-period covariate for CUPED"),
    segment: str = typer.Option(None, "--segment", help="segment column for per-segment reads"),
    guardrail: list[str] = typer.Option([], "--guardrail",
                                        help="guardrail column; append ':decrease' when a fall is the harm"),
    control: str = typer.Option(None, "--control", help="control arm (default 'control')"),
    correction: str = typer.Option("holm", "--correction", help="holm or bh across segments"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Difference in means with CUPED, SRM check, multiple-testing control and guardrails."""
    import pandas as pd

    from govex.analysis.experiments import read_experiment
    from govex.errors import ConfigError

    if not data.is_file():
        raise ConfigError(f"--data {data}: no such file")
    frame = pd.read_csv(data)
    guards = {}
    for item in guardrail:
        column, _, direction = item.partition(":")
        guards[column] = direction or "increase"
    result = read_experiment(frame, arm=arm, metric=metric, pre=pre, segment=segment, guardrails=guards,
                             control=control, correction=correction)
    if as_json:
        print_json(result.to_dict())
        return
    console.print(f"arms: {result.arm_counts}  SRM p={result.srm_p_value:.3g} "
                  f"({'ok' if result.srm_ok else 'MISMATCH: do not trust this read'})", highlight=False)
    for row in result.effects.itertuples():
        console.print(f"{row.segment:>12} {row.treatment}: diff={row.diff_cuped:+.4g} "
                      f"[{row.ci_low:+.4g}, {row.ci_high:+.4g}] p_adj={row.p_adjusted:.3g} "
                      f"variance -{row.variance_reduction:.0%}{'  *' if row.significant else ''}", highlight=False)
    for row in result.guardrails.itertuples():
        console.print(f"guardrail {row.guardrail} ({row.treatment}): diff={row.diff:+.4g} p={row.p_value:.3g}"
                      f"{'  BREACHED' if row.breached else ''}", highlight=False)
    console.print("trustworthy" if result.trustworthy else "NOT trustworthy", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(experiment_app, name="experiment")
