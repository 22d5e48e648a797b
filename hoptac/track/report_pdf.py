"""The follow-up report as a PDF, with fpdf2: pure Python, nothing to install from the OS, no network.

Vietnamese needs a Unicode font: DejaVu Sans, shipped in ``hoptac/data/fonts`` (its licence
beside it), is embedded (subset) in every file. The charts are the very SVG of the HTML report,
which fpdf2 turns into vector paths and text: they stay sharp at any zoom and their words can be
searched and copied. The content is the HTML's, section by section.
"""
from __future__ import annotations

import io
import logging
import re
from importlib import resources

from fpdf import FPDF
from fpdf.fonts import FontFace

from hoptac.track import report
from hoptac.web.i18n import translator

FAMILY = "DejaVu"
INK, MUTED, LINE, ACCENT = (31, 41, 55), (107, 114, 128), (209, 213, 219), (180, 35, 24)
SEVERITY_FILL = {"high": (254, 228, 226), "medium": (254, 240, 199), "low": (238, 242, 246)}
SEVERITY_INK = {"high": (145, 32, 24), "medium": (147, 55, 13), "low": (52, 64, 84)}
_A = re.compile(r"</?a\b[^>]*>")
_TITLE = re.compile(r"<title>.*?</title>", re.S)
_FAMILY = re.compile(r'font-family="[^"]*"')
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class _Document(FPDF):
    def __init__(self, foot: str, page_words: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.foot, self.page_words = foot, page_words
        fonts = resources.files("hoptac") / "data" / "fonts"
        with resources.as_file(fonts / "DejaVuSans.ttf") as regular, resources.as_file(fonts / "DejaVuSans-Bold.ttf") as bold:
            self.add_font(FAMILY, "", str(regular))
            self.add_font(FAMILY, "B", str(bold))
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(True, margin=16)
        self.set_creator("hoptac")

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FAMILY, size=7)
        self.set_text_color(*MUTED)
        self.cell(self.epw * 0.7, 4, _clean(self.foot), align="L")
        self.cell(self.epw * 0.3, 4, self.page_words.replace("{n}", str(self.page_no())).replace("{total}", "{nb}"), align="R")


def report_pdf(data: dict, lang: str = "vi") -> bytes:
    _ = translator(lang)
    words = report.labels(lang)
    pdf = _Document(_("report.source"), _("report.page"))
    pdf.set_title(report.title(data, lang))
    pdf.set_author("hoptac")
    pdf.set_lang(lang)
    pdf.add_page()
    _header(pdf, data, _)
    _summary(pdf, data, _, words)
    pictures = report.charts_of(data, lang)
    _chart(pdf, _("report.chart_rates"), pictures["rates"], _("report.rates_one") if data["province"] else _("report.rates_all"), width=150)
    _chart(pdf, _("report.chart_timeline"), pictures["timeline"], None, width=pdf.epw)
    _definitions(pdf, data, _)
    _programs(pdf, data, _, words, lang)
    _alerts(pdf, data, _, words, lang)
    _rates(pdf, data, _)
    return bytes(pdf.output())


# ---------------------------------------------------------------------------- sections


