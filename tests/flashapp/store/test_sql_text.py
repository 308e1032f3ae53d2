"""`db_json` writes what `json.dumps(value, ensure_ascii=False)` writes (the engine's serializer), its
direct path for a table of texts (a note's fields) included."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from flashapp.store.sql_text import db_json

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(st.text(), st.text(), max_size=4))
def test_a_table_of_texts_is_written_as_json_writes_it(fields):
    assert db_json(fields) == json.dumps(fields, ensure_ascii=False)


@given(values)
def test_any_value_is_written_as_json_writes_it(value):
    assert db_json(value) == json.dumps(value, ensure_ascii=False)
