"""Charts drawn on the server as SVG (templates/incidents/charts/), so the same markup serves
the web page and, later, the PDF board reports. Each chart has a title and a description for
screen readers, and the page shows its data as a table; special cause points are drawn as
larger squares, not only in another colour."""

from dataclasses import dataclass

from .spc import Chart

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 44


def _nice_top(value: float) -> int:
    top = max(1, int(value + 0.999))
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000):
        if top <= step * 5:
            return ((top + step - 1) // step) * step
    return top


@dataclass
class SpcDrawing:
    width: int
    height: int
    points: list[dict]
    line: str
    mean_y: float
    upper_y: float
    lower_y: float
    ticks: list[dict]
    left: int
    right: int


def spc_drawing(chart: Chart) -> SpcDrawing:
    values = [point.value for point in chart.points]
    top = _nice_top(max([*values, chart.upper, 1]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value):
        return round(TOP + plot_h * (1 - value / top), 1)

    n = max(len(values) - 1, 1)
    every = max(1, len(values) // 8)
    drawn = []
    for i, point in enumerate(chart.points):
        drawn.append(
            {
                "x": round(LEFT + plot_w * i / n, 1),
                "y": y(point.value),
                "label": point.label,
                "value": point.value,
                "special": point.special,
                # Every few months, and the last (unless that would touch the one before).
                "show_label": i == len(values) - 1
                or (i % every == 0 and len(values) - 1 - i >= max(2, every // 2 + 1)),
                "anchor": "end" if i == len(values) - 1 and i else "middle",
            }
        )
    line = " ".join(f"{p['x']},{p['y']}" for p in drawn)
    ticks = [{"y": y(top * k / 4), "value": round(top * k / 4)} for k in range(5)]
    return SpcDrawing(
        WIDTH,
        HEIGHT,
        drawn,
        line,
        y(chart.mean),
        y(chart.upper),
        y(chart.lower),
        ticks,
        LEFT,
        WIDTH - RIGHT,
    )


@dataclass
class Bar:
    label: str
    value: int
    width: float
    y: int


def bars(rows: list[tuple[str, int]], *, width=560, bar_height=16) -> dict:
    """A horizontal bar chart of (label, count) rows: each label above its bar."""
    most = max([value for _, value in rows] or [1]) or 1
    row = bar_height + 26
    drawn = [
        Bar(label[:70], value, round((width - 60) * value / most, 1), i * row)
        for i, (label, value) in enumerate(rows)
    ]
    return {
        "bars": drawn,
        "width": width,
        "height": max(1, len(rows)) * row,
        "bar_height": bar_height,
    }


def columns(rows: list[tuple[str, int, bool]], *, width=WIDTH, height=220) -> dict:
    """A column chart of (label, count, after) rows in time order: columns after a date (an
    alert's issue) are drawn in another colour and hatched, and a line marks the change."""
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    top = _nice_top(max([value for _, value, _ in rows] or [1]))
    step = plot_w / max(len(rows), 1)
    drawn, marker = [], None
    for i, (label, value, after) in enumerate(rows):
        h = round(plot_h * value / top, 1)
        x = round(LEFT + i * step + step * 0.15, 1)
        if after and marker is None:
            marker = round(LEFT + i * step, 1)
        drawn.append(
            {
                "x": x,
                "y": round(TOP + plot_h - h, 1),
                "w": round(step * 0.7, 1),
                "h": h,
                "label": label,
                "value": value,
                "after": after,
                "show_label": i % max(1, len(rows) // 6) == 0,
            }
        )
    ticks = [
        {"y": round(TOP + plot_h * (1 - k / 4), 1), "value": round(top * k / 4)} for k in range(5)
    ]
    return {
        "width": width,
        "height": height,
        "columns": drawn,
        "marker": marker,
        "ticks": ticks,
        "left": LEFT,
        "right": width - RIGHT,
        "base": TOP + plot_h,
        "top": TOP,
    }
