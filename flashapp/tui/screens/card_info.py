"""Card info: the card as studied (images drawn, hints open), where it stands (state, due, interval, ease,
flag) and its whole review history. `v` shows its images full-screen, `p` plays its sounds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from flashapp.errors import UserError
from flashapp.store.editing import FLAG_NAMES
from flashapp.tui.audio_player import Playback, play_card_sounds, sound_names
from flashapp.tui.formatting import due_text, duration_text
from flashapp.tui.screens.image_viewer import ImageViewerScreen
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.card_view import CardText, sides_images
from flashapp.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from flashapp.store.card_views import CardInfo
    from flashapp.store.collection import Collection
    from flashapp.store.study_views import ReviewEntry


def facts_content(info: CardInfo, flag: int, due: str) -> Content:
    facts = [
        ("Deck", info.deck),
        ("Note", f"{info.key} (note {info.note_id})"),
        ("Tags", " ".join(info.tags) or "–"),
        ("State", info.state + ("  (suspended)" if info.suspended else "")),
        ("Due", due),
        ("Interval", f"{info.interval_days} d"),
        ("Ease", f"{info.ease * 100:.0f}%"),
        ("Reviews", f"{info.reps}, lapses {info.lapses}"),
        ("Flag", FLAG_NAMES[flag] if flag else "–"),
    ]
    # Everything here may come from card text or deck names: Content pieces, never markup.
    return Content("\n").join(Content.assemble((f"{label:<10}", "dim"), value) for label, value in facts)


class CardInfoScreen(StyledOnMount, ModalScreen[None]):
    DEFAULT_CSS = """
    CardInfoScreen { align: center middle; }
    CardInfoScreen #info {
        width: 90%; max-width: 100; height: 90%; padding: 0 2;
        border: round $primary; background: $surface;
    }
    CardInfoScreen #info-scroll { height: 1fr; }
    CardInfoScreen .heading { text-style: bold; color: $primary; margin: 1 0 0 0; }
    CardInfoScreen #history { height: auto; max-height: 20; }
    CardInfoScreen #close-hint { color: $text-muted; dock: bottom; height: 1; }
    """
    BINDINGS = [
        Binding("escape,i,enter", "close", "Close", id="close"),
        Binding("v", "view_image", "View image", id="view-image"),
        Binding("p", "play_audio", "Play audio", id="play-audio"),
    ]

    def __init__(self, collection: Collection, card_id: int) -> None:
        super().__init__()
        self.collection = collection
        self.card_id = card_id
        self._playback = Playback()

    def _find_media(self, name: str):
        return self.collection.media_path(self.card_id, name)

    def _sides(self) -> list[CardText]:
        return list(self.query(".side").results(CardText))

    def compose(self) -> ComposeResult:
        collection = self.collection
        info = collection.card(self.card_id)
        now = collection.clock()
        due = due_text(info.due, info.state, now, collection.tz)
        with Vertical(id="info") as box:
            box.border_title = f"Card {info.id}"
            with VerticalScroll(id="info-scroll"):
                try:
                    rendered = collection.study_card(self.card_id).rendered
                except UserError:
                    question, answer = info.front, info.back
                else:
                    question = rendered.question
                    answer = rendered.answer + (f"\n\n{rendered.extra}" if rendered.extra.strip() else "")
                yield Static(Content.styled("Question", ""), classes="heading")
                yield CardText(question, find_image=self._find_media, hints_open=True, classes="side")
                yield Static(Content.styled("Answer", ""), classes="heading")
                yield CardText(answer, find_image=self._find_media, hints_open=True, classes="side")
                yield Static(Content.styled("Scheduling", ""), classes="heading")
                yield Static(facts_content(info, collection.card_flag(info.id), due))
                yield Static(Content.styled("Review history", ""), classes="heading")
                yield self._history_table(collection.review_history(self.card_id))
            yield Static(Content("Esc closes"), id="close-hint")
        yield Footer(compact=True)

    def _history_table(self, history: list[ReviewEntry]) -> DataTable | Static:
        if not history:
            return Static(Content.styled("Not reviewed yet.", "dim"))
        table: DataTable = DataTable(id="history", cursor_type="none", zebra_stripes=True)
        table.add_columns(*(Text(label) for label in ("When", "Rating", "State", "Interval", "Ease", "Time")))
        tz = self.collection.tz
        for entry in history:
            table.add_row(
                Text(f"{entry.reviewed_at.astimezone(tz):%Y-%m-%d %H:%M}"),
                Text(entry.rating.name.title()),
                Text(f"{entry.state_before} → {entry.state_after}"),
                Text(f"{entry.interval_after_days} d", justify="right"),
                Text(f"{entry.ease_after * 100:.0f}%", justify="right"),
                Text(duration_text(entry.duration_ms), justify="right"),
            )
        return table

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "view_image":
            return bool(sides_images(self._sides()))
        if action == "play_audio":
            return any(sound_names(side.markdown) for side in self._sides())
        return True

    def on_mount(self) -> None:
        self.refresh_bindings()

    def action_view_image(self) -> None:
        images = sides_images(self._sides())
        if images:
            self.app.push_screen(ImageViewerScreen(images, self._find_media))

    def action_play_audio(self) -> None:
        side = next((side for side in self._sides() if sound_names(side.markdown)), None)
        if side is not None:
            self.notify(play_card_sounds(side.markdown, self._find_media, self._playback), markup=False)

    def action_close(self) -> None:
        self._playback.stop()
        self.dismiss(None)
