"""One language per page, judged in the browser: the page's own words — headings, form
labels, table and definition-list labels, buttons, summaries, legends — must be in the
page's language. Record values (titles, names, descriptions) are the data's and may be in
either language, so the record's title (``h1``), result titles and values (``dd``, ``td``)
are left out.

Vietnamese is told by its letters (no English word carries ``ă â đ ê ô ơ ư`` or a tone
mark); an English leftover on a Vietnamese page by common English words of the portal's
interface."""

from __future__ import annotations

import re
from typing import Any

# letters only Vietnamese writes (not á é ó…, which French or Spanish words carry: "Café")
VIETNAMESE_LETTERS = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĂÂĐÊÔƠƯ]")
ENGLISH_WORDS = re.compile(
    r"\b(the|and|of|with|Search|Filter|Filters|Type|Types|Status|Start|End|Date|Dates|"
    r"Name|Add|Save|Create|Category|Level|Mode|Languages|Language|Description|Location|"
    r"Address|Phone|Records|Record|Items|Collections|Collection|Next|Previous|Download|"
    r"Update|Delete|Edit|Submit|Show|Report|Reports|Month|Visitors|Client|Clients|"
    r"Secret|Parameters|Example|Response|Fields|Commune|Communes|Area|Event|Events|"
    r"Transport|Service|Services|Tourist|Organizer|Venue|Ticket|Tickets|Vehicle|Owner|"
    r"Licence|License|Map|Statistics|Dashboard|Upload|Form|Total|Count|Year)\b"
)
# names of places and of Vietnamese documents, written the same in English
PLACE_NAMES = re.compile(
    "Khánh Hòa|Nha Trang|Cam Ranh|Ninh Thuận|Phan Rang|Tháp Chàm|Việt Nam|Ninh Hòa|"
    "Vạn Ninh|Diên Khánh|Khánh Vĩnh|Khánh Sơn|Trường Sa|Cam Lâm|Ninh Hải|Thuận Bắc|"
    "Thuận Nam|Ninh Sơn|Ninh Phước|Bác Ái|QĐ-UBND|NĐ-CP|QĐ-TTg|TT-BVHTTDL"
)
# a quoted example ("Cầu Đá port – Hòn Mun"): names as written on the spot
QUOTED = re.compile(r'"[^"]*"|“[^”]*”')
# the interface's own words; a page's data (titles, values) is left out
CHROME = (
    "h2, h3:not(.dataset-heading), h4, label, th, dt, button, summary, legend, caption, "
    ".module-heading, .nav-item > a, .breadcrumb a, .btn, .form-text, .info-block"
)
# a page's data: codes, record lists, facet values, the organization's box
DATA = "code, pre, .dataset-item, .nav-facet, .context-info"
TEXTS = f"""() => {{ const DATA = {DATA!r}; return Array.from(document.querySelectorAll({CHROME!r}))
  .filter(el => el.offsetParent !== null)
  .filter(el => !el.closest('[lang]:not(html)') && !el.closest(DATA))
  .filter(el => !(el.closest('.breadcrumb') && (el.getAttribute('href') || '').includes('/organization/')))
  .map(el => el.innerText.trim()).filter(Boolean) }}"""


def one_language_problems(page: Any, lang: str) -> list[str]:
    """The page's interface texts that are not in ``lang`` (``vi`` or ``en``)."""
    html_lang = page.evaluate("() => document.documentElement.lang")
    problems = [] if html_lang.startswith(lang) else [f"<html lang={html_lang!r}>"]
    for text in page.evaluate(TEXTS):
        if (
            lang == "en"
            and VIETNAMESE_LETTERS.search(PLACE_NAMES.sub("", QUOTED.sub("", text)))
            or lang == "vi"
            and not VIETNAMESE_LETTERS.search(text)
            and ENGLISH_WORDS.search(text)
        ):
            problems.append(text[:120])
    return sorted(set(problems))
