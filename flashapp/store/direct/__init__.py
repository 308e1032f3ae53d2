"""The commands that start, do one thing and exit (`decks`, `next`, `answer`, `stats`, `cards`,
`export` of a package, `import` of deck files, and the TUI's first counts and study session) on an
SQLite collection through the standard library's `sqlite3`.

Importing SQLAlchemy alone costs a `flashapp decks` process more than the official `anki` library's
whole deck tree, so these commands read and write the tables on a `sqlite3` connection when the
collection is an SQLite file at the newest schema (`schema.HEAD_REVISION`). Everything else falls back
to the `Collection` (`direct_or_none` returns None, or a function raises `Unhandled`): PostgreSQL, a
collection to create or upgrade (or written by a newer flashapp), one marked damaged, an unknown deck
or card (the `Collection` words the error), a card of an imported Anki note type.

Nothing here restates a rule of the `Collection`: the counts are `store.counts.deck_counts` and the
queue `store.queue.build_queue` (both plain SQL text that runs on this connection through
`store.sql_text`), the answer `card_state.answer_onto`, the study card `study_views.study_card_of`, the
scheduling `core.scheduling`. Only the reading and writing of a card's rows is SQL text here (`study`),
and lifting burials that ended (`burials`). `tests/flashapp/store/test_direct_study.py` runs both paths
on the same randomly studied collections and checks the columns used against the newest schema.
"""
