"""Draws docs/performance-cpu.png from the raw JSON of ../shared/bench/cpu-side-by-side/run.sh.

Usage: python scripts/bench/side-by-side-chart.py RAW_DIR OUT.png   (needs matplotlib)
Two panels: decode tokens/s and first-token time per runtime, each bar the median over all runs of
all processes, with a line from the minimum to the maximum. llama.cpp has no vision tower, so its
"first token" is its text prefill and is drawn hatched to say so.
"""
import glob
import json
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def last_json(path):
    with open(path) as f:
        return json.loads(f.read().strip().splitlines()[-1])


def runtimes(raw):
    """(label, decode tok/s values, first-token ms values, text-only) per runtime found in RAW."""
    found = []
    for dt in ("bf16", "fp32"):
        ps = [last_json(p) for p in sorted(glob.glob(f"{raw}/hf_{dt}_p*.json"))]
        if ps:
            runs = [r for p in ps for r in p["runs"]]
            found.append((f"PyTorch {dt}", [r["decode_stream_tok_s"] for r in runs], [r["ttft_ms"] for r in runs], False))
    for k in ("q4_0", "f16"):
        ps = [last_json(p) for p in sorted(glob.glob(f"{raw}/llcpp_{k}_p*.json"))]
        if ps:
            runs = [r for p in ps for r in p["runs"]]
            found.append((f"llama.cpp {k.upper()}", [r["decodeTokS"] for r in runs], [r["ttftMs"] for r in runs], True))
    for p0 in sorted(glob.glob(f"{raw}/bench_*_p1.json")):
        dt = os.path.basename(p0)[6:-8]
        ps = [last_json(p)["results"][0] for p in sorted(glob.glob(f"{raw}/bench_{dt}_p*.json"))]
        ok = [p for p in ps if not p.get("error")]
        if ok:
            found.append((f"Visual Coder {dt}", [p["decodeTokensPerSecond"] for p in ok], [p["ttftMs"] for p in ok], False))
            # Its text prefill alone, to set beside llama.cpp's (which has no vision tower).
            found.append((f"Visual Coder {dt}, text", None, [p["ttftMs"] - p["visionMs"] for p in ok], True))
    return found


def panel(ax, rows, pick, title, unit):
    rows = [r for r in rows if pick(r) is not None]
    labels = [r[0] for r in rows]
    values = [pick(r) for r in rows]
    medians = [statistics.median(v) for v in values]
    bars = ax.barh(labels, medians, color=["#2b7bba" if r[0].startswith("Visual") else "#9aa5b1" for r in rows])
    for bar, row, v in zip(bars, rows, values):
        if pick is first_token and row[3]:  # text only
            bar.set_hatch("//")
        y = bar.get_y() + bar.get_height() / 2
        ax.plot([min(v), max(v)], [y, y], color="black", linewidth=1)
        m = statistics.median(v)
        ax.text(max(v), y, f"  {m:.0f}" if m >= 100 else f"  {m:.3g}", va="center", fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(unit)
    ax.invert_yaxis()
    ax.margins(x=0.2)


def first_token(row):
    return row[2]


def main():
    raw, out = sys.argv[1], sys.argv[2]
    rows = runtimes(raw)
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 0.45 * len(rows) + 1.6))
    panel(a, rows, lambda r: r[1], "decode (higher is better)", "tokens / s")
    panel(b, rows, first_token, "first token (lower is better)\nimage + 617-token prompt; hatched: text only", "ms")
    fig.suptitle("DeepSeek-VL-1.3B shape, random weights, 2-core CPU; bars: median, lines: min to max over the processes", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main()
