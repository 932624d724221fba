"""Plots (matplotlib, Agg) and the HTML report: content, self-containment, the CLI, and
rendering in a real headless browser (Chromium) when one is installed."""

from __future__ import annotations

import base64
import html
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
import pytest

import rankagg as ra
from rankagg.cli import main

matplotlib = pytest.importorskip("matplotlib", reason="the plots need matplotlib (pip install 'rankagg[plot]')")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LLMFAO = {"a": "left", "b": "right", "outcome": "winner", "outcomes": ra.datasets.LLMFAO_OUTCOMES}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def llmfao_ratings() -> ra.Ratings:
    return ra.bradley_terry(ra.datasets.llmfao(), **LLMFAO, ci=ra.Bootstrap(rounds=30, seed=1))


def _ticks(ax: Any, axis: str = "y") -> list[str]:
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text() for t in labels]


# -- plots ------------------------------------------------------------------------------------


def test_ratings_plot_points_and_intervals(llmfao_ratings):
    ax = llmfao_ratings.plot(top=12)
    top = llmfao_ratings.table.head(12)
    assert _ticks(ax) == top["item"].to_list()  # best first, at the top
    assert ax.get_ylim()[0] > ax.get_ylim()[1]
    line = ax.lines[0]
    assert list(line.get_xdata()) == pytest.approx(top["score"].to_list())
    segments = ax.collections[0].get_segments()  # one interval bar per item
    assert len(segments) == 12
    assert [s[0][0] for s in segments] == pytest.approx(top["lower"].to_list())
    assert [s[1][0] for s in segments] == pytest.approx(top["upper"].to_list())
    assert "95% interval" in ax.get_xlabel()


def test_ratings_plot_without_intervals_and_on_given_axes():
    r = ra.win_rate(ra.datasets.llmfao(), **LLMFAO)
    _fig, ax = plt.subplots()
    assert r.plot(ax) is ax
    assert len(_ticks(ax)) == r.table.height == 59
    assert not ax.collections  # no interval bars
    with pytest.raises(ra.RankaggError, match="top must be a positive integer"):
        r.plot(top=0)


def test_heatmap_model_probabilities(llmfao_ratings):
    ax = llmfao_ratings.heatmap(top=20)
    cells = ax.images[0].get_array()
    assert cells.shape == (20, 20)
    names = llmfao_ratings.table["item"].head(20).to_list()
    assert _ticks(ax) == names and _ticks(ax, "x") == names
    assert cells.mask.diagonal().all() and not cells.mask[~np.eye(20, dtype=bool)].any()
    assert cells[0, 1] == pytest.approx(llmfao_ratings.predict(names[0], names[1]))
    assert cells[0, 1] + cells[1, 0] == pytest.approx(1.0)
    assert len(ax.texts) == 20 * 19  # annotated cells (up to 20 items)


def test_heatmap_needs_a_model_or_the_data():
    games = {"a": ["x", "y", "z", "x"], "b": ["y", "z", "x", "y"], "outcome": [1, 1, 1, 0.5]}
    r = ra.pagerank(games)
    with pytest.raises(ra.RankaggError, match=r"not a probability model.*heatmap\(data="):
        r.heatmap()
    ax = r.heatmap(data=games)
    cells = ax.images[0].get_array()
    assert cells.shape == (3, 3)
    order = r.table["item"].to_list()
    i, j = order.index("x"), order.index("y")
    assert cells[i, j] == pytest.approx(0.75) and cells[j, i] == pytest.approx(0.25)  # 1 win + half a tie of 2
    assert ax.get_title().startswith("observed")
    with pytest.raises(ra.UnknownItemError):
        ra.plot.heatmap(r, data={"a": ["x"], "b": ["y"], "outcome": [1]})


HF_NAMES = [f"meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo-v{i:02d}" for i in range(60)]  # ~45 characters


def _long_name_ratings(k: int) -> ra.Ratings:
    rng = np.random.default_rng(k)
    a = rng.integers(0, k, 40 * k)
    b = (a + rng.integers(1, k, 40 * k)) % k
    games = {
        "a": [HF_NAMES[i] for i in a],
        "b": [HF_NAMES[i] for i in b],
        "outcome": rng.choice([0.0, 0.5, 1.0], 40 * k),
    }
    return ra.bradley_terry(games, regularization=1.0)


def _plot_share(ax: Any) -> float:
    """The heatmap's share of its figure after drawing; asserts every label is inside the figure."""
    fig = ax.figure
    fig.canvas.draw()
    box, page = ax.get_window_extent(), fig.bbox
    whole = ax.get_tightbbox(fig.canvas.get_renderer())  # with the tick labels and the title
    assert whole.x0 >= -1 and whole.y0 >= -1 and whole.x1 <= page.x1 + 1 and whole.y1 <= page.y1 + 1
    return box.width * box.height / (page.width * page.height)


