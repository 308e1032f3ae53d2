"""`flashapp restore BACKUP`: put a backup in the collection's place, after backing up the current
state (which `flashapp backups` then lists as a "restore" backup)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from flashapp.cli.backups import SERVER_NOTE, collection_file


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("restore", help="restore a backup (the current state is backed up first)")
    parser.add_argument("backup", metavar="BACKUP", help="a name from `flashapp backups`, or a path")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from flashapp.store.backup import find_backup, restore_backup
    from flashapp.store.damage import clear_damage

    path = collection_file(args)
    if path is None:
        print(SERVER_NOTE)
        return 0
    backup = find_backup(path, args.backup)
    saved = restore_backup(path, backup, datetime.now(UTC))
    clear_damage(path)
    print(f"restored {path} from {backup.name}")
    if saved is not None:
        print(f"the state before is kept as {saved.name}")
    return 0
