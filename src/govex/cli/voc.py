"""`govex voc ...`: train, apply and evaluate the offline text classifier, find themes, cost automation.

Inputs are files (CSV, Parquet, JSON lines) or a DuckDB warehouse (`--db FILE`, reading the
contacts table's text and reason columns). Heavy imports stay inside the commands.
"""
from __future__ import annotations

from pathlib import Path

import typer

from govex.cli.common import print_json

INPUT_HELP = "file of texts (.csv, .parquet, .jsonl)"
DB_HELP = "DuckDB warehouse file; reads contacts.text and contacts.reason"


def _read_frame(path: Path):
    import pandas as pd

    from govex.voc.errors import VocInputError

    if not path.is_file():
        raise VocInputError(f"{path}: file not found")
    suffix = "".join(path.suffixes[-2:]) if path.suffix == ".gz" else path.suffix
    if suffix in (".csv", ".csv.gz"):
        return pd.read_csv(path)
    if suffix == ".parquet":
        return pd.read_parquet(path)
    if suffix in (".jsonl", ".jsonl.gz"):
        return pd.read_json(path, lines=True)
    raise VocInputError(f"{path}: unsupported file type {suffix!r}; use .csv, .parquet or .jsonl")


def _texts(input_path: Path | None, db: Path | None, text_col: str, label_col: str | None):
    """A frame with the text column (and the label column when asked) from a file or the warehouse."""
    from govex.voc.errors import VocInputError

    if (input_path is None) == (db is None):
        raise VocInputError("give exactly one of --input FILE or --db FILE")
    if db is not None:
        from govex.engine.warehouse import Warehouse
        from govex.voc.sources import contact_texts

        frame = contact_texts(Warehouse.open(f"duckdb:///{db}"), labelled=label_col is not None)
        return frame, "text", "reason" if label_col is not None else None
    frame = _read_frame(input_path)
    wanted = [text_col] + ([label_col] if label_col else [])
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise VocInputError(f"{input_path}: column(s) {missing} not found (columns: {list(frame.columns)}); use --text-col/--label-col")
    return frame, text_col, label_col


def _write_frame(frame, path: Path) -> None:
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        if path.suffix == ".parquet":
            frame.to_parquet(temp, index=False)
        else:
            frame.to_csv(temp, index=False)
        os.replace(temp, path)
    finally:
        Path(temp).unlink(missing_ok=True)


