"""Every statistics panel in one matplotlib figure, saved as PNG (Figure + Agg canvas, never pyplot)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from flashapp.core.scheduling.metrics import CalibrationBin

COLOURS = {
    "learning": "#e6a23c",
    "review": "#409eff",
    "relearning": "#f56c6c",
    "young": "#67c23a",
    "mature": "#2e7d32",
    "new": "#909399",
}


def save_figure(stats: dict[str, Any], calibration: Sequence[CalibrationBin], path: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(18, 16), dpi=90, layout="constrained")
    FigureCanvasAgg(figure)
    title = stats["deck"] or "All decks"
    figure.suptitle(f"{title}: statistics on study day {stats['study_day']}", fontsize=15)
    axes = figure.subplots(4, 3)
    _forecast(axes[0][0], stats["forecast"])
    _heatmap(axes[0][1], stats["heatmap"], stats["study_day"], stats["streak_days"])
    _reviews(axes[0][2], stats["reviews_by_day"], stats["study_day"])
    _histogram(axes[1][0], stats["intervals"], "Review intervals", "days")
    _histogram(axes[1][1], stats["stability"], "FSRS stability", "days")
    difficulty = stats["difficulty"] if any(r["cards"] for r in stats["difficulty"]) else stats["ease"]
    name = "FSRS difficulty" if difficulty is stats["difficulty"] else "SM-2 ease"
    _histogram(axes[1][2], difficulty, name, "")
    _card_counts(axes[2][0], stats["card_counts"])
    _hourly(axes[2][1], stats["hourly"])
    _buttons(axes[2][2], stats["answer_buttons"])
    _retention_table(axes[3][0], stats["true_retention"], stats["today"])
    _added(axes[3][1], stats["added"], stats["study_day"])
    _reliability(axes[3][2], calibration)
    figure.savefig(path, format="png")


def _forecast(ax: Any, rows: list[dict[str, Any]]) -> None:
    days = [r["day"] for r in rows]
    bottom = [0] * len(rows)
    for state in ("review", "learning", "relearning"):
        values = [r[state] for r in rows]
        ax.bar(days, values, bottom=bottom, color=COLOURS[state], label=state)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set(
        title="Forecast: cards due", xlabel="days from today (0 = today, overdue included)", ylabel="cards"
    )
    ax.legend(fontsize=8)


def _heatmap(ax: Any, heatmap: list[dict[str, Any]], today_text: str, streak: int) -> None:
    import numpy as np

    today = date.fromisoformat(today_text)
    first = today - timedelta(days=today.weekday() + 52 * 7)  # a Monday, 53 weeks back
    grid = np.full((7, 53), np.nan)
    for row in heatmap:
        day = date.fromisoformat(row["day"])
        offset = (day - first).days
        if 0 <= offset < 7 * 53:
            grid[offset % 7][offset // 7] = row["reviews"]
    for offset in range((today - first).days + 1):
        if np.isnan(grid[offset % 7][offset // 7]):
            grid[offset % 7][offset // 7] = 0
    image = ax.imshow(grid, aspect="auto", cmap="Greens", interpolation="nearest")
    ax.set_yticks(range(7), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], fontsize=7)
    ticks = [w for w in range(53) if (first + timedelta(weeks=w)).day <= 7]
    ax.set_xticks(ticks, [(first + timedelta(weeks=w)).strftime("%b") for w in ticks], fontsize=7)
    ax.set_title(f"Reviews per day, past year (streak: {streak} days)")
    ax.figure.colorbar(image, ax=ax, fraction=0.03)


def _reviews(ax: Any, rows: list[dict[str, Any]], today_text: str) -> None:
    # A year of days, three kinds: stacked steps (three artists) draw the same picture as stacked
    # bars a day wide, without a thousand patches for matplotlib to lay out and draw.
    import numpy as np

    today = date.fromisoformat(today_text)
    ages = [-(today - date.fromisoformat(r["day"])).days for r in rows]
    first, last = min(ages, default=0), max(ages, default=0)
    edges = np.arange(first, last + 2) - 0.5  # one step a day, centred on its day
    bottom = np.zeros(len(edges) - 1)
    for kind in ("learning", "review", "relearning"):
        values = np.zeros(len(edges) - 1)
        for age, row in zip(ages, rows, strict=True):
            values[age - first] += row[kind]
        ax.stairs(bottom + values, edges, baseline=bottom, fill=True, color=COLOURS[kind], label=kind)
        bottom = bottom + values
    ax.set(title="Reviews per day by kind", xlabel="days ago", ylabel="answers")
    ax.legend(fontsize=8)


def _histogram(ax: Any, rows: list[dict[str, Any]], title: str, unit: str) -> None:
    labels = [f"{r['from']:g}-{r['to']:g}" if r["to"] is not None else f"{r['from']:g}+" for r in rows]
    ax.bar(range(len(rows)), [r["cards"] for r in rows], color=COLOURS["review"])
    ax.set_xticks(range(len(rows)), labels, rotation=60, fontsize=7)
    ax.set(title=title, xlabel=unit, ylabel="cards")


def _card_counts(ax: Any, counts: dict[str, int]) -> None:
    names = list(counts)
    ax.barh(names, [counts[n] for n in names], color=[COLOURS.get(n, "#b0b0b0") for n in names])
    for y, name in enumerate(names):
        ax.text(counts[name], y, f" {counts[name]}", va="center", fontsize=8)
    ax.set(title="Card counts", xlabel="cards")


def _hourly(ax: Any, rows: list[dict[str, Any]]) -> None:
    ax.bar([r["hour"] for r in rows], [r["answers"] for r in rows], color=COLOURS["review"])
    ax.set(title="Hourly breakdown", xlabel="local hour", ylabel="answers")
    other = ax.twinx()
    points = [(r["hour"], r["recall"]) for r in rows if r["recall"] is not None]
    other.plot([h for h, _ in points], [v for _, v in points], "o-", color=COLOURS["relearning"], ms=3)
    other.set_ylim(0, 1.05)  # room above 100%, where the line's points would be cut in half
    other.set_ylabel("recall")


def _buttons(ax: Any, buttons: dict[str, dict[str, int]]) -> None:
    names = ("again", "hard", "good", "easy")
    width = 0.27
    for k, group in enumerate(("learning", "young", "mature")):
        ax.bar(
            [i + (k - 1) * width for i in range(4)],
            [buttons[group][n] for n in names],
            width,
            label=group,
            color=COLOURS[group],
        )
    ax.set_xticks(range(4), names)
    ax.set(title="Answer buttons", ylabel="answers")
    ax.legend(fontsize=8)


def _retention_table(ax: Any, retention: dict[str, Any], today: dict[str, Any]) -> None:
    ax.axis("off")

    def cell(row: dict[str, Any]) -> str:
        return f"{row['retention'] * 100:.1f}% ({row['reviews']})" if row["retention"] is not None else "-"

    rows = [[cell(retention[p][g]) for g in ("young", "mature", "total")] for p in retention]
    table = ax.table(
        cellText=rows, rowLabels=list(retention), colLabels=["young", "mature", "total"], loc="center"
    )
    table.scale(1, 1.6)
    minutes = today["time_seconds"] / 60
    ax.set_title(
        f"True retention\ntoday: {today['cards']} cards, {today['answers']} answers, "
        f"{minutes:.1f} min, again {today['again']}"
    )


def _added(ax: Any, rows: list[dict[str, Any]], today_text: str) -> None:
    today = date.fromisoformat(today_text)
    ages = [(today - date.fromisoformat(r["day"])).days for r in rows]
    oldest = max(ages, default=0)
    # Over more than two months, one bar a week: one-day bars on a year's axis are a pixel wide.
    width = 7 if oldest > 60 else 1
    weeks: dict[int, int] = {}
    for age, row in zip(ages, rows, strict=True):
        weeks[age // width] = weeks.get(age // width, 0) + row["cards"]
    ax.bar(
        [-(k * width + (width - 1) / 2) for k in weeks],
        list(weeks.values()),
        color=COLOURS["new"],
        width=width * 0.9,
    )
    per = "per week" if width == 7 else "per day"
    ax.set(
        title=f"Cards added ({per})", xlabel="days ago", ylabel="cards", xlim=(-max(oldest, 30) - width, 1)
    )


def _reliability(ax: Any, calibration: Sequence[CalibrationBin]) -> None:
    ax.plot([0, 1], [0, 1], "--", color="#909399", label="perfect")
    if calibration:
        ax.plot(
            [b.predicted for b in calibration],
            [b.actual for b in calibration],
            "o-",
            color=COLOURS["review"],
            label="FSRS (deck parameters)",
        )
        for k, b in enumerate(calibration):  # counts below and above in turn: neighbours' do not collide
            offset = (4, -9) if k % 2 == 0 else (-4, 5)
            ax.annotate(
                str(b.count),
                (b.predicted, b.actual),
                fontsize=7,
                textcoords="offset points",
                xytext=offset,
                ha="left" if k % 2 == 0 else "right",
            )
    ax.set(
        title="Calibration on held-out reviews",
        xlabel="predicted recall",
        ylabel="actual recall",
        xlim=(0, 1),
        ylim=(0, 1),
    )
    ax.legend(fontsize=8, loc="upper left")
