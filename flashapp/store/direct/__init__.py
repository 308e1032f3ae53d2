"""The study commands (`decks`, `next`, `answer`) on an SQLite collection through the standard
library's `sqlite3`, for processes that start, do one thing and exit.

Importing SQLAlchemy alone costs a `flashapp decks` process more than the official `anki` library's
whole deck tree, so these commands read and write the tables with plain SQL here when the collection is
an SQLite file at the schema this package was written for (`WRITTEN_FOR`). Everything else falls back
to the `Collection` (`direct_or_none` returns None, or a function returns `UNHANDLED`): PostgreSQL, a
collection to create or upgrade, one marked damaged, burials that ended and must be lifted first, an
unknown deck or card (the `Collection` words the error), a card of an imported Anki note type.

What the commands compute is shared with the `Collection`: the answer is `card_state.answer_onto`, the
study card `study_views.study_card_of`, the scheduling `core.scheduling`. The counting and queue rules
are mirrored from `store/counts.py` and `store/queue.py` in SQL text; `tests/flashapp/store/
test_direct_study.py` runs both on the same collections and fails when they part.
"""
