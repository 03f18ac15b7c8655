"""`govex clv`: fit the CLV models (BG/NBD, Pareto/NBD, Gamma-Gamma) on a file.

The command reads either a transaction log (summarised here with pandas) or a ready calibration
summary, fits the three models and prints their parameters and log-likelihoods.
"""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from govex.cli.common import JsonOption
from govex.errors import ConfigError

clv_app = typer.Typer(help="Customer lifetime value: BG/NBD, Pareto/NBD and Gamma-Gamma fits.", no_args_is_help=True)


class TimeUnit(str, Enum):
    day = "day"
    week = "week"
    month = "month"


def _read_table(path: Path, *, sep: str, names: Optional[str]):
    import pandas as pd

    if not path.is_file():
        raise ConfigError(f"file not found: {path}")
    column_names = [n.strip() for n in names.split(",")] if names else None
    header = None if column_names else "infer"
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        separator = r"\s+" if sep == "whitespace" else sep
        # Identifiers and dates stay text: leading zeros matter and dates are parsed later.
        return pd.read_csv(path, sep=separator, header=header, names=column_names, dtype=str)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: could not read it as a table ({exc}); check --sep and --names.") from exc


def _numeric(frame, column: str, path: Path, option: str):
    import pandas as pd

    if column not in frame.columns:
        raise ConfigError(
            f"{path}: no column {column!r} (set with {option}); columns are {list(frame.columns)}."
        )
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64")


def _summary_from_transactions(path, *, sep, names, customer_col, date_col, date_format, amount_col,
                               calibration_end, time_unit):
    import pandas as pd

    from govex.errors import ModelError
    from govex.models import repeat_purchase_summary

    if calibration_end is None:
        raise ConfigError("--calibration-end is required with --transactions (the last day of the calibration period).")
    frame = _read_table(path, sep=sep, names=names)
    if date_col in frame.columns and date_format:
        parsed = pd.to_datetime(frame[date_col], format=date_format, errors="coerce")
        frame[date_col] = parsed.where(parsed.notna(), frame[date_col])
    try:
        summary = repeat_purchase_summary(
            frame, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
            calibration_end=calibration_end, time_unit=time_unit.value,
        )
    except ModelError as exc:
        raise ModelError(f"{path}: {exc}") from exc
    spend = summary["monetary_value"].to_numpy() if amount_col else None
    return summary["frequency"].to_numpy(float), summary["recency"].to_numpy(), summary["T"].to_numpy(), spend


def _summary_from_file(path, *, sep, names, frequency_col, recency_col, T_col, spend_col, spend_col_given):
    frame = _read_table(path, sep=sep, names=names)
    frequency = _numeric(frame, frequency_col, path, "--frequency-col")
    recency = _numeric(frame, recency_col, path, "--recency-col")
    age = _numeric(frame, T_col, path, "--T-col")
    if spend_col in frame.columns:
        spend = _numeric(frame, spend_col, path, "--spend-col")
    elif spend_col_given:
        raise ConfigError(f"{path}: no spend column {spend_col!r} (--spend-col); columns are {list(frame.columns)}.")
    else:
        spend = None
    return frequency, recency, age, spend


