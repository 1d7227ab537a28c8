"""Charts drawn on the server as plain SVG from the data, so a page and its PDF show the same
picture without a charting script: the portal works offline on an intranet and under a strict
Content Security Policy. Colours and sizes are SVG attributes (no style attributes, no script);
every text is escaped."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from assessment.standard.progress import percent

FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
EARLIER = "#1f6f43"
NEW = "#5cb87a"
REST = "#e6e8eb"
TEXT = "#212529"
MUTED = "#6c757d"
LINE = "#b3161f"
SERIES = ("#2f5597", "#5cb87a", "#e0a030", "#b3161f", "#7f5fa8", "#6c757d")


def _text(x, y, content, *, size=12, anchor="start", fill=TEXT, weight="normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"'
        f' font-weight="{weight}">{escape(content)}</text>'
    )


def _rect(x, y, w, h, fill) -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" fill="{fill}"/>'


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every text above went through escape()
        # 100% wide, the height following the view box: the chart fits its column on any screen.
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" width="100%"'
        f' viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" role="img"'
        f' aria-label="{escape(title)}" font-family="{FONT}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _legend(x: float, y: float, entries: list[tuple[str, str]]) -> tuple[list[str], float]:
    parts = []
    for colour, label in entries:
        parts.append(_rect(x, y - 10, 12, 12, colour))
        parts.append(_text(x + 16, y, label, size=11, fill=MUTED))
        x += 16 + 12 * len(label) + 16
    return parts, x


@dataclass(frozen=True)
class ProgressBar:
    """One bar: towns standardized in earlier years, for the first time this year, out of all."""

    label: str
    earlier: int
    new: int
    total: int

    @property
    def done(self) -> int:
        return self.earlier + self.new

    @property
    def percent(self) -> Decimal:
        return percent(self.done, self.total)


def progress_chart(
    bars: list[ProgressBar], *, title: str, new_label: str = "本年度首次达标", width: int = 720
) -> SafeString:
    """Horizontal bars of progress toward every town standardized, one per county (or town group):
    dark for earlier years, light for this year, grey for the towns still to go."""
    label_w, value_w, row_h, bar_h, top = 120, 130, 22, 14, 44
    plot_w = width - label_w - value_w
    height = top + row_h * max(len(bars), 1) + 12
    body = [_text(0, 16, title, size=14, weight="bold")]
    legend, _ = _legend(0, 36, [(EARLIER, "往年已达标"), (NEW, new_label), (REST, "尚未达标")])
    body += legend
    for i, bar in enumerate(bars):
        y = top + i * row_h
        body.append(_text(label_w - 8, y + bar_h - 3, bar.label, anchor="end"))
        body.append(_rect(label_w, y, plot_w, bar_h, REST))
        if bar.total:
            earlier_w = plot_w * bar.earlier / bar.total
            new_w = plot_w * bar.new / bar.total
            body.append(_rect(label_w, y, earlier_w, bar_h, EARLIER))
            body.append(_rect(label_w + earlier_w, y, new_w, bar_h, NEW))
        body.append(_text(label_w + plot_w + 8, y + bar_h - 3, f"{bar.done}/{bar.total}  {bar.percent}%"))
    if not bars:
        body.append(_text(label_w, top + 12, "暂无数据", fill=MUTED))
    return _svg(width, height, title, body)


@dataclass(frozen=True)
class ScoreBar:
    label: str
    score: Decimal | None  # None: not scored yet
    passed: bool


def score_chart(bars: list[ScoreBar], *, title: str, pass_mark: Decimal, width: int = 720) -> SafeString:
    """Each town's total as a horizontal bar on a 0–100 scale, with the pass mark as a line."""
    label_w, value_w, row_h, bar_h, top = 120, 70, 22, 14, 44
    plot_w = width - label_w - value_w
    height = top + row_h * max(len(bars), 1) + 24
    body = [_text(0, 16, title, size=14, weight="bold")]
    legend, _ = _legend(0, 36, [(EARLIER, "合格"), ("#d9822b", "不合格"), (REST, "尚未评定")])
    body += legend
    for i, bar in enumerate(bars):
        y = top + i * row_h
        body.append(_text(label_w - 8, y + bar_h - 2, bar.label, anchor="end"))
        body.append(_rect(label_w, y, plot_w, bar_h, REST))
        if bar.score is not None:
            colour = EARLIER if bar.passed else "#d9822b"
            body.append(_rect(label_w, y, plot_w * float(bar.score) / 100, bar_h, colour))
            body.append(_text(label_w + plot_w + 8, y + bar_h - 2, f"{bar.score}"))
        else:
            body.append(_text(label_w + plot_w + 8, y + bar_h - 2, "—", fill=MUTED))
    x = label_w + plot_w * float(pass_mark) / 100
    bottom = top + row_h * max(len(bars), 1)
    body.append(
        f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{bottom}" stroke="{LINE}" stroke-width="1.5"'
        ' stroke-dasharray="4 3"/>'
    )
    body.append(
        _text(x, bottom + 14, f"合格线 {pass_mark.normalize():f} 分", size=11, anchor="middle", fill=LINE)
    )
    return _svg(width, height, title, body)


@dataclass(frozen=True)
class Series:
    name: str
    values: list[Decimal | None]  # one per category; None when there is nothing to show


def grouped_bars(
    categories: list[str],
    series: list[Series],
    *,
    title: str,
    unit: str = "%",
    maximum: Decimal = Decimal(100),
    width: int = 720,
) -> SafeString:
    """Vertical bars grouped by category (a county), one bar per series (a year)."""
    left, top, plot_h, bottom_h = 40, 48, 160, 40
    plot_w = width - left - 10
    height = top + plot_h + bottom_h
    body = [_text(0, 16, title, size=14, weight="bold")]
    legend, _ = _legend(0, 36, [(SERIES[i % len(SERIES)], s.name) for i, s in enumerate(series)])
    body += legend
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_h - plot_h * tick / 100
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#dee2e6"/>')
        value = maximum * tick / 100
        body.append(_text(left - 4, y + 4, f"{value.normalize():f}{unit}", size=10, anchor="end", fill=MUTED))
    group_w = plot_w / max(len(categories), 1)
    bar_w = min(18.0, (group_w - 8) / max(len(series), 1))
    for c, category in enumerate(categories):
        x0 = left + c * group_w + (group_w - bar_w * len(series)) / 2
        for s, line in enumerate(series):
            value = line.values[c] if c < len(line.values) else None
            if value is None:
                continue
            h = plot_h * float(min(value, maximum)) / float(maximum)
            body.append(_rect(x0 + s * bar_w, top + plot_h - h, bar_w - 1, h, SERIES[s % len(SERIES)]))
        body.append(
            _text(left + c * group_w + group_w / 2, top + plot_h + 16, category, size=11, anchor="middle")
        )
    return _svg(width, height, title, body)
