"""What a page audit looks for on a rendered page: text in the other language (judged against the message
catalogue), raw codes (choice values, snake_case names, ISO dates) and horizontal overflow."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polib
from django.apps import apps

import opscenter

CATALOGUE = Path(opscenter.__file__).parent / "locale" / "vi" / "LC_MESSAGES" / "django.po"

# The visible text of a page, one string per text node, with what the browser would not show left out:
# scripts, inputs, code samples, anything marked translate="no" (codes meant to be shown as codes) and text whose
# `lang` says it is in another language (what people wrote, shown as written).
VISIBLE_TEXT_JS = """() => {
  const skip = "script, style, noscript, code, pre, textarea, select, [translate=no], .swagger-ui";
  const out = [];
  const pageLang = document.documentElement.lang;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    const el = node.parentElement;
    if (!text || !el || el.closest(skip)) continue;
    if (!el.getClientRects().length) continue;  // not rendered (hidden, collapsed <details>, display: none)
    const marked = el.closest("[lang]");  // declared to be in another language: what people wrote
    if (marked && marked.lang !== pageLang) continue;
    out.push(text);
  }
  for (const el of document.querySelectorAll("[placeholder], [title], [aria-label]")) {
    if (el.closest(skip) || !el.getClientRects().length) continue;
    const marked = el.closest("[lang]");
    if (marked && marked.lang !== pageLang) continue;
    for (const name of ["placeholder", "title", "aria-label"]) {
      const value = (el.getAttribute(name) || "").trim();
      if (value) out.push(value);
    }
  }
  return out;
}"""

# Wider than the window, or a box whose content is cut or scrolls sideways where nothing should.
OVERFLOW_JS = """() => {
  const found = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) found.push("page " + doc.scrollWidth + " > " + doc.clientWidth);
  for (const el of document.querySelectorAll(".mainnav, .topbar, .page-head, .kpis, .card-head")) {
    if (el.scrollWidth > el.clientWidth + 1) {
      found.push((el.className || el.tagName) + " " + el.scrollWidth + " > " + el.clientWidth);
    }
  }
  return found;
}"""

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdf]|%[sd]|\{[a-z_]+\}")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
WORD = re.compile(r"[A-Za-z]{3,}")


@dataclass
class Catalogue:
    """The English texts that have a Vietnamese translation, and those translations, as full-text patterns."""

    english: list[re.Pattern[str]] = field(default_factory=list)
    vietnamese: list[re.Pattern[str]] = field(default_factory=list)
    english_words: set[str] = field(default_factory=set)
    texts: dict[str, set[str]] = field(default_factory=dict)  # every text of each language, exactly


def _pattern(text: str) -> re.Pattern[str] | None:
    text = " ".join(text.split())
    if len(text) < 4 or not re.search(r"[A-Za-zÀ-ỹ]{3}", text):
        return None
    parts = [re.escape(p) for p in PLACEHOLDER.split(text)]
    body = ".+?".join(parts)
    if len(PLACEHOLDER.sub("", text).strip()) < 4:
        return None
    return re.compile(body)


@cache
def catalogue() -> Catalogue:
    found = Catalogue()
    vietnamese_words: set[str] = set()
    entries = [e for e in polib.pofile(str(CATALOGUE)) if e.translated() and not e.obsolete]
    for entry in entries:
        vietnamese_words |= {w.lower() for w in WORD.findall(entry.msgstr or " ".join(entry.msgstr_plural.values()))}
    found.texts = {"en": {" ".join(e.msgid.split()) for e in entries},
                   "vi": {" ".join((e.msgstr or "").split()) for e in entries}}
    for entry in entries:
        translations = [entry.msgstr] if entry.msgstr else list(entry.msgstr_plural.values())
        for english, vietnamese in ((entry.msgid, t) for t in translations):
            if english.strip() == vietnamese.strip():
                continue
            if (p := _pattern(english)) is not None:
                found.english.append(p)
            if (p := _pattern(vietnamese)) is not None:
                found.vietnamese.append(p)
        found.english_words |= {w.lower() for w in WORD.findall(PLACEHOLDER.sub("", entry.msgid))} - vietnamese_words
    return found


@cache
def choice_codes() -> frozenset[str]:
    """Every stored choice value whose label says something else: seen in Vietnamese text, it is a raw code."""
    codes: set[str] = set()
    for model in apps.get_models():
        for f in model._meta.get_fields():
            for value, label in getattr(f, "flatchoices", None) or []:
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9_-]{3,}", value) and str(label) != value:
                    codes.add(value)
    return frozenset(codes)


def data_names() -> frozenset[str]:
    """Names people gave things (units, wards, cameras, people): Vietnamese in either language, and not a fault
    when one happens to read like a text of the catalogue (the 115 centre is called 'Cấp cứu 115')."""
    names: set[str] = set()
    for model, fields in (("org.Unit", ("name", "short_name")), ("org.Ward", ("name",)),
                          ("vision.Camera", ("name",))):
        for row in apps.get_model(model).objects.values_list(*fields):
            names |= {n for n in row if n}
    for user in apps.get_model("org.User").objects.all():
        names |= {user.get_full_name(), f"@{user.username}"}
    return frozenset(names)


def problems(texts: list[str], language: str, names: frozenset[str] = frozenset()) -> list[str]:
    """What is wrong in a page's visible texts, one line per finding."""
    found: list[str] = []
    cat = catalogue()
    other = cat.english if language == "vi" else cat.vietnamese
    codes = choice_codes()
    own = cat.english if language == "en" else cat.vietnamese
    for text in dict.fromkeys(texts):  # each distinct text once
        if text in names or text.strip("—·:; ") in names:
            continue
        if text in cat.texts[language]:
            continue
        if any(p.fullmatch(text) for p in other) and not any(p.fullmatch(text) for p in own):
            found.append(f"other language: {text!r}")
            continue
        if language == "vi":
            words = [w.lower() for w in WORD.findall(text)]
            english = [w for w in words if w in cat.english_words]
            if len(english) >= 2 and len(english) * 2 >= len(words):
                found.append(f"English in Vietnamese: {text!r}")
                continue
            if raw := [w for w in re.findall(r"[a-z][a-z0-9_-]{3,}", text) if w in codes]:
                found.append(f"raw code {raw[0]!r}: {text!r}")
                continue
        if m := SNAKE.search(text):
            found.append(f"raw code {m.group(0)!r}: {text!r}")
        elif m := ISO_DATE.search(text):
            found.append(f"ISO date {m.group(0)!r}: {text!r}")
    return found