@clv_app.command("fit")
def fit(
    transactions: Annotated[Optional[Path], typer.Option(help="Transaction log (CSV/TSV/parquet), one row per transaction.")] = None,
    summary: Annotated[Optional[Path], typer.Option(help="Calibration summary, one row per customer.")] = None,
    customer_col: Annotated[str, typer.Option(help="Customer id column of --transactions.")] = "customer_id",
    date_col: Annotated[str, typer.Option(help="Date column of --transactions.")] = "date",
    date_format: Annotated[Optional[str], typer.Option(help="The strftime format of --date-col, e.g. %Y%m%d.")] = None,
    amount_col: Annotated[Optional[str], typer.Option(help="Transaction value column; enables Gamma-Gamma.")] = None,
    calibration_end: Annotated[Optional[str], typer.Option(help="Last day (inclusive) of the calibration period.")] = None,
    time_unit: Annotated[TimeUnit, typer.Option(help="Unit of recency and T.")] = TimeUnit.week,
    frequency_col: Annotated[str, typer.Option(help="Repeat-purchase count column of --summary (CDNOW: x).")] = "frequency",
    recency_col: Annotated[str, typer.Option(help="Recency column of --summary (CDNOW: t_x).")] = "recency",
    T_col: Annotated[str, typer.Option("--T-col", help="Customer age column of --summary.")] = "T",
    spend_col: Annotated[Optional[str], typer.Option(help="Mean repeat spend column of --summary (CDNOW: zbar); default monetary_value if present.")] = None,
    sep: Annotated[str, typer.Option(help="Field separator of text files; 'whitespace' for runs of spaces.")] = ",",
    names: Annotated[Optional[str], typer.Option(help="Comma-separated column names for a file without a header row.")] = None,
    l2_penalty: Annotated[float, typer.Option(help="L2 penalty on the log-parameters (0 = plain MLE).")] = 0.0,
    as_json: JsonOption = False,
) -> None:
    """Fit BG/NBD, Pareto/NBD and (when spend is available) Gamma-Gamma; print parameters and log-likelihoods."""
    if (transactions is None) == (summary is None):
        raise ConfigError("give exactly one of --transactions FILE or --summary FILE.")
    if transactions is not None:
        frequency, recency, age, spend = _summary_from_transactions(
            transactions, sep=sep, names=names, customer_col=customer_col, date_col=date_col,
            date_format=date_format, amount_col=amount_col, calibration_end=calibration_end, time_unit=time_unit,
        )
        source = transactions
    else:
        frequency, recency, age, spend = _summary_from_file(
            summary, sep=sep, names=names, frequency_col=frequency_col, recency_col=recency_col, T_col=T_col,
            spend_col=spend_col or "monetary_value", spend_col_given=spend_col is not None,
        )
        source = summary
    payload = _fit_all(frequency, recency, age, spend, l2_penalty=l2_penalty, source=source)
    _print(payload, as_json=as_json, n_customers=len(frequency), time_unit=time_unit.value,
           from_summary=summary is not None)


def _fit_all(frequency, recency, age, spend, *, l2_penalty: float, source: Path) -> dict:
    from govex.errors import ModelError
    from govex.models import BetaGeo, GammaGamma, ParetoNBD

    payload = {}
    try:
        for key, model in (("bgnbd", BetaGeo(l2_penalty=l2_penalty)), ("pareto_nbd", ParetoNBD(l2_penalty=l2_penalty))):
            model.fit(frequency, recency, age)
            payload[key] = {**model.params_, "loglik": model.loglik_}
        if spend is not None:
            spend_model = GammaGamma(l2_penalty=l2_penalty).fit(frequency, spend)
            payload["gamma_gamma"] = {**spend_model.params_, "loglik": spend_model.loglik_}
    except ModelError as exc:
        raise ModelError(f"{source}: {exc}") from exc
    return payload


def _print(payload: dict, *, as_json: bool, n_customers: int, time_unit: str, from_summary: bool) -> None:
    from rich.table import Table

    from govex.cli.common import console, print_json

    no_spend = "gamma_gamma" not in payload
    hint = "pass --spend-col" if from_summary else "pass --amount-col"
    if as_json:
        print_json(payload)
        if no_spend:
            typer.echo(f"note: no spend column, so no gamma_gamma fit ({hint}).", err=True)
        return
    table = Table(title=f"CLV model fits ({n_customers} customers, time unit: {time_unit})")
    for column in ("model", "parameters", "log-likelihood"):
        table.add_column(column)
    labels = {"bgnbd": "BG/NBD", "pareto_nbd": "Pareto/NBD", "gamma_gamma": "Gamma-Gamma"}
    for key, values in payload.items():
        params = "  ".join(f"{k}={v:.4f}" for k, v in values.items() if k != "loglik")
        table.add_row(labels[key], params, f"{values['loglik']:.3f}")
    console.print(table)
    if no_spend:
        console.print(f"Gamma-Gamma not fitted: no spend column ({hint}).")


def register(app: typer.Typer) -> None:
    """Add the `clv` command group to the govex CLI."""
    app.add_typer(clv_app, name="clv")
