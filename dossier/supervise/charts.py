"""The dashboard's charts: Vega-Lite specifications built with Altair, rendered to SVG by vl-convert.

vl-convert runs the Vega renderer in an embedded JavaScript engine: no browser, no network, and the SVG is
inlined in the HTML, so the dashboard opens offline and prints sharp on A4.
"""

from __future__ import annotations

import altair as alt
import vl_convert as vlc

from dossier.supervise.report import Group, Report
from dossier.supervise.thresholds import Band

BAND_COLOURS = {Band.green: "#2e7d32", Band.yellow: "#f9a825", Band.orange: "#ef6c00", Band.red: "#c62828"}
NO_BAND = "#9e9e9e"
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"


def _svg(chart: alt.TopLevelMixin) -> str:
    svg: str = vlc.vegalite_to_svg(chart.to_json())
    return svg


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (
        chart.configure(font=FONT)
        .configure_view(strokeWidth=0)
        .configure_axis(labelFontSize=11, titleFontSize=11)
    )


def weekly_trend_svg(report: Report) -> str:
    """The on-time rate per week (by resolution date), with the green/yellow/orange thresholds as rules."""
    values = [
        {"tuần": f"{w.week_start:%d/%m}", "tỉ lệ": w.rate, "giải quyết": w.resolved}
        for w in report.weeks
        if w.rate is not None
    ]
    limits = report.thresholds["on_time_rate"]
    rules = [
        {"ngưỡng": limits.green, "màu": BAND_COLOURS[Band.green]},
        {"ngưỡng": limits.yellow, "màu": BAND_COLOURS[Band.yellow]},
        {"ngưỡng": limits.orange, "màu": BAND_COLOURS[Band.orange]},
    ]
    sort = [str(v["tuần"]) for v in values]
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("tuần:O", sort=sort, title="Tuần (bắt đầu thứ Hai)"),
        y=alt.Y("tỉ lệ:Q", scale=alt.Scale(domain=[0, 100]), title="Tỉ lệ đúng hạn (%)"),
    )
    line = base.mark_line(color="#1565c0", strokeWidth=2.5) + base.mark_point(
        color="#1565c0", filled=True, size=60
    ).encode(tooltip=["tuần:O", "tỉ lệ:Q", "giải quyết:Q"])
    labels = base.mark_text(dy=-10, fontSize=11, color="#1a1a1a").encode(
        text=alt.Text("tỉ lệ:Q", format=".1f")
    )
    threshold = (
        alt.Chart(alt.Data(values=rules))
        .mark_rule(strokeDash=[4, 4])
        .encode(y="ngưỡng:Q", color=alt.Color("màu:N", scale=None))
    )
    return _svg(_config(alt.layer(threshold, line, labels).properties(width=620, height=220)))


def officer_bars_svg(groups: tuple[Group, ...]) -> str:
    """Received and resolved per officer, each bar coloured by the officer's on-time band."""
    values = []
    for group in groups:
        indicators = group.indicators
        band = indicators.on_time_rate.band
        rate = indicators.on_time_rate.value
        values.append(
            {
                "cán bộ": group.label,
                "đúng hạn": rate if rate is not None else 0,
                "nhãn": "—" if rate is None else f"{rate:.1f}% ({indicators.resolved.value} hs)",
                "màu": BAND_COLOURS.get(band, NO_BAND) if band is not None else NO_BAND,
            }
        )
    height = max(60, 26 * len(values))
    base = alt.Chart(alt.Data(values=values)).encode(
        y=alt.Y("cán bộ:N", sort="-x", title=None),
        x=alt.X("đúng hạn:Q", scale=alt.Scale(domain=[0, 115]), title="Tỉ lệ đúng hạn (%)"),
    )
    bars = base.mark_bar().encode(color=alt.Color("màu:N", scale=None))
    text = base.mark_text(align="left", dx=4, fontSize=11).encode(text="nhãn:N")
    return _svg(_config((bars + text).properties(width=560, height=height)))
