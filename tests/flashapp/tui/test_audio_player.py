"""`[sound:...]` chips and the player that plays them: a fake player on PATH records its argv, which
must be the player's fixed options and the file's absolute path, one element, with no shell."""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

from flashapp.anki.html_text import html_to_markdown, html_to_plain
from flashapp.store.media_files import resolve_media
from flashapp.tui.audio_player import PLAYERS, find_player, play, sound_names

FAKE_PLAYER = """#!{python}
import json, sys
with open({record!r}, "w") as out:
    json.dump(sys.argv[1:], out)
"""


def fake_player(folder: Path, name: str, record: Path) -> Path:
    folder.mkdir(exist_ok=True)
    program = folder / name
    program.write_text(FAKE_PLAYER.format(python=sys.executable, record=str(record)))
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    return program


def test_sound_tags_become_chips_whose_names_are_found_again():
    card = 'Say <b>hi</b> [sound:hello world.mp3] then [sound:a_b[1].ogg"] and [sound:hello world.mp3]'
    markdown, plain = html_to_markdown(card), html_to_plain(card)
    assert "[♪ hello world.mp3]" in plain
    assert sound_names(markdown) == sound_names(plain) == ["hello world.mp3", "a_b[1"]


def test_the_first_installed_player_is_used_with_the_file_as_one_argument(tmp_path, monkeypatch):
    record = tmp_path / "argv.json"
    bin_dir = tmp_path / "bin"
    fake_player(bin_dir, "ffplay", record)
    monkeypatch.setenv("PATH", str(bin_dir))
    command = find_player()
    assert command is not None and command[0] == str(bin_dir / "ffplay")
    assert command[1:] == list(dict(PLAYERS)["ffplay"])
    media = tmp_path / "media"
    media.mkdir()
    hostile = "-x; rm -rf ~ $(touch pwned) `id`.mp3"
    (media / hostile).write_bytes(b"ID3")
    path = resolve_media(hostile, [media])
    assert path is not None
    process = play(path, command)
    assert process is not None and process.wait(timeout=20) == 0
    import json

    argv = json.loads(record.read_text())
    assert argv == [*command[1:], str(path)]  # the name is one element, an absolute path
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def test_mpv_is_preferred_and_no_player_means_none(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    for name in ("paplay", "mpv"):
        fake_player(bin_dir, name, tmp_path / f"{name}.json")
    monkeypatch.setenv("PATH", str(bin_dir))
    assert find_player()[0] == str(bin_dir / "mpv")
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert find_player() is None
    assert play(tmp_path / "x.mp3") is None


def test_a_name_outside_the_media_folder_is_never_played(tmp_path):
    (tmp_path / "media").mkdir()
    for name in ("../secret.mp3", "/etc/passwd", "a/../../b.mp3"):
        assert resolve_media(name, [tmp_path / "media"]) is None
    time.sleep(0)  # nothing started
    assert os.listdir(tmp_path / "media") == []
