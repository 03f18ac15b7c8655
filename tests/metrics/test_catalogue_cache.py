"""The validated-catalogue cache: a hit skips the checks; an edited file, contract or code is checked afresh."""
import pytest

from govex.errors import CatalogueError
from govex.metrics import catalogue as catalogue_module
from govex.metrics import disk_cache, load_catalogue

METRIC = """metrics:
  - name: my_contacts
    label: {label}
    description: Contacts received.
    unit: contacts
    direction: lower
    role: output
    category: efficiency
    kind: {kind}
    table: contacts
    time_column: created_at
    numerator: {{}}
"""


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("GOVEX_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def user_file(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(METRIC.format(label="First", kind="count"))
    return path


def _not_validated(*args):
    raise AssertionError("the catalogue was validated although an entry for it is cached")


def _entries(cache):
    return sorted((cache / "catalogue").glob("*.pickle"))


def test_a_second_load_skips_the_checks(cache, user_file, monkeypatch):
    first = load_catalogue(user_file, include_shipped=False)
    assert len(_entries(cache)) == 1
    with monkeypatch.context() as patched:
        patched.setattr(catalogue_module, "_validate", _not_validated)
        again = load_catalogue(user_file, include_shipped=False)
    assert again.names() == ["my_contacts"] and again["my_contacts"].label == "First"
    assert again.origins["my_contacts"].line == 2 and again.allowed == first.allowed


def test_an_edited_file_is_picked_up_even_at_the_same_size(cache, user_file):
    load_catalogue(user_file, include_shipped=False)
    user_file.write_text(METRIC.format(label="Fresh", kind="count"))  # "First" -> "Fresh": same length
    assert load_catalogue(user_file, include_shipped=False)["my_contacts"].label == "Fresh"
    assert len(_entries(cache)) == 2


def test_an_edit_that_breaks_the_file_raises_instead_of_serving_the_cached_catalogue(cache, user_file):
    load_catalogue(user_file, include_shipped=False)
    user_file.write_text(METRIC.format(label="First", kind="counted"))
    with pytest.raises(CatalogueError, match="kind"):
        load_catalogue(user_file, include_shipped=False)
    assert len(_entries(cache)) == 1  # a failed catalogue is never stored


def test_changed_checking_code_or_contract_is_a_different_key(cache, user_file, monkeypatch):
    load_catalogue(user_file, include_shipped=False)
    monkeypatch.setattr(disk_cache, "_code_fingerprint", lambda: b"another contract")
    calls = []
    real = catalogue_module._validate
    monkeypatch.setattr(catalogue_module, "_validate", lambda *a: calls.append(1) or real(*a))
    assert load_catalogue(user_file, include_shipped=False)["my_contacts"].label == "First"
    assert calls == [1] and len(_entries(cache)) == 2


def test_a_corrupt_entry_is_checked_afresh_and_replaced(cache, user_file):
    load_catalogue(user_file, include_shipped=False)
    (entry,) = _entries(cache)
    entry.write_bytes(b"not a pickle")
    assert load_catalogue(user_file, include_shipped=False)["my_contacts"].label == "First"
    assert entry.read_bytes() != b"not a pickle"


def test_an_empty_cache_dir_setting_turns_the_cache_off(tmp_path, user_file, monkeypatch):
    monkeypatch.setenv("GOVEX_CACHE_DIR", "")
    assert load_catalogue(user_file, include_shipped=False)["my_contacts"].label == "First"
    assert disk_cache.cache_dir() is None and not list(tmp_path.rglob("*.pickle"))
