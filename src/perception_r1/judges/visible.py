"""What a reader of the rendered text sees, and nothing else: the symbolic judge reads only that.

`visible` applies Unicode NFKC (full-width and math-italic letters are letters), removes format and
private-use characters (zero-width spaces, soft hyphens, bidi and tag characters, joiners), folds confusable
letters in the words looked for, and drops LaTeX comments (`% …`), `\\iffalse … \\fi`, comment environments,
HTML comments, `<details>` bodies, `\\phantom{…}` and text in an unreadable colour — text hidden from a reader
states nothing. `tables` reads a markdown table of names and values as statements.
"""

from __future__ import annotations

import re
import unicodedata

_HIDDEN = [
    re.compile(r"\\if(?:false\b|0|num\s*0\s*=\s*1\b).*?(?:\\fi\b|$)", re.S),
    re.compile(r"\\begin\s*\{comment\}.*?(?:\\end\s*\{comment\}|$)", re.S),
    re.compile(r"<!--.*?(?:-->|$)", re.S),
    re.compile(r"(?<![\\\d])%[^\n]*|(?<=\\\\)%[^\n]*|(?<=\d)%(?!\s*[a-z])[^\n]*"),  # a LaTeX comment runs to the line end
                                                                       # (`90% sure` is a percentage)
    # a markdown link reference definition (`[//]: # (…)`, `[comment]: <> "…"`) is never rendered
    re.compile(r"(?m)^[ \t]{0,3}\[(?!\^)[^\]\n]+\]:[^\n]*"),
    # a markdown image shows the image, not its alt text; a link shows its text, not its address or title
    re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)"),
    re.compile(r"(?<=\])\([^)\n]*\)"),
    # struck-through or invisible text reads as withdrawn, not stated
    re.compile(r"~~.*?~~|<(s|del|strike)\b[^>]*>.*?</\1\s*>", re.S | re.I),
    re.compile(r"(?:(?<=\s)|^)~(?=[^\s~])[^~\n]+?(?<=[^\s~])~(?=\s|$|[.,;:!?)])", re.M),  # GFM ~strike~
    re.compile(r"\\(?:sout|st|cancel|xcancel|bcancel|xout)\s*\{[^{}]*\}"),
    # collapsed or never-rendered HTML: <details> (all but its <summary>), <template>, <script>, <style>
    re.compile(r"<(template|script|style|noscript|head)\b[^>]*>.*?(?:</\1\s*>|$)", re.S | re.I),
    re.compile(r"<(\w+)\b[^>]*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|opacity\s*:\s*0(?:\.0*)?\s*(?:[;\"']|$)|"
               r"(?:left|top|right|bottom|text-indent|margin-left|margin-top)\s*:\s*-\s*\d{3,}|clip\s*:\s*rect\(\s*0|"
               r"clip-path\s*:\s*inset\(\s*(?:50|100)%|transform\s*:\s*scale\(\s*0\s*\)|"
               r"(?:max-)?(?:height|width)\s*:\s*0(?:px)?\s*;[^>]*overflow\s*:\s*hidden|"
               r"font-size\s*:\s*0(?:\.0*)?\s*(?:px|pt|em|rem|%)?\s*(?:[;\"']|$)|\shidden(?:\s|>|=))"
               r"[^>]*>.*?(?:</\1\s*>|$)", re.S | re.I),
]
_DETAILS_RE = re.compile(r"<details\b[^>]*>(.*?)(?:</details\s*>|$)", re.S | re.I)
_SUMMARY_RE = re.compile(r"<summary\b[^>]*>(.*?)</summary\s*>", re.S | re.I)

# Colours a reader cannot read on a page: white and near-white, transparent, fully faded.
_LIGHT_NAMES = {"white", "snow", "ivory", "ghostwhite", "whitesmoke", "floralwhite", "mintcream", "azure",
                "aliceblue", "seashell", "linen", "oldlace", "honeydew", "lavenderblush", "transparent", "none",
                "invisible", "background", "bg", "pagecolor", "beige", "cornsilk", "lightyellow", "snow2"}