@pytest.mark.parametrize("k", [5, 8, 15, 30, 60])
def test_heatmap_with_long_names_keeps_the_plot_large(k):
    r = _long_name_ratings(k)
    ax = r.heatmap()  # its own figure, sized from the labels
    assert _plot_share(ax) >= 0.4
    rows = _ticks(ax)
    assert len(rows) == k and all(row.startswith(f"{i}. ") for i, row in enumerate(rows, 1))
    assert _ticks(ax, "x") == [str(i) for i in range(1, k + 1)]  # the column numbers are the row numbers
    for row, name in zip(rows, r.table["item"].to_list()):  # shortened in the middle, the end kept
        short = row.split(". ", 1)[1]
        assert short == name or (short.count("…") == 1 and name.endswith(short.split("…")[1]))
    for make in (lambda: plt.subplots(layout="constrained"), plt.subplots, lambda: plt.subplots(figsize=(10, 8))):
        _fig, given = make()
        assert r.heatmap(given) is given
        assert _plot_share(given) >= 0.4
    plt.close("all")


def test_heatmap_colour_bar_and_cells_in_percent(llmfao_ratings):
    ax = llmfao_ratings.heatmap(top=8)
    assert _plot_share(ax) >= 0.4
    bar = ax.figure.axes[1]
    assert "%" in bar.get_ylabel()
    assert [t.get_text() for t in bar.get_yticklabels()] == ["0", "20", "40", "60", "80", "100"]  # not 0.0–1.0
    cells = ax.images[0].get_array()
    assert ax.texts[0].get_text() == f"{100 * cells[0, 1]:.0f}"  # the cells on the same scale


def test_report_heatmap_with_long_names_has_a_key(tmp_path):
    k = 15
    rng = np.random.default_rng(2)
    a = rng.integers(0, k, 600)
    b = (a + rng.integers(1, k, 600)) % k
    games = {"a": [HF_NAMES[i] for i in a], "b": [HF_NAMES[i] for i in b], "outcome": rng.choice([0.0, 1.0], 600)}
    page = ra.report(games, None, ci="none")
    heat = page.split("Who beats whom")[1].split("Maximal lottery")[0]
    board = ra.bradley_terry(games).table["item"].to_list()
    assert re.findall(r'<li class="item" title="(.*?)">', heat) == board  # the key: number i = the i-th item, in full
    png = base64.b64decode(re.findall(r"base64,([^\"]+)", heat)[0])
    import io

    from matplotlib.image import imread

    height, width = imread(io.BytesIO(png)).shape[:2]
    assert width < 2.2 * height  # not a wide strip of labels around a small plot


def test_consensus_plot_scores_positions_and_agreement():
    votes = ra.read_preflib(os.path.join(os.path.dirname(__file__), "data", "00005-00000002.toi"))
    result = ra.schulze(votes)
    ax = result.plot()
    assert len(ax.patches) == len(votes.labels) == 6
    assert _ticks(ax) == result.table["item"].to_list()
    assert [p.get_width() for p in ax.patches] == pytest.approx(result.table["score"].to_list())
    # no score: the positions
    positions = ra.Consensus(result.table.drop("score"), "mine", result.winners)
    ax = positions.plot(top=4)
    assert len(ax.patches) == 4 and "rank" in ax.get_xlabel()

    @dataclass(frozen=True)
    class WithAgreement:  # a result that carries per-voter agreement
        table: pl.DataFrame
        method: str = "kemeny"
        winners: list = field(default_factory=list)
        agreement: pl.DataFrame = field(
            default_factory=lambda: pl.DataFrame({"voter": ["v1", "v2", "v3"], "agreement": [0.2, 0.9, 0.5]})
        )

    ax = ra.plot.consensus(WithAgreement(result.table), kind="agreement")  # type: ignore[arg-type]
    assert _ticks(ax) == ["v2", "v3", "v1"] and len(ax.patches) == 3
    # the real thing: one bar per distinct ballot of Burlington, highest agreement first
    ax = result.plot(kind="agreement", top=5)
    assert len(ax.patches) == 5
    widths = [p.get_width() for p in ax.patches]
    assert widths == sorted(widths, reverse=True) and widths[0] == pytest.approx(result.agreement["agreement"].max())