def _header(pdf: FPDF, data: dict, _) -> None:
    pdf.set_text_color(*ACCENT)
    pdf.set_font(FAMILY, "B", 8)
    pdf.cell(0, 4, "HOPTAC", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(FAMILY, "B", 15)
    pdf.multi_cell(0, 7, _clean(_("report.title")), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    facts = [(_("report.province"), data["province"] or _("report.national")), (_("report.year"), str(data["year"] or _("report.all_years"))),
             (_("report.as_of"), data["as_of"])]
    for label, value in facts:
        pdf.set_font(FAMILY, "", 9.5)
        pdf.set_text_color(*MUTED)
        pdf.cell(pdf.get_string_width(label + ": ") + 0.5, 6, label + ":")
        pdf.set_font(FAMILY, "B", 9.5)
        pdf.set_text_color(*INK)
        pdf.cell(pdf.get_string_width(_clean(value)) + 8, 6, _clean(value))
    pdf.ln(7)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.8)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.set_line_width(0.2)
    pdf.ln(3)


def _summary(pdf: FPDF, data: dict, _, words: dict) -> None:
    _heading(pdf, _("report.summary"))
    t = data["totals"]
    boxes = [
        (_("report.programs"), str(t["programs"]), f"{t['eligible']} {_('report.eligible')}"),
        (_("report.follow_up_rate"), _rate(data["follow_up_rate"]), f"{_('report.national')} {report.percent(data['national_rate']['rate'])}"),
        (_("report.commitment_rate"), _rate(data["commitment_rate"]), _counts(t["commitments_by_state"], words)),
        (_("report.alerts"), str(t["alerts"]), " · ".join(f"{words[s]} {n}" for s, n in data["alerts_by_severity"].items())),
    ]
    gap, top, height = 3, pdf.get_y(), 25
    width = (pdf.epw - 3 * gap) / 4
    pdf.set_draw_color(*LINE)
    for i, (label, value, sub) in enumerate(boxes):
        x = pdf.l_margin + i * (width + gap)
        pdf.rect(x, top, width, height, round_corners=True, corner_radius=1.5)
        pdf.set_xy(x + 2, top + 1.5)
        pdf.set_font(FAMILY, "", 7)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(width - 4, 3.2, _clean(label), align="L", new_x="LEFT", new_y="NEXT", max_line_height=3.2)
        pdf.set_xy(x + 2, top + 9)
        pdf.set_font(FAMILY, "B", 14)
        pdf.set_text_color(*INK)
        pdf.cell(width - 4, 7, value, new_x="LEFT", new_y="NEXT")
        pdf.set_font(FAMILY, "", 6.5)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(width - 4, 3, _clean(sub), align="L", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin, top + height + 2)
    pdf.set_font(FAMILY, "", 7.5)
    pdf.set_text_color(*MUTED)
    line = f"{_('report.follow_ups')}: {_counts(t['follow_ups_by_role'], words)}"
    if t["action_items"]:
        line += f" · {_('report.action_items')} {t['action_items']}"
    pdf.multi_cell(0, 4, _clean(line), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)


def _chart(pdf: FPDF, heading: str, svg: str, caption: str | None, width: float) -> None:
    """An SVG chart drawn as vectors under its heading, both on a new page when they do not fit on this one."""
    box = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    size = re.search(r'<svg[^>]*\swidth="(\d+(?:\.\d+)?)"', svg)
    if box and size:  # an empty chart has a small fixed width: keep it small
        width = min(width, float(size.group(1)) * 0.26)
    height = width * float(box.group(2)) / float(box.group(1)) if box else width / 2
    if pdf.get_y() + height + 12 > pdf.page_break_trigger:
        pdf.add_page()
    _heading(pdf, heading)
    fpdf_log = logging.getLogger("fpdf.svg")
    level = fpdf_log.level
    fpdf_log.setLevel(logging.ERROR)  # "unsupported tag" notes about what svg_ready already took out
    try:
        pdf.image(svg_ready(svg), x=pdf.l_margin, w=width)
    finally:
        fpdf_log.setLevel(level)
    if caption:
        pdf.set_font(FAMILY, "", 7.5)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, 4, _clean(caption), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
    pdf.ln(2)


def svg_ready(svg: str) -> io.BytesIO:
    """A chart for fpdf2: links and tooltips dropped (paper has neither), its words in the embedded font."""
    svg = _FAMILY.sub(f'font-family="{FAMILY}"', _TITLE.sub("", _A.sub("", svg)))
    return io.BytesIO(svg.encode("utf-8"))


def _definitions(pdf: FPDF, data: dict, _) -> None:
    _heading(pdf, _("report.definitions"))
    source = "monitor.toml" if data["settings"]["source"] == "defaults" else data["settings"]["source"]
    pdf.set_font(FAMILY, "", 8)
    for text in (_("report.def_programs"), _("report.def_follow_up", months=data["settings"]["months"]), _("report.def_commitments"),
                 _("report.def_alerts", source=source)):
        pdf.multi_cell(0, 3.8, _clean(text), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)


def _programs(pdf: FPDF, data: dict, _, words: dict, lang: str) -> None:
    _heading(pdf, f"{_('report.programs')} ({len(data['programs'])})")
    if not data["programs"]:
        _note(pdf, _("report.none_programs"))
        return
    pdf.set_font(FAMILY, "", 7)
    with pdf.table(col_widths=(7, 72, 20, 32, 29, 26), line_height=3.4, padding=1, borders_layout="HORIZONTAL_LINES", v_align="TOP",
                   headings_style=FontFace(emphasis="BOLD", fill_color=(243, 244, 246)), text_align="LEFT") as table:
        table.row(["#", _("report.program"), f"{_('report.period')} · {_('report.signed')}",
                   _("report.follow_ups"), _("report.commitments"), _("report.alerts")])
        for p in data["programs"]:
            where = (p["province"] or "") + (f" → {p['province_now']}" if p["province_now"] and p["province_now"] != p["province"] else "")
            judged = (_("report.yes") if p["followed"] else _("report.no")) if p["eligible"] else _("report.not_judged")
            follow = _counts(p["follow_ups"], words, empty="—")
            if p["action_items"]:
                follow += f"\n{_('report.action_items')} {p['action_items']}"
            row = table.row()
            row.cell(str(p["id"]))
            row.cell(_clean(f"{p['title']}\n{' · '.join(p['parties'])}\n{where}".strip()))
            row.cell(f"{p['period'] or '—'}\n{p['signed_on'] or '—'}")
            row.cell(_clean(f"{follow}\n({judged})"))
            row.cell(_clean(_counts(p["commitments"], words, empty="—", sep="\n")))
            row.cell(_clean("\n".join(f"{words[s]} {n}" for s, n in p["alerts_by_severity"].items() if n) or "—"))
    pdf.ln(2)


def _alerts(pdf: FPDF, data: dict, _, words: dict, lang: str) -> None:
    _heading(pdf, f"{_('report.alerts')} ({len(data['alerts'])})")
    if not data["alerts"]:
        _note(pdf, _("report.none_alerts"))
        return
    pdf.set_font(FAMILY, "B", 8.5)
    pdf.cell(0, 5, _clean(_("report.by_rule")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 7.5)
    severities = list(data["alerts_by_severity"])
    with pdf.table(col_widths=(90, 18, 18, 18, 18), width=162, align="LEFT", line_height=3.6, padding=1,
                   borders_layout="HORIZONTAL_LINES", headings_style=FontFace(emphasis="BOLD", fill_color=(243, 244, 246)),
                   text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")) as table:
        table.row([_("report.rule"), *(words[s] for s in severities), _("report.total")])
        for x in data["alerts_by_rule"]:
            table.row([_clean(x["titles"][lang]), *(str(x[s] or "") for s in severities), str(x["total"])])
    pdf.ln(3)
    pdf.set_font(FAMILY, "", 7)
    with pdf.table(col_widths=(16, 34, 52, 18, 66), line_height=3.4, padding=1, borders_layout="HORIZONTAL_LINES", v_align="TOP",
                   headings_style=FontFace(emphasis="BOLD", fill_color=(243, 244, 246)), text_align="LEFT") as table:
        table.row([_("report.severity"), _("report.rule"), _("report.program"), _("report.since"), _("report.message")])
        for a in data["alerts"]:
            about = f"{a['program_title']} #{a['program_id']}" if a["program_id"] else \
                f"{_('report.visit_alert')}: {a['subject'].get('title') or ''}"
            row = table.row()
            row.cell(words[a["severity"]], style=FontFace(color=SEVERITY_INK[a["severity"]], fill_color=SEVERITY_FILL[a["severity"]]))
            row.cell(_clean(a["titles"][lang]))
            row.cell(_clean(about))
            row.cell(a["since"])
            row.cell(_clean(a["message"]))
    pdf.ln(2)


def _rates(pdf: FPDF, data: dict, _) -> None:
    _heading(pdf, _("report.by_province"))
    pdf.set_font(FAMILY, "", 7.5)
    with pdf.table(col_widths=(60, 25, 30, 45), width=160, align="LEFT", line_height=3.6, padding=1, borders_layout="HORIZONTAL_LINES",
                   headings_style=FontFace(emphasis="BOLD", fill_color=(243, 244, 246)),
                   text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT")) as table:
        table.row([_("report.province"), _("report.programs"), _("report.eligible"), _("report.follow_up_rate")])
        for x in data["rates_by_province"]:
            name = _("report.national") if x["national"] else (x["label"] or _("report.no_province"))
            style = FontFace(emphasis="BOLD") if x["national"] else None
            row = table.row()
            for text in (name, str(x["programs"]), str(x["denominator"]), _rate(x)):
                row.cell(_clean(text), style=style)


# ---------------------------------------------------------------------------- pieces


def _heading(pdf: FPDF, text: str) -> None:
    if pdf.get_y() + 20 > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 11)
    pdf.set_text_color(*INK)
    pdf.cell(0, 6, _clean(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _note(pdf: FPDF, text: str) -> None:
    pdf.set_font(FAMILY, "", 8)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 4, _clean(text), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)


def _rate(x: dict) -> str:
    return f"{report.percent(x['rate'])} ({x['numerator']}/{x['denominator']})"


def _counts(values: dict, words: dict, empty: str = "—", sep: str = " · ") -> str:
    return sep.join(f"{words.get(k, k)} {n}" for k, n in values.items() if n) or empty


LONGEST = 300  # characters of one line: a table row must fit on a page, whatever an analyst typed


def _clean(text: str) -> str:
    """Text as fpdf2 can set it: no control characters (but line breaks), no line longer than ``LONGEST``."""
    lines = _CONTROL.sub(" ", str(text or "")).split("\n")
    return "\n".join(line if len(line) <= LONGEST else line[: LONGEST - 1] + "…" for line in lines)