def unreadable_colour(spec: str, model: str = "") -> bool:
    """Whether text in this colour (a CSS or xcolor spelling, with an xcolor model if given) is
    unreadable on a light page: white or nearly, transparent, or mixed to a tint of 15% or less."""
    s = re.sub(r"\s+", "", spec.lower())
    model = model.lower().strip()
    try:
        if model in ("rgb", "gray", "cmyk", "cmy", "hsb", "rgb255", "RGB".lower()):
            vals = [float(v) for v in s.split(",") if v]
            if model == "rgb" and max(vals, default=0) > 1:  # [RGB] lower-cased
                vals = [v / 255 for v in vals]
            if model in ("cmyk", "cmy"):
                return bool(vals) and max(vals) <= 0.15
            if model == "hsb":
                return len(vals) == 3 and vals[2] >= 0.85 and vals[1] <= 0.15
            return bool(vals) and min(vals) >= 0.85
        if model == "html":
            s = "#" + s
    except ValueError:
        return False
    if s in _LIGHT_NAMES or s.startswith("white"):
        return "!" not in s or _mix_light(s)
    if "!" in s:
        return _mix_light(s)
    m = re.fullmatch(r"#?([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})", s)
    if m and (s.startswith("#") or model == "html"):
        h = m.group(1)
        if len(h) in (3, 4):
            h = "".join(c * 2 for c in h)
        rgb = [int(h[i:i + 2], 16) for i in (0, 2, 4)]
        alpha = int(h[6:8], 16) if len(h) == 8 else 255
        return alpha <= 38 or min(rgb) >= 217
    m = re.fullmatch(r"rgba?\(([\d.%]+),([\d.%]+),([\d.%]+)(?:,([\d.%]+))?\)", s)
    if m:
        def val(x: str, full: float) -> float:
            return float(x[:-1]) / 100 if x.endswith("%") else float(x) / full
        rgb = [val(m.group(i), 255) for i in (1, 2, 3)]
        alpha = val(m.group(4), 1) if m.group(4) else 1.0
        return alpha <= 0.15 or min(rgb) >= 0.85
    m = re.fullmatch(r"hsla?\([\d.]+(?:deg)?,([\d.]+)%,([\d.]+)%(?:,([\d.%]+))?\)", s)
    if m:
        alpha = m.group(3)
        a = 1.0 if not alpha else float(alpha[:-1]) / 100 if alpha.endswith("%") else float(alpha)
        return a <= 0.15 or float(m.group(2)) >= 85
    return False


def _mix_light(s: str) -> bool:
    """xcolor mixes: `red!10` is 10% red in white, `white!90!black` 90% white."""
    parts = s.split("!")
    try:
        if parts[0] in _LIGHT_NAMES or parts[0].startswith("white"):
            return len(parts) < 2 or float(parts[1]) >= 85
        return len(parts) >= 2 and float(parts[1]) <= 15 and (len(parts) == 2 or parts[2] in _LIGHT_NAMES)
    except ValueError:
        return False


_COLOUR_CMD_RE = re.compile(r"\\(textcolor|color|mathcolor|colorbox|fcolorbox)\s*(?:\[([^\]]*)\])?\s*\{([^{}]*)\}")
_HTML_COLOUR_RE = re.compile(r"<(\w+)\b([^>]*)>", re.S)
_HIDE_CMD_RE = re.compile(r"\\(?:[a-z]*phantom|invisible|hide|hidden|hidetext|comment|ignore|gobble|"
                          r"scalebox\s*\{\s*0*(?:\.0*)?\s*\}|resizebox\s*\{\s*0+(?:pt|mm|cm|em)?\s*\}\s*\{[^{}]*\})\s*(?=\{)")


def _drop_group(t: str, start: int) -> tuple[int, int] | None:
    """The span of the balanced `{…}` group at `start` (after spaces), or None."""
    i = start
    while i < len(t) and t[i] in " \t":
        i += 1
    if i >= len(t) or t[i] != "{":
        return None
    depth = 0
    for j in range(i, len(t)):
        if t[j] == "{":
            depth += 1
        elif t[j] == "}":
            depth -= 1
            if depth == 0:
                return i, j + 1
    return i, len(t)


def _group_end(t: str, pos: int) -> int:
    """Where the group that encloses `pos` closes (or, outside any group, the maths / line it sits in ends)."""
    open_before = 0
    for c in t[:pos]:
        open_before += (c == "{") - (c == "}") if c in "{}" else 0
    if open_before > 0:  # `{\color{white} … $…$ …}`: to the group's end, maths included
        depth = 0
        for j in range(pos, len(t)):
            if t[j] == "{":
                depth += 1
            elif t[j] == "}":
                if depth == 0:
                    return j
                depth -= 1
        return len(t)
    depth = 0
    for j in range(pos, len(t)):
        c = t[j]
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return j
            depth -= 1
        elif depth == 0 and (c == "$" or t.startswith(("\\)", "\\]"), j)):
            return j
        elif depth == 0 and t.startswith("\\color", j) and j > pos:
            return j
    return len(t)