def test_lottery_plot_bars_are_the_support():
    lot = ra.maximal_lottery(ra.datasets.llmfao(), **LLMFAO)
    ax = lot.plot()
    assert len(ax.patches) == len(lot.support) >= 2
    assert _ticks(ax) == lot.support
    assert sum(p.get_width() for p in ax.patches) == pytest.approx(1.0)


def test_dollar_signs_are_text_not_mathtext():
    games = {"a": ["$x$", "$y", "$x$"], "b": ["$y", "z", "z"], "outcome": [1, 1, 1]}
    ax = ra.bradley_terry(games, regularization=1.0).plot()
    ax.figure.savefig(os.devnull, format="png")  # an unbalanced "$" would fail in mathtext
    assert r"\$x\$" in _ticks(ax)


def test_missing_matplotlib_names_the_extra(monkeypatch):
    r = ra.win_rate({"a": ["x"], "b": ["y"], "outcome": [1]})
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib → ImportError
    with pytest.raises(ImportError, match=re.escape('pip install "rankagg[plot]"')):
        r.plot()
    with pytest.raises(ImportError, match=re.escape('pip install "rankagg[plot]"')):
        ra.report({"a": ["x"], "b": ["y"], "outcome": [1]}, None)


def test_cli_report_without_matplotlib_exits_2(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["report", "-o", str(tmp_path / "r.html")]) == 2
    assert 'pip install "rankagg[plot]"' in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


# -- the HTML report --------------------------------------------------------------------------


def _images(page: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


def _assert_self_contained(page: str) -> None:
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page.lower() and "<link" not in page.lower() and "@import" not in page
    assert re.findall(r'\ssrc="(?!data:)', page) == []


def test_report_llmfao(tmp_path):
    path = tmp_path / "report.html"
    assert ra.report(ra.datasets.llmfao(), path, **LLMFAO, rounds=20, source="LLMFAO") == path  # the path, not the page
    page = path.read_text(encoding="utf-8")
    _assert_self_contained(page)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    board = ra.bradley_terry(ra.datasets.llmfao(), **LLMFAO, ci=ra.Bootstrap(rounds=20)).table
    for name in board["item"].to_list():  # every item in the leaderboard (no --top)
        assert f'<td class="item" title="{html.escape(name)}">{html.escape(name)}</td>' in page
    images = _images(page)
    assert len(images) == 3 and all(img.startswith(PNG_MAGIC) and len(img) > 5000 for img in images)
    assert "<th>rows</th><td>8,931</td>" in page and "<th>items</th><td>59</td>" in page
    assert "20 rounds" in page and "Who beats whom: the top 20" in page
    lot = ra.maximal_lottery(ra.datasets.llmfao(), **LLMFAO)
    for name in lot.support:
        assert html.escape(name) in page.split("Maximal lottery")[1]


def test_report_escapes_names_and_shows_dates(tmp_path):
    names = ["<script>alert(1)</script>", 'a "quoted" & <b>bold</b>', "$x$", "plain"]
    rng = np.random.default_rng(0)
    a = rng.integers(0, 4, 200)
    b = (a + rng.integers(1, 4, 200)) % 4
    frame = pl.DataFrame(
        {
            "p": [names[i] for i in a],
            "q": [names[i] for i in b],
            "o": rng.choice([0.0, 0.5, 1.0], 200),
            "when": pl.date_range(pl.date(2024, 1, 1), pl.date(2024, 7, 18), eager=True)[:200],
        }
    )
    page = ra.report(frame, a="p", b="q", outcome="o", timestamp="when", ci="sandwich", top=3)
    _assert_self_contained(page)
    assert "<script>" not in page and "<b>bold</b>" not in page
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "a &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    )
    assert "2024-01-01 to 2024-07-18" in page and "sandwich" in page
    assert page.count('<td class="item"') - page.split("Maximal lottery")[1].count('<td class="item"') == 3  # --top 3
    assert len(_images(page)) == 3


def test_report_says_whether_the_lottery_is_unique():
    rps = {"a": ["rock", "paper", "scissors"] * 3, "b": ["scissors", "rock", "paper"] * 3, "outcome": [1, 1, 1] * 3}
    lottery = ra.report(rps, None, ci="none", regularization=1.0).split("Maximal lottery")[1]
    assert "certified unique" in lottery and "not unique" not in lottery
    never_met = {"a": ["x", "y", "x", "y"], "b": ["z", "z", "z", "z"], "outcome": [1, 1, 1, 0.5]}
    lottery = ra.report(never_met, None, ci="none", regularization=1.0).split("Maximal lottery")[1]
    assert "not unique: one of several maximal lotteries (another puts" in lottery
    assert "pairs never met (they count as draws)" in lottery and "certified unique" not in lottery


def test_report_other_methods_and_errors(tmp_path):
    games = {"a": ["x", "y", "z", "x", "y"], "b": ["y", "z", "x", "z", "x"], "outcome": [1, 1, 1, 0.5, 0]}
    page = ra.report(games, None, method="pagerank", ci="none")
    assert "observed share of wins" in page and "intervals</th><td>none" in page
    page = ra.report(games, None, method="elo", rounds=10)
    assert "under the fitted Elo model" in page
    with pytest.raises(ra.RankaggError, match="Sandwich"):
        ra.report(games, None, method="win_rate", ci="sandwich")
    with pytest.raises(ra.RankaggError, match="method must be one of"):
        ra.report(games, None, method="borda")
    with pytest.raises(ra.RankaggError, match="ci must be"):
        ra.report(games, None, ci="jackknife")
    with pytest.raises(ra.MissingColumnError, match="'day'"):
        ra.report(games, None, timestamp="day")
    table = ra.PairTable.from_comparisons(games)
    assert "items</th><td>3" in ra.report(table, None, ci="none")


def test_report_caps_the_pictures_for_many_items():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 130, 3000)
    b = (a + rng.integers(1, 130, 3000)) % 130
    games = {"a": a, "b": b, "outcome": rng.choice([0.0, 0.5, 1.0], 3000)}
    page = ra.report(games, None, ci="none", regularization=1.0)
    assert page.count('<td class="item"') - page.split("Maximal lottery")[1].count('<td class="item"') == 130
    assert 'alt="bradley_terry scores of the top 100 items"' in page
    assert "Who beats whom: the top 20" in page