def register(app: typer.Typer) -> None:
    voc = typer.Typer(help="Voice of the customer: classify texts, find themes, cost automation.", no_args_is_help=True)

    @voc.command("train")
    def train(
        out: Path = typer.Option(..., "--out", help="model file to write (.joblib; a .json sidecar is written beside it)"),
        input_path: Path | None = typer.Option(None, "--input", help=INPUT_HELP),
        db: Path | None = typer.Option(None, "--db", help=DB_HELP),
        text_col: str = typer.Option("text", help="column holding the text"),
        label_col: str = typer.Option("reason", help="column holding the label"),
        holdout: float = typer.Option(0.0, help="share held out for evaluation (0 = train on everything)"),
        evaluation_out: Path | None = typer.Option(None, "--evaluation-out", help="evaluation JSON (needs --holdout)"),
    ) -> None:
        """Train the offline classifier on labelled texts and save it (versioned)."""
        from govex.voc.classifier import TextClassifier, train_and_evaluate
        from govex.voc.errors import VocInputError

        frame, text, label = _texts(input_path, db, text_col, label_col)
        if evaluation_out is not None and holdout <= 0:
            raise VocInputError("--evaluation-out needs --holdout (e.g. --holdout 0.2) so the evaluation uses unseen texts")
        summary: dict = {}
        if holdout > 0:
            model, evaluation = train_and_evaluate(frame[text], frame[label], holdout_share=holdout)
            summary.update(accuracy=evaluation.accuracy, macro_f1=evaluation.macro_f1, n_evaluated=evaluation.n_texts)
            if evaluation_out is not None:
                evaluation.save(evaluation_out)
        else:
            model = TextClassifier().fit(frame[text], frame[label])
        model.save(out)
        print_json({"model": str(out), "labels": list(model.classes_), "n_train": model.n_train_, **summary})

    @voc.command("classify")
    def classify(
        model_path: Path = typer.Option(..., "--model", help="model file written by `govex voc train`"),
        out: Path = typer.Option(..., "--out", help="CSV or Parquet: the input rows plus label and confidence"),
        input_path: Path | None = typer.Option(None, "--input", help=INPUT_HELP),
        db: Path | None = typer.Option(None, "--db", help="DuckDB warehouse file; classifies contacts.text"),
        text_col: str = typer.Option("text", help="column holding the text"),
    ) -> None:
        """Label texts with a saved model (label and calibrated confidence per row)."""
        from govex.voc.classifier import TextClassifier

        model = TextClassifier.load(model_path)
        frame, text, _ = _texts(input_path, db, text_col, None)
        result = model.classify(frame[text])
        _write_frame(frame.assign(label=result["label"].to_numpy(), confidence=result["confidence"].to_numpy()), out)
        print_json({"written": str(out), "rows": len(frame), "labels": result["label"].value_counts().to_dict()})

    @voc.command("evaluate")
    def evaluate(
        model_path: Path = typer.Option(..., "--model", help="model file written by `govex voc train`"),
        input_path: Path | None = typer.Option(None, "--input", help=INPUT_HELP),
        db: Path | None = typer.Option(None, "--db", help=DB_HELP),
        text_col: str = typer.Option("text", help="column holding the text"),
        label_col: str = typer.Option("reason", help="column holding the true label"),
        out: Path | None = typer.Option(None, "--out", help="evaluation JSON (per class, confusion, precision-coverage curves)"),
    ) -> None:
        """Score a saved model on labelled texts it has not seen."""
        from govex.voc.classifier import TextClassifier

        model = TextClassifier.load(model_path)
        frame, text, label = _texts(input_path, db, text_col, label_col)
        evaluation = model.evaluate(frame[text], frame[label])
        if out is not None:
            evaluation.save(out)
        print_json(
            {
                "accuracy": evaluation.accuracy,
                "macro_f1": evaluation.macro_f1,
                "n_texts": evaluation.n_texts,
                "per_class": evaluation.per_class.to_dict(orient="records"),
            }
        )

    @voc.command("themes")
    def themes(
        input_path: Path | None = typer.Option(None, "--input", help=INPUT_HELP),
        db: Path | None = typer.Option(None, "--db", help="DuckDB warehouse file; reads contacts.text"),
        text_col: str = typer.Option("text", help="column holding the text"),
        language: str = typer.Option("en", help="en or pt"),
        n_themes: int = typer.Option(12, help="number of themes"),
        by: list[str] = typer.Option([], "--by", help="group volumes by this column (repeatable), e.g. journey"),
        csat_col: str | None = typer.Option(None, help="CSAT column (1-5) for the score per theme"),
        nps_col: str | None = typer.Option(None, help="NPS answer column (0-10)"),
        out: Path | None = typer.Option(None, "--out", help="CSV: the input rows with their theme"),
    ) -> None:
        """Find themes in unlabelled texts: phrases, examples, volume and scores per theme."""
        from govex.voc.themes import ThemeConfig, ThemeFinder, theme_scores

        frame, text, _ = _texts(input_path, db, text_col, None)
        finder = ThemeFinder(ThemeConfig(language=language, n_themes=n_themes)).fit(frame[text])
        frame = frame.assign(theme=finder.assignments_)
        if out is not None:
            _write_frame(frame, out)
        scores = theme_scores(frame, by=by, csat_col=csat_col, nps_col=nps_col)
        print_json({"themes": finder.themes_.to_dict(orient="records"), "scores": scores.to_dict(orient="records")})

    @voc.command("automation")
    def automation(
        evaluation_path: Path = typer.Option(..., "--evaluation", help="evaluation JSON from `govex voc evaluate --out`"),
        out: Path = typer.Option(..., "--out", help="scenario YAML for `govex plan scenario`"),
        volumes_path: Path | None = typer.Option(None, "--volumes", help="file with reason, monthly_contacts, handle_time_s"),
        db: Path | None = typer.Option(None, "--db", help="DuckDB warehouse file; volumes and AHT from contacts"),
        target_precision: float = typer.Option(0.9, help="precision the automation must keep"),
        cost_per_productive_hour: float = typer.Option(25.0, help="agent cost per productive hour"),
        productive_hours_per_fte_month: float = typer.Option(120.0, help="productive hours of one FTE per month"),
        llm_cost_per_contact: float = typer.Option(0.0, help="model cost per automated attempt"),
        name: str = typer.Option("voc-automation", help="scenario name"),
        top: int | None = typer.Option(None, help="keep only the best N reasons in the scenario"),
    ) -> None:
        """Rank automation opportunities per reason and write them as a planning scenario."""
        from govex.voc.automation import AutomationConfig, automation_opportunities, write_scenario
        from govex.voc.errors import VocInputError
        from govex.voc.evaluation import Evaluation

        if (volumes_path is None) == (db is None):
            raise VocInputError("give exactly one of --volumes FILE or --db FILE")
        if db is not None:
            from govex.engine.warehouse import Warehouse
            from govex.voc.sources import reason_volumes

            volumes = reason_volumes(Warehouse.open(f"duckdb:///{db}"))
        else:
            volumes = _read_frame(volumes_path)
        config = AutomationConfig(
            target_precision=target_precision,
            cost_per_productive_hour=cost_per_productive_hour,
            productive_hours_per_fte_month=productive_hours_per_fte_month,
            llm_cost_per_contact=llm_cost_per_contact,
        )
        table = automation_opportunities(Evaluation.load(evaluation_path), volumes, config=config)
        write_scenario(table, out, name=name, top_n=top)
        typer.echo(f"scenario written to {out}", err=True)
        print_json(table.to_dict(orient="records"))

    app.add_typer(voc, name="voc")
