"""Values in the text format of PostgreSQL's COPY, for the writers of many rows (the scale generator, the
identification's verdicts)."""

import datetime
import json


def copy_text(value) -> str:
    """One field: NULL as \\N, booleans as t/f, dates in ISO, dicts and lists as JSON; backslash, tab and line
    breaks escaped."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    elif isinstance(value, float):
        return repr(value)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text