def test_cli_report(tmp_path, capsys):
    out = tmp_path / "llmfao.html"
    assert main(["report", "--rounds", "20", "--top", "10", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    leaderboard = page.split("Maximal lottery")[0]  # the lottery's support may list it again
    assert "LLMFAO" in page and leaderboard.count('<td class="item" title="GPT 4">GPT 4</td>') == 1
    assert f"to {out}" in capsys.readouterr().err
    src = tmp_path / "pairs.csv"
    pl.DataFrame(
        {
            "chosen": ["x", "x", "y", "z", "y"],
            "rejected": ["y", "z", "z", "x", "x"],
            "day": ["2024-03-01", "2024-03-02", "2024-03-02", "2024-03-05", "2024-03-09"],
        }
    ).write_csv(src)
    out = tmp_path / "pairs.html"

    def report(*flags: str) -> int:
        return main(["report", str(src), "--winner", "chosen", "--loser", "rejected", *flags])

    assert report("--timestamp", "day", "--ci", "none", "-o", str(out)) == 0
    assert "2024-03-01 to 2024-03-09" in out.read_text(encoding="utf-8")
    # a bad column: exit 2 and the column named
    assert main(["report", str(src), "--winner", "chosen", "--loser", "nope", "-o", str(tmp_path / "x.html")]) == 2
    assert "'nope'" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()
    assert report("--timestamp", "when", "-o", str(tmp_path / "x.html")) == 2
    assert "'when'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["report", "--ci", "jackknife"])
    assert e.value.code == 2


# -- a real browser ---------------------------------------------------------------------------

CHROMIUM = next(
    (
        p
        for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"))
        if p
    ),
    None,
)


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("RANKAGG_REQUIRE_CHROMIUM"),
    reason="no Chromium binary (chromium, chromium-browser, google-chrome) on PATH: the browser rendering test needs one "
    "(on Debian: apt-get install chromium; CI installs it)",
)
def test_report_renders_in_headless_chromium(tmp_path):
    assert CHROMIUM is not None, "RANKAGG_REQUIRE_CHROMIUM is set but no Chromium binary is on PATH"
    path = tmp_path / "report.html"
    ra.report(ra.datasets.llmfao(), path, **LLMFAO, rounds=20, top=15, title="LLMFAO <in a browser>")
    board = ra.bradley_terry(ra.datasets.llmfao(), **LLMFAO).table
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=180)
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = dom.stdout
    assert "<title>LLMFAO &lt;in a browser&gt;</title>" in rendered
    for name in board["item"].head(15).to_list():
        assert html.escape(name) in rendered
    assert len(re.findall(r"<img [^>]*src=\"data:image/png;base64,", rendered)) == 3
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        [CHROMIUM, *flags, "--hide-scrollbars", "--window-size=1200,3000", f"--screenshot={shot}", path.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    from PIL import Image  # matplotlib depends on Pillow

    with Image.open(shot) as img:
        assert img.size == (1200, 3000)
        colors = img.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colors is not None and len(colors) > 200  # text, tables and the plots, not a blank page
