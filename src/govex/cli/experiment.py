"""`govex experiment read`: effect by segment with CUPED, sample-ratio check and guardrails."""
from __future__ import annotations

from pathlib import Path

import typer

from govex.cli.common import JsonOption, console, print_json

experiment_app = typer.Typer(help="Read experiments (A/B tests).", no_args_is_help=True)


@experiment_app.command("read")
def read(
    data: Path = typer.Option(..., "--data", help="CSV, one row per randomised unit."),
    arm: str = typer.Option(..., "--arm", help="Arm column."),
    metric: str = typer.Option(..., "--metric", help="Primary metric column."),
    pre: str = typer.Option(None, "--pre", help="Pre-period covariate for CUPED."),
    segment: str = typer.Option(None, "--segment", help="Segment column for per-segment reads."),
    guardrail: list[str] = typer.Option([], "--guardrail",
                                        help="Guardrail column; append ':decrease' when a fall is the harm."),
    control: str = typer.Option(None, "--control", help="Control arm (default 'control')."),
    correction: str = typer.Option("holm", "--correction", help="Correction across segments: holm or bh."),
    as_json: JsonOption = False,
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


@experiment_app.command("power")
def power(
    kind: str = typer.Option(..., "--kind", help="Metric kind: proportion, mean or ratio."),
    baseline: float = typer.Option(..., "--baseline", help="Control rate (proportion) or mean."),
    mde: float = typer.Option(None, "--mde", help="Absolute effect to detect: gives the sample size per arm."),
    n: float = typer.Option(None, "--n", help="Sample size per arm: gives the MDE."),
    sd: float = typer.Option(None, "--sd", help="Per-unit standard deviation (mean metrics)."),
    num_sd: float = typer.Option(None, "--num-sd", help="Ratio: per-unit sd of the numerator."),
    den_mean: float = typer.Option(None, "--den-mean", help="Ratio: per-unit mean of the denominator."),
    den_sd: float = typer.Option(None, "--den-sd", help="Ratio: per-unit sd of the denominator."),
    corr: float = typer.Option(0.0, "--corr", help="Ratio: correlation of numerator and denominator."),
    alpha: float = typer.Option(0.05, "--alpha", help="Two-sided significance level."),
    target_power: float = typer.Option(0.8, "--power", help="Probability of detecting the MDE."),
    as_json: JsonOption = False,
) -> None:
    """Sample size per arm for an MDE, or the MDE for a sample size (ratio metrics by the delta method)."""
    from govex.analysis.power import design, ratio_sd
    from govex.errors import ConfigError

    if kind == "ratio":
        if None in (num_sd, den_mean, den_sd):
            raise ConfigError("a ratio metric needs --num-sd, --den-mean and --den-sd (and --corr)")
        sd = ratio_sd(numerator_mean=baseline * den_mean, denominator_mean=den_mean, numerator_sd=num_sd,
                      denominator_sd=den_sd, correlation=corr)
    result = design(kind, baseline=baseline, sd=sd, mde=mde, n_per_arm=n, alpha=alpha, power=target_power)
    if as_json:
        print_json(result.to_dict())
        return
    console.print(f"{result.kind}: {result.n_per_arm:,.0f} per arm detect {result.mde:+.4g} "
                  f"(effect size {result.effect_size:.3g}) with power {result.power:.0%} at alpha {result.alpha}",
                  highlight=False)


@experiment_app.command("sequential")
def sequential(
    data: Path = typer.Option(..., "--data", help="CSV, one row per unit in arrival order."),
    arm: str = typer.Option(..., "--arm", help="Arm column."),
    metric: str = typer.Option(..., "--metric", help="Metric column."),
    control: str = typer.Option("control", "--control", help="Control arm."),
    sd: float = typer.Option(None, "--sd", help="Per-unit sd from before the test (else estimated as it runs)."),
    tau: float = typer.Option(None, "--tau", help="Mixture sd: the size of effect expected (default sd/10)."),
    alpha: float = typer.Option(0.05, "--alpha", help="False-positive rate kept under any monitoring."),
    as_json: JsonOption = False,
) -> None:
    """Always-valid p-value (mSPRT): safe to read after every new unit; stop when p <= alpha."""
    import numpy as np
    import pandas as pd

    from govex.analysis._cube import check_columns, numeric_column
    from govex.analysis.sequential import msprt_p_values
    from govex.errors import ConfigError

    if not data.is_file():
        raise ConfigError(f"--data {data}: no such file")
    frame = pd.read_csv(data)
    check_columns(frame, dims=[arm], measures=[metric], what=str(data))
    values = numeric_column(frame, metric, what=str(data), nonnegative=False)
    arms = frame[arm].astype(str).to_numpy()
    others = sorted(set(arms) - {control})
    if control not in set(arms) or len(others) != 1:
        raise ConfigError(f"{data}, column {arm!r}: expected the control arm {control!r} and one treatment arm; "
                          f"found {sorted(set(arms))}")
    a, b = values[arms == control], values[arms == others[0]]
    looks = min(a.size, b.size)  # pairs of units in arrival order
    p = msprt_p_values(a[:looks], b[:looks], sd=sd, tau=tau)
    hit = np.flatnonzero(p <= alpha)
    result = {"treatment": others[0], "pairs_read": int(looks), "diff": float(b[:looks].mean() - a[:looks].mean()),
              "always_valid_p": float(p[-1]), "significant": bool(p[-1] <= alpha),
              "first_significant_at": int(hit[0]) + 1 if hit.size else None}
    if as_json:
        print_json(result)
        return
    console.print(f"{others[0]} vs {control}: diff {result['diff']:+.4g} after {looks} pairs, always-valid "
                  f"p={result['always_valid_p']:.3g}"
                  + (f" (significant since pair {result['first_significant_at']})" if hit.size else ""),
                  highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(experiment_app, name="experiment")