def _uncoloured(t: str) -> str:
    """Text in a colour a reader cannot read (`\\textcolor{white}{…}`, `{\\color{#fff} …}`,
    `<span style="color:transparent">`, `<font color=white>`) removed."""
    if "\\" in t and "color" in t:
        out, i = [], 0
        while (m := _COLOUR_CMD_RE.search(t, i)) is not None:
            out.append(t[i:m.start()])
            cmd, model, spec = m.group(1), m.group(2) or "", m.group(3)
            i = m.end()
            if cmd in ("colorbox", "fcolorbox"):
                if cmd == "fcolorbox" and (g := _drop_group(t, i)) and t[i:].lstrip().startswith("{"):
                    i = g[1]  # the frame colour
                continue
            if not unreadable_colour(spec, model):
                continue
            if cmd == "color":
                i = _group_end(t, i)
            elif (g := _drop_group(t, i)) is not None:
                i = g[1]
            out.append(" ")
        out.append(t[i:])
        t = "".join(out)
    if "<" in t:
        def tag(m: re.Match) -> bool:
            attrs = m.group(2).lower()
            for v in re.findall(r"(?:^|[\s;\"'])(?:color|fill)\s*[:=]\s*[\"']?([#\w(),.%\s]+?)\s*(?:[;\"'>]|$)", attrs):
                if unreadable_colour(v):
                    return True
            return False
        spans = []
        for m in _HTML_COLOUR_RE.finditer(t):
            if tag(m):
                close = re.compile(rf"</{re.escape(m.group(1))}\s*>", re.I).search(t, m.end())
                spans.append((m.start(), close.end() if close else len(t)))
        for a, b in reversed(spans):
            t = t[:a] + " " + t[b:]
    return t


def _unhidden_commands(t: str) -> str:
    out, i = [], 0
    while (m := _HIDE_CMD_RE.search(t, i)) is not None:
        g = _drop_group(t, m.end())
        out.append(t[i:m.start()] + " ")
        i = g[1] if g else m.end()
    out.append(t[i:])
    return "".join(out)


# Bidi embeddings, overrides and isolates reorder what a reader sees: the span they govern (to its
# closing PDF / PDI or the line end) cannot be read as written, so it states nothing.
_BIDI_SPAN_RE = re.compile(r"[\u202a-\u202e\u2066-\u2068][^\n]*?(?:[\u202c\u2069]|(?=\n)|$)")
_BLANKS = str.maketrans({"\u115f": " ", "\u1160": " ", "\u3164": " ", "\uffa0": " ", "\u2800": " ",
                         "\r": "\n", "\u2028": "\n", "\u2029": "\n", "\x0b": "\n", "\x0c": "\n", "\x85": "\n"})
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ANSI_RE = re.compile(r"\x1b\[([0-9;]*)m")
# Letters of other scripts that look like Latin ones (Unicode TR39 confusables): folded, so a
# `fаlse` with a Cyrillic а reads as the word a reader sees. Greek small letters are folded only
# inside a Latin word (alone, α and ο are variables).
_CONFUSABLE = str.maketrans({
    **dict(zip("аеёһіїјкорсухѕԁԛԝӏɡɑɩıһԍ", "aeehiijkopcyxsdqwlgaiihg")),
    **dict(zip("АВЕКМНОРСТХУЅІЈԚԜҮ", "ABEKMHOPCTXYSIJQWY")),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX")),
    **dict(zip("օսհոզ", "ouhnq")),
    **dict(zip("ᎪᏴᏟᎬᎻᎫᏦᏞᎷᏢᏚᎢᏔᏃ", "ABCEHJKLMPSTWZ")),
})
_GREEK_SMALL = str.maketrans(dict(zip("οινκαρυϲϳ", "oivkarucj")))
_MIXED_GREEK_RE = re.compile(r"[A-Za-z]*[οινκαρυϲϳ][A-Za-zοινκαρυϲϳ]*")


def _fold_greek(m: re.Match) -> str:
    w = m.group()
    return w.translate(_GREEK_SMALL) if re.search(r"[A-Za-z]", w) else w


def _ansi(t: str) -> str:
    """Terminal colour codes removed; text under `conceal` (8) to its reset dropped."""
    out, i, hidden = [], 0, False
    for m in _ANSI_RE.finditer(t):
        if not hidden:
            out.append(t[i:m.start()])
        codes = set(m.group(1).split(";"))
        if "8" in codes or "30;40" in m.group(1):
            hidden = True
        elif codes & {"", "0", "28"}:
            hidden = False
        i = m.end()
    if not hidden:
        out.append(t[i:])
    return "".join(out)


