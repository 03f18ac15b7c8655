"""`govex voc ...`: train, apply and evaluate the offline text classifier, find themes, cost automation.

Inputs are files (CSV, Parquet, JSON lines) or a warehouse (`--db FILE` or `--config govex.yaml`,
reading the contacts table's text and reason columns, or the surveys' comments). Reads from the warehouse
keep a deterministic sample of `--max-texts` rows, stratified by label. Heavy imports stay
inside the commands.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from govex.cli.common import ConfigOption, DbOption, open_warehouse, out_file, print_json

InputFile = Annotated[Optional[Path], typer.Option("--input", help="File of texts (.csv, .parquet, .jsonl).")]
TextColumn = Annotated[str, typer.Option(help="Column holding the text.")]
LabelColumn = Annotated[str, typer.Option(help="Column holding the label.")]
MaxTexts = Annotated[
    int, typer.Option("--max-texts", min=1, help="With a warehouse: a deterministic sample of at most this many texts, stratified by label.")
]
Seed = Annotated[int, typer.Option(help="Seed of the --max-texts sample.")]


def _read_frame(path: Path):
    import pandas as pd

    from govex.errors import VocInputError

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


def _texts(
    input_path: Path | None,
    warehouse,
    text_col: str,
    label_col: str | None,
    *,
    max_texts: int,
    seed: int,
    source: str = "contacts",
    segments: list[str] | None = None,
    with_scores: bool = False,
):
    """A frame with the text column (and the label column when asked) from a file or the warehouse
    (contacts, with their surveys' csat and nps when `with_scores`, or survey comments)."""
    from govex.errors import VocInputError

    if (input_path is None) == (warehouse is None):
        raise VocInputError("give the texts: --input FILE, or a warehouse (--db FILE.duckdb or --config govex.yaml), "
                            "not both")
    if warehouse is not None:
        from govex.voc.sources import contact_texts, survey_comments

        if source == "surveys":
            return survey_comments(warehouse, max_texts=max_texts, seed=seed, segments=segments or ()), "text", None
        frame = contact_texts(
            warehouse, labelled=label_col is not None, max_texts=max_texts, seed=seed, segments=segments or (), survey_scores=with_scores
        )
        return frame, "text", "reason" if label_col is not None else None
    if segments:
        raise VocInputError("--segment needs --db or --config (segments come from the warehouse's segment_assignments)")
    frame = _read_frame(input_path)
    wanted = [text_col] + ([label_col] if label_col else [])
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise VocInputError(f"{input_path}: column(s) {missing} not found (columns: {list(frame.columns)}); use --text-col/--label-col")
    return frame, text_col, label_col


def _write_frame(frame, path: Path) -> None:
    from govex.voc._files import write_atomically

    if path.suffix == ".parquet":
        write_atomically(path, lambda temp: frame.to_parquet(temp, index=False))
    else:
        write_atomically(path, lambda temp: frame.to_csv(temp, index=False))


def _resolvable_shares(pairs: list[str]) -> dict[str, float]:
    from govex.errors import VocInputError

    shares = {}
    for pair in pairs:
        reason, _, value = pair.partition("=")
        try:
            shares[reason.strip()] = float(value)
        except ValueError:
            raise VocInputError(f"--resolvable {pair!r}: expected REASON=SHARE, e.g. where_is_my_order=0.6") from None
    return shares


voc_app = typer.Typer(help="Voice of the customer: classify texts, find themes, cost automation. Texts come from a "
                      "file (--input) or a warehouse (--db or --config: contacts.text and contacts.reason, or "
                      "surveys.comment).", no_args_is_help=True)


@voc_app.command("train")
def train(
    out: Path = out_file("the model (.joblib; a .json sidecar is written beside it)"),
    input_path: InputFile = None,
    db: DbOption = None,
    config: ConfigOption = None,
    text_col: TextColumn = "text",
    label_col: LabelColumn = "reason",
    holdout: float = typer.Option(0.0, help="Share held out for evaluation (0 = train on everything)."),
    evaluation_out: Path | None = out_file("the evaluation JSON (needs --holdout)", None, "--evaluation-out"),
    max_texts: MaxTexts = 20_000,
    seed: Seed = 0,
) -> None:
    """Train the offline classifier on labelled texts and save it (versioned)."""
    from govex.voc.classifier import TextClassifier, train_and_evaluate
    from govex.errors import VocInputError

    warehouse = open_warehouse(db=db, config=config, required=False)
    frame, text, label = _texts(input_path, warehouse, text_col, label_col, max_texts=max_texts, seed=seed)
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


@voc_app.command("classify")
def classify(
    model_path: Path = typer.Option(..., "--model", help="Model file written by `govex voc train`."),
    out: Path = out_file("CSV or Parquet, the input rows plus label and confidence"),
    input_path: InputFile = None,
    db: DbOption = None,
    config: ConfigOption = None,
    text_col: TextColumn = "text",
    max_texts: MaxTexts = 20_000,
    seed: Seed = 0,
) -> None:
    """Label texts with a saved model (label and calibrated confidence per row)."""
    from govex.voc.classifier import TextClassifier

    model = TextClassifier.load(model_path)
    warehouse = open_warehouse(db=db, config=config, required=False)
    frame, text, _ = _texts(input_path, warehouse, text_col, None, max_texts=max_texts, seed=seed)
    result = model.classify(frame[text])
    _write_frame(frame.assign(label=result["label"].to_numpy(), confidence=result["confidence"].to_numpy()), out)
    print_json({"written": str(out), "rows": len(frame), "labels": result["label"].value_counts().to_dict()})


@voc_app.command("evaluate")
def evaluate(
    model_path: Path = typer.Option(..., "--model", help="Model file written by `govex voc train`."),
    input_path: InputFile = None,
    db: DbOption = None,
    config: ConfigOption = None,
    text_col: TextColumn = "text",
    label_col: LabelColumn = "reason",
    out: Path | None = out_file("the evaluation JSON (per class, confusion, precision-coverage curves)", None),
    max_texts: MaxTexts = 20_000,
    seed: Seed = 0,
) -> None:
    """Score a saved model on labelled texts it has not seen."""
    from govex.voc.classifier import TextClassifier

    model = TextClassifier.load(model_path)
    warehouse = open_warehouse(db=db, config=config, required=False)
    frame, text, label = _texts(input_path, warehouse, text_col, label_col, max_texts=max_texts, seed=seed)
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


@voc_app.command("themes")
def themes(
    input_path: InputFile = None,
    db: DbOption = None,
    config: ConfigOption = None,
    source: str = typer.Option("contacts", help="With a warehouse: 'contacts' (contacts.text) or 'surveys' (surveys.comment, with csat and nps)."),
    segment: list[str] = typer.Option([], "--segment", help="With a warehouse: add the customer's segment of this framework as column segment:<framework> (repeatable)."),
    text_col: TextColumn = "text",
    language: str = typer.Option("en", help="En or pt."),
    n_themes: int = typer.Option(12, help="Number of themes."),
    by: list[str] = typer.Option([], "--by", help="Group volumes by this column (repeatable), e.g. journey or segment:value."),
    csat_col: str | None = typer.Option(None, help="CSAT column (1-5) for the score per theme, e.g. csat."),
    nps_col: str | None = typer.Option(None, help="NPS answer column (0-10), e.g. nps."),
    out: Path | None = out_file("a CSV of the input rows with their theme", None),
    max_texts: MaxTexts = 20_000,
    seed: Seed = 0,
) -> None:
    """Find themes in unlabelled texts: phrases, examples, volume and scores per theme and group."""
    from govex.errors import VocInputError
    from govex.voc.themes import ThemeConfig, ThemeFinder, theme_scores

    if source not in ("contacts", "surveys"):
        raise VocInputError(f"--source {source!r}: expected 'contacts' or 'surveys'")
    warehouse = open_warehouse(db=db, config=config, required=False)
    frame, text, _ = _texts(input_path, warehouse, text_col, None, max_texts=max_texts, seed=seed, source=source, segments=segment, with_scores=True)
    finder = ThemeFinder(ThemeConfig(language=language, n_themes=n_themes)).fit(frame[text])
    frame = frame.assign(theme=finder.assignments_)
    if out is not None:
        _write_frame(frame, out)
    scores = theme_scores(frame, by=by, csat_col=csat_col, nps_col=nps_col)
    print_json({"themes": finder.themes_.to_dict(orient="records"), "scores": scores.to_dict(orient="records")})


@voc_app.command("automation")
def automation(
    evaluation_path: Path = typer.Option(..., "--evaluation", help="Evaluation JSON from `govex voc evaluate --out`."),
    out: Path = out_file("the scenario YAML for `govex plan scenario`"),
    volumes_path: Path | None = typer.Option(None, "--volumes", help="File with reason, monthly_contacts, handle_time_s (linear costing)."),
    db: DbOption = None,
    config: ConfigOption = None,
    target_precision: float = typer.Option(0.9, help="Precision the automation must keep."),
    resolvable: list[str] = typer.Option(
        [], "--resolvable", help="REASON=SHARE: share of recognised contacts automation closes (repeatable; overrides the defaults)."
    ),
    default_resolvable_share: float = typer.Option(0.1, help="Resolvable share of reasons without a default or --resolvable."),
    cost_per_productive_hour: float = typer.Option(25.0, help="With --volumes: agent cost per productive hour."),
    productive_hours_per_fte_month: float = typer.Option(120.0, help="With --volumes: productive hours of one FTE per month."),
    llm_cost_per_contact: float = typer.Option(0.0, help="Model cost per automated attempt."),
    name: str = typer.Option("voc-automation", help="Scenario name."),
    top: int | None = typer.Option(None, help="Keep only the best N reasons in the scenario."),
) -> None:
    """Rank automation opportunities per reason and write them as a planning scenario.

    Volumes come from a file (--volumes, costed linearly) or a warehouse (--db or --config: the FTE and cost
    saved from next week's staffing plan).
    """
    from govex.voc.automation import AutomationConfig, automation_opportunities, planned_automation_opportunities, write_scenario
    from govex.errors import VocInputError
    from govex.voc.evaluation import Evaluation

    warehouse = open_warehouse(db=db, config=config, required=False)
    if (volumes_path is None) == (warehouse is None):
        raise VocInputError("give the volumes: --volumes FILE, or a warehouse (--db FILE.duckdb or --config govex.yaml), "
                            "not both")
    config = AutomationConfig(
        target_precision=target_precision,
        resolvable_share=_resolvable_shares(resolvable),
        default_resolvable_share=default_resolvable_share,
        cost_per_productive_hour=cost_per_productive_hour,
        productive_hours_per_fte_month=productive_hours_per_fte_month,
        llm_cost_per_contact=llm_cost_per_contact,
    )
    evaluation = Evaluation.load(evaluation_path)
    if warehouse is not None:
        from govex.planning import plan_from_warehouse

        planned = plan_from_warehouse(warehouse)
        table = planned_automation_opportunities(evaluation, planned.inputs, settings=planned.plan.settings, config=config)
    else:
        table = automation_opportunities(evaluation, _read_frame(volumes_path), config=config)
    write_scenario(table, out, name=name, top_n=top)
    typer.echo(f"scenario written to {out}", err=True)
    print_json(table.to_dict(orient="records"))


def register(app: typer.Typer) -> None:
    app.add_typer(voc_app, name="voc")
