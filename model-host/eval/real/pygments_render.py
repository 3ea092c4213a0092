"""Renders code with Pygments for the real-tool OCR corpus (run by build-corpus.ts).

Reads a JSON list of jobs on stdin and writes a JSON list of results on stdout:
- {"kind": "image", "out": PATH, "code": ..., "lexer": ..., "options": {...}}: Pygments'
  ImageFormatter (PIL) writes a PNG to PATH; options go to the formatter unchanged.
- {"kind": "html", "code": ..., "lexer": ..., "style": ...}: Pygments' HtmlFormatter; the result is
  {"lines": [html of each source line], "css": the style's rules, "background": the style's colour}.
Needs Debian's python3-pygments and python3-pil (only to rebuild the corpus, not to run the eval).
"""
import json
import sys

from pygments import highlight
from pygments.formatters import HtmlFormatter, ImageFormatter
from pygments.lexers import get_lexer_by_name


def render_image(job):
    formatter = ImageFormatter(**job["options"])
    with open(job["out"], "wb") as f:
        f.write(highlight(job["code"], get_lexer_by_name(job["lexer"]), formatter))
    return {"out": job["out"]}


def render_html(job):
    formatter = HtmlFormatter(style=job["style"], nowrap=True, tabsize=4)
    body = highlight(job["code"], get_lexer_by_name(job["lexer"]), formatter)
    return {
        "lines": body.rstrip("\n").split("\n"),
        "css": formatter.get_style_defs(".hl"),
        "background": formatter.style.background_color,
    }


def main():
    jobs = json.load(sys.stdin)
    out = [render_image(j) if j["kind"] == "image" else render_html(j) for j in jobs]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
