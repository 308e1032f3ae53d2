"""`flashapp import PACKAGE [--reset]` and `flashapp export DECK -o FILE.apkg` from the command line."""

from __future__ import annotations

import json

from flashapp.cli.main import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_export_and_cards_json(anki_packages, tmp_path, capsys):
    db = str(tmp_path / "c.db")
    code, out, err = run(capsys, "--db", db, "import", str(anki_packages["modern"]))
    assert (code, err) == (0, "")
    assert "note(s) added" in out and "modern (collection.anki21b)" in out and "Lang::Vocab" in out

    code, out, _ = run(capsys, "--db", db, "import", str(anki_packages["legacy"]), "--json")
    [package] = json.loads(out)
    assert (package["notes_added"], package["notes_unchanged"], package["cards_added"]) == (0, 12, 0)

    code, out, _ = run(capsys, "--db", db, "cards", "--deck", "Lang::Vocab", "--search", "hello", "--json")
    [card] = json.loads(out)
    assert (card["front"], card["back"]) == ("Hello world & more", "Hallo\n![](pixel.png)")
    assert (card["state"], card["media"], card["tags"]) == ("learning", ["pixel.png"], ["german", "greeting"])

    target = tmp_path / "out" / "lang.apkg"
    code, out, err = run(capsys, "--db", db, "export", "Lang", "-o", str(target), "--json")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["decks"] == ["Lang", "Lang::Grammar", "Lang::Vocab"] and report["media"] == 1
    assert target.is_file()


def test_reset_and_study_kinds(anki_packages, tmp_path, capsys):
    db = str(tmp_path / "c.db")
    assert run(capsys, "--db", db, "import", "--reset", str(anki_packages["modern"]))[0] == 0
    code, out, _ = run(capsys, "--db", db, "cards", "--search", "is:review", "--json")
    assert json.loads(out) == []
    code, out, _ = run(capsys, "--db", db, "next", "--deck", "Science", "--json")
    card = json.loads(out)["card"]
    assert card["note_type"] in ("cloze", "basic") and card["question"]


def test_errors_are_one_line_and_write_nothing(tmp_path, capsys):
    db = str(tmp_path / "c.db")
    missing = tmp_path / "missing.apkg"
    code, out, err = run(capsys, "--db", db, "import", str(missing))
    assert code == 2 and err.startswith("flashapp: ") and err.count("\n") == 1
    code, out, err = run(capsys, "--db", db, "export", "Nope", "-o", str(tmp_path / "x.apkg"))
    assert code == 2 and "unknown deck 'Nope'" in err and err.count("\n") == 1
    assert not (tmp_path / "x.apkg").exists()
