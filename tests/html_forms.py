"""Reading a rendered page's form back the way a browser would post it."""

import re


def form_data(html: str) -> dict:
    """What the browser would post back: the inputs, selects and textareas of the page's main form as rendered."""
    form = html[html.index("<form", html.index("<main")) :]
    form = form[: form.index("</form>")]
    data: dict = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrfmiddlewaretoken":
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind.group(1) in ("checkbox", "radio") and "checked" not in tag:
            continue
        default = "on" if kind and kind.group(1) == "checkbox" else ""  # what a browser sends for a bare checkbox
        data.setdefault(name.group(1), []).append(value.group(1) if value else default)
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        data[name] = re.findall(r'<option[^>]*value="([^"]*)"[^>]*selected', body)
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = [body.strip()]
    return data
