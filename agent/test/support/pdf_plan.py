"""A vector PDF and a scan (PNG) of the converter's synthetic test plan, for the agent's tests.

usage: python pdf_plan.py OUT_DIR   → OUT_DIR/plan.pdf, OUT_DIR/plan-scan.png
The drawings come from converter/tests/pdf_plans.py (ezdxf's drawing add-on with PyMuPDF; the scan
rendered and degraded), so the agent sends the converter exactly what its own tests check.
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "converter", "tests"))

from pdf_plans import draw_pdf, scan_pdf  # noqa: E402

out = sys.argv[1]
pdf = os.path.join(out, "plan.pdf")
draw_pdf(pdf, out)
scan_pdf(pdf, os.path.join(out, "plan-scan.png"), dpi=100)
