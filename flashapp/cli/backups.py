"""`flashapp backups`: the collection's backups, newest first (SQLite collections; a server database
is backed up by the server)."""

from __future__ import annotations

import argparse

from flashapp.cli.common import add_json_flag, print_json

SERVER_NOTE = (
    "this collection lives on a database server: backups are the server's "
    "(for PostgreSQL: pg_dump, or the server's own backup schedule); nothing was done"
)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("backups", help="list the collection's backups")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def collection_file(args: argparse.Namespace):
    """The SQLite file behind --db, or None for a server database."""
    from flashapp.store.db import resolve_url, sqlite_file

    return sqlite_file(resolve_url(args.db))


def run(args: argparse.Namespace) -> int:
    from flashapp.store.backup import backup_dir, list_backups

    path = collection_file(args)
    if path is None:
        print(SERVER_NOTE)
        return 0
    backups = list_backups(path)
    if args.json:
        rows = [(b.path.name, str(b.path), b.taken_at.isoformat(), b.reason, b.size) for b in backups]
        print_json(
            [dict(zip(("name", "path", "taken_at", "reason", "bytes"), row, strict=True)) for row in rows]
        )
        return 0
    if not backups:
        print(f"no backups yet in {backup_dir(path)}")
        return 0
    print(f"{len(backups)} backup(s) of {path} in {backup_dir(path)}:")
    for b in backups:
        print(f"  {b.path.name}  {b.taken_at:%Y-%m-%d %H:%M} UTC  {b.reason:<8} {b.size / 1e6:.1f} MB")
    print("restore one with: flashapp restore NAME")
    return 0
