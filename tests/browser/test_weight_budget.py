"""Page weight budget: what a learner's browser downloads for each page, on a first visit."""
import os

import pytest
from browser.harness import REPO, local_file, site_pages, transfer_size

pytestmark = pytest.mark.slow

BUDGET = 2_000_000  # bytes per page, as sent by a static host (text types gzip-compressed)
REPORT = REPO / "_build" / "page-weight.txt"


def _mb(n):
    return f"{n / 1e6:.2f} MB"


def test_page_weight_budget(desktop, built_site, site_url):
    site_files = [p for p in built_site.rglob("*") if p.is_file()]
    site_raw = sum(p.stat().st_size for p in site_files)
    rows = []
    for path in site_pages():
        files = {f for url in desktop(path).requested
                 if (f := local_file(built_site, site_url, url)) is not None and f.is_file()}
        page = built_site / path
        own = {f for f in files if f == page or f.parent.name == "_images"}
        raw = sum(f.stat().st_size for f in files)
        sent = sum(transfer_size(f) for f in files)
        heaviest = max(files, key=transfer_size)
        rows.append((sent, raw, sum(f.stat().st_size for f in own), len(files), path,
                     f"{heaviest.relative_to(built_site)} {_mb(transfer_size(heaviest))}"))
    rows.sort(reverse=True)
    mathjax = sum(p.stat().st_size for p in (built_site / "_static" / "mathjax").rglob("*") if p.is_file())
    lines = [f"site: {len(site_files)} files, {_mb(site_raw)} on disk ({_mb(mathjax)} of it MathJax)",
             f"budget: {_mb(BUDGET)} sent per page (HTML and everything it loads; text types gzip-compressed)",
             "",
             f"{'sent':>9} {'raw':>9} {'html+img':>9} {'files':>5}  page  (largest file sent)"]
    lines += [f"{_mb(s):>9} {_mb(r):>9} {_mb(o):>9} {n:>5}  {p}  ({big})" for s, r, o, n, p, big in rows]
    text = "\n".join(lines)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text + "\n")
    print("\n" + text)
    over = [f"{p}: {_mb(s)}" for s, _, _, _, p, _ in rows if s > BUDGET]
    assert not over, f"pages over {_mb(BUDGET)} (see {os.path.relpath(REPORT)}):\n" + "\n".join(over)
