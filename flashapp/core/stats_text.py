"""The statistics (`store/statistics.py`'s dict) as terminal text: tables and small bar charts."""

from __future__ import annotations

from datetime import date
from typing import Any

BAR = 40
SPARK = " ▁▂▃▄▅▆▇█"


def _bar(value: float, largest: float, width: int = BAR) -> str:
    return "█" * (round(value / largest * width) if largest else 0)


def _percent(value: float | None) -> str:
    return f"{value * 100:.1f}%" if value is not None else "-"


def counted(number: int, noun: str) -> str:
    """The count and its noun, plural unless it is one: "1 card", "2 cards"."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def stats_text(stats: dict[str, Any]) -> str:
    lines: list[str] = []
    today = stats["today"]
    lines += [
        f"Today ({stats['study_day']}): {counted(today['cards'], 'card')}, "
        f"{counted(today['answers'], 'answer')} in "
        f"{today['time_seconds'] / 60:.1f} min, again {today['again']}, "
        f"true retention {_percent(today['true_retention'])}",
        f"Streak: {counted(stats['streak_days'], 'study day')}",
        "",
        "Forecast (cards due, next days):",
    ]
    forecast = stats["forecast"]
    largest = max((r["learning"] + r["review"] + r["relearning"] for r in forecast), default=0)
    for row in forecast[:14]:
        total = row["learning"] + row["review"] + row["relearning"]
        label = "today" if row["day"] == 0 else f"+{row['day']}d"
        lines.append(f"  {label:>6} {total:>6}  {_bar(total, largest)}")
    lines += [
        "",
        "Reviews, past year (one cell a week, darker = more):",
        "  " + heatmap_line(stats["heatmap"], stats["study_day"]),
    ]
    lines += ["", "True retention    young            mature           total"]
    for period, row in stats["true_retention"].items():
        cells = [
            f"{_percent(row[g]['retention']):>7} of {row[g]['reviews']:<6}"
            for g in ("young", "mature", "total")
        ]
        lines.append(f"  {period:<10} " + " ".join(cells))
    lines += ["", "Card counts: " + ", ".join(f"{k} {v}" for k, v in stats["card_counts"].items())]
    lines += ["", "Review intervals (cards):"]
    lines += _histogram_lines(stats["intervals"], "d")
    lines += ["", "Answer buttons   again   hard   good   easy"]
    for group, counts in stats["answer_buttons"].items():
        lines.append(f"  {group:<12}" + "".join(f"{counts[k]:>7}" for k in ("again", "hard", "good", "easy")))
    lines += ["", "Hourly breakdown (answers, recall):"]
    largest = max((h["answers"] for h in stats["hourly"]), default=0)
    for row in stats["hourly"]:
        if row["answers"]:
            lines.append(
                f"  {row['hour']:02d}h {row['answers']:>7} {_percent(row['recall']):>7}  "
                + _bar(row["answers"], largest, 30)
            )
    added = sum(row["cards"] for row in stats["added"])
    lines += ["", f"Cards added, past year: {added}"]
    return "\n".join(lines)


def _histogram_lines(rows: list[dict[str, Any]], unit: str) -> list[str]:
    largest = max((r["cards"] for r in rows), default=0)
    out = []
    for row in rows:
        if row["cards"]:
            upper = f"{row['to']:g}{unit}" if row["to"] is not None else "more"
            out.append(f"  {row['from']:>5g}-{upper:<6} {row['cards']:>6}  {_bar(row['cards'], largest, 30)}")
    return out


def heatmap_line(heatmap: list[dict[str, Any]], today: str, weeks: int = 53) -> str:
    """One character a week for the `weeks` weeks up to `today`, shaded by reviews."""
    if not heatmap:
        return "(no reviews yet)"
    last = date.fromisoformat(today)
    totals = [0] * weeks
    for row in heatmap:
        age = (last - date.fromisoformat(row["day"])).days // 7
        if age < weeks:
            totals[weeks - 1 - age] += row["reviews"]
    largest = max(totals)
    return "".join(
        SPARK[min(len(SPARK) - 1, round(t / largest * (len(SPARK) - 1)))] if largest else " " for t in totals
    )


def metrics_table(models: dict) -> str:
    lines = [f"{'model':<14} {'log loss':>9} {'RMSE(bins)':>11} {'AUC':>7}"]
    for name, scores in models.items():
        auc = f"{scores.auc:.4f}" if scores.auc is not None else "n/a"
        lines.append(f"{name:<14} {scores.log_loss:>9.4f} {scores.rmse_bins:>11.4f} {auc:>7}")
    return "\n".join(lines)


def reliability_text(calibration: list[dict], width: int = 30) -> str:
    """A reliability diagram as text: per bin, a bar to the actual recall with '|' at the prediction."""
    lines = [f"{'predicted':<9} {'n':>6}  actual recall (# up to it, | at the predicted)"]
    for row in calibration:
        bar = ["#"] * round(row["actual"] * width) + [" "] * (width - round(row["actual"] * width))
        mark = min(round(row["predicted"] * width), width - 1)
        bar[mark] = "|"
        lines.append(
            f"{row['low']:.1f}-{row['high']:.1f}   {row['count']:>6}  {''.join(bar)} "
            f"{row['actual']:.2f} vs {row['predicted']:.2f}"
        )
    return "\n".join(lines)
