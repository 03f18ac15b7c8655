"""Framework files: shipped defaults pass their checks; bad files fail naming the line; nothing is written."""
from __future__ import annotations

import pytest
from features.tiny_marketplace import AS_OF, tiny_frames

from govex.engine import Warehouse
from govex.errors import ConfigError
from govex.segments import (
    ASSIGNMENTS_TABLE,
    SHIPPED_FRAMEWORKS,
    check_framework,
    load_frameworks,
    parse_framework,
    run_segmentation,
    shipped_framework_dir,
)

GOOD_HEAD = "name: tiers\nsegments: [young, old]\nrules:\n"


def test_shipped_frameworks_are_valid():
    frameworks = load_frameworks()
    assert sorted(fw.name for fw in frameworks) == sorted(SHIPPED_FRAMEWORKS)
    for fw in frameworks:
        check_framework(fw, frameworks=set(SHIPPED_FRAMEWORKS))
    alternative = load_frameworks(shipped_framework_dir() / "alternatives")
    check_framework(alternative[0])


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        # unknown field on line 5 ('wehn' instead of 'when')
        (GOOD_HEAD + "  - segment: young\n    wehn: {tenure_days: '< 30'}\n  - segment: old\n    when: {tenure_days: '>= 30'}\n",
         5, "unknown field"),
        # overlap: rule 2 (line 6) overlaps rule 1 on tenure 20..29
        (GOOD_HEAD + "  - segment: young\n    when: {tenure_days: '< 30'}\n  - segment: old\n    when: {tenure_days: '>= 20'}\n",
         6, "overlap"),
        # gap: nothing covers tenure 30..39; reported at the rules key (line 3)
        (GOOD_HEAD + "  - segment: young\n    when: {tenure_days: '< 30'}\n  - segment: old\n    when: {tenure_days: '>= 40'}\n",
         3, "gap"),
        # reference to a feature (column) that does not exist, line 5
        (GOOD_HEAD + "  - segment: young\n    when: {tenure_dayz: '< 30'}\n  - segment: old\n    when: {tenure_days: '>= 30'}\n",
         5, "unknown feature 'tenure_dayz'"),
        # segment not declared, line 6
        (GOOD_HEAD + "  - segment: young\n    when: {tenure_days: '< 30'}\n  - segment: ancient\n    when: {tenure_days: '>= 30'}\n",
         6, "not one of the declared"),
    ],
)
def test_bad_framework_names_the_line(text, line, words):
    with pytest.raises(ConfigError) as info:
        check_framework(parse_framework(text, source="tiers.yaml"))
    assert f"tiers.yaml:{line}:" in str(info.value)
    assert words in str(info.value)


def test_feature_of_a_missing_table_is_skipped_naming_the_table(tmp_path):
    # the tiny warehouse has no moderation_cases table
    (tmp_path / "mod.yaml").write_text(
        "name: mod\nsegments: [flagged, clean]\nrules:\n"
        "  - segment: flagged\n    when: {n_moderation_actions: '>= 1'}\n"
        "  - segment: clean\n    when: {n_moderation_actions: 0}\n"
    )
    (tmp_path / "lifecycle.yaml").write_text((shipped_framework_dir() / "lifecycle.yaml").read_text())
    warehouse = Warehouse.from_frames(tiny_frames())
    assignments = run_segmentation(warehouse, as_of=AS_OF, frameworks_dir=tmp_path)
    assert [a.framework for a in assignments] == ["lifecycle"]
    assert assignments.skipped == ("framework 'mod' skipped: the warehouse has no table 'moderation_cases' "
                                   "(needed by n_moderation_actions)",)


def test_one_bad_framework_stops_every_write(tmp_path):
    # a good lifecycle copy beside a broken one: neither is written
    (tmp_path / "lifecycle.yaml").write_text((shipped_framework_dir() / "lifecycle.yaml").read_text())
    (tmp_path / "broken.yaml").write_text(GOOD_HEAD + "  - segment: young\n    when: {tenure_days: '< 30'}\n")
    warehouse = Warehouse.from_frames(tiny_frames())
    with pytest.raises(ConfigError, match="broken.yaml:3: gap"):
        run_segmentation(warehouse, as_of=AS_OF, frameworks_dir=tmp_path)
    assert not warehouse.has(ASSIGNMENTS_TABLE)


def test_composite_of_unknown_framework(tmp_path):
    (tmp_path / "x.yaml").write_text("kind: composite\nname: x\nof: [lifecycle, nope]\n")
    with pytest.raises(ConfigError, match="x.yaml:3: .*unknown framework 'nope'"):
        run_segmentation(Warehouse.from_frames(tiny_frames()), as_of=AS_OF, frameworks_dir=tmp_path)


def test_latent_class_category_that_does_not_exist_names_its_line():
    # line 6 lists the misspelt category 'n_orders_claimz'
    text = ("name: r\nsegments: [high, rest]\nrisk:\n  signals: [{name: d, events: n_disputed_orders}]\n"
            "  latent_class:\n    categories: [n_orders_claimz]\n"
            "rules:\n  - segment: high\n    when: {risk_posterior: '>= 0.5'}\n"
            "  - segment: rest\n    when: {risk_posterior: '< 0.5'}\n")
    with pytest.raises(ConfigError) as info:
        check_framework(parse_framework(text, source="r.yaml"))
    assert "r.yaml:6:" in str(info.value) and "unknown feature 'n_orders_claimz'" in str(info.value)