_TABLE_RE = re.compile(r"(?m)^[ \t]*\|.*\|[ \t]*\n[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*\n"
                       r"(?:[ \t]*\|.*\|[ \t]*(?:\n|$))+")
_NAME_CELL_RE = re.compile(r"^(?:(?:[Ll]ength|[Mm]easure|[Ss]egment|[Ss]ide|[Aa]ngle|[Aa]rc|of|the|[Tt]he)\s+)*"
                           r"(?:m\s*)?(?:∠\s*|\\angle\s*)?[A-Z]{1,3}$|^(?:m\s*)?∠\s*\d+$")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def tables(t: str) -> str:
    """Markdown tables as the statements they make: a column of names beside a column of values
    (`| PQ | 7 |` → `PQ = 7`), or a header row of names over one row of values."""
    def one(m: re.Match) -> str:
        lines = [ln for ln in m.group().splitlines() if ln.strip()]
        head, rows = _cells(lines[0]), [_cells(ln) for ln in lines[2:]]
        out = []
        if all(_NAME_CELL_RE.match(h) for h in head) and len(rows) == 1 and len(rows[0]) == len(head):
            out = [f"{h} = {v}" for h, v in zip(head, rows[0])]
        elif len(head) == 2:
            out = [f"{r[0]} = {r[1]}" for r in rows if len(r) == 2 and _NAME_CELL_RE.match(r[0])]
        return ("\n" + " ;\n".join(out) + " ;\n") if out else m.group()
    return _TABLE_RE.sub(one, t)


def _vulgar(c: str) -> str:
    n, _, d = unicodedata.normalize("NFKC", c).partition("\u2044")
    return f"{n}/{d or 1}"


def _visible_char(c: str) -> bool:
    return unicodedata.category(c) not in ("Cf", "Co", "Cc") or c in "\n\t"


def visible(text: str) -> str:
    """What a reader of the rendered text sees (see the module docstring)."""
    t = text.replace("²", "^2").replace("³", "^3")  # before NFKC, which would make them plain digits
    t = re.sub(r".[\u0334-\u0338\u20d2\u20d3\u20e5\u20eb\u20e0]+", "", t)  # struck through by an overlay: withdrawn
    if not t.isascii():  # vulgar fractions before NFKC (which makes `2½` read 21/2); ′ ″ after a number
        t = re.sub(r"(\d)\s*([\u00bc-\u00be\u2150-\u215e])", lambda m: f"{m.group(1)} + ({_vulgar(m.group(2))}) ", t)
        t = re.sub(r"[\u00bc-\u00be\u2150-\u215e]", lambda m: f" ({_vulgar(m.group())}) ", t)
        t = re.sub(r"(\d)\s*″", r"\1 arcsec ", t)
        t = re.sub(r"(\d)\s*′(?!′)", r"\1 arcmin ", t)
        t = re.sub(r"(\d)\s*º", r"\1°", t)   # the masculine ordinal used as a degree sign
    t = unicodedata.normalize("NFKC", t)
    if "%" in t:  # a percent sign after a number is a percentage in LaTeX and Markdown alike: 3% is 3/100
        t = re.sub(r"(\d)\s*\\?%", r"\1 /100 ", t)
    if not t.isascii():
        t = _BIDI_SPAN_RE.sub(" ", t).translate(_BLANKS)
        if "\x1b" in t:
            t = _ansi(t)
        t = "".join(filter(_visible_char, t))
        # combining marks left on a Latin letter or digit (a grapheme joiner, a variation selector)
        t = re.sub(r"(?<=[\x21-\x7e])[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f"
                   r"\u180b-\u180f\u17b4\u17b5\U000e0100-\U000e01ef]+", "", t)
        t = t.translate(_CONFUSABLE)
        t = _MIXED_GREEK_RE.sub(_fold_greek, t)
    elif _CONTROL_RE.search(t):
        t = t.translate(_BLANKS)
        t = "".join(filter(_visible_char, _ansi(t)))
    for pat in _HIDDEN:
        t = pat.sub(" ", t)
    if "<" in t and "details" in t.lower():
        t = _DETAILS_RE.sub(lambda m: " ; " + " ".join(_SUMMARY_RE.findall(m.group(1))) + " ; ", t)
    if "color" in t or "<" in t:
        t = _uncoloured(t)
    if "\\" in t:
        t = _unhidden_commands(t)
    return t
