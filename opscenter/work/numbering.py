"""Number and symbol of an official document, as Decree 30/2020/NĐ-CP writes them (no Django here).

A decision: "15/QĐ-SYT"; an administrative letter (công văn) has no type abbreviation, only the issuer and,
after a hyphen, the drafting office: "123/SYT-NVY".
"""

from __future__ import annotations


def number_symbol(number: int, type_abbreviation: str, issuer_symbol: str) -> str:
    prefix = f"{type_abbreviation}-" if type_abbreviation else ""
    return f"{number:02d}/{prefix}{issuer_symbol}"
