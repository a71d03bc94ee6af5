"""What a browser would send from a page's form, for the cluster's locust mix (load/cluster_locustfile.py).

`forms(html)` reads every <form> of a page with its action and the values its fields would submit: inputs (checked
boxes and radios only, disabled fields left out, as a browser leaves them out), selects (the selected option, else
the first one), textareas. A journey then changes the fields a person would change and posts the rest as found.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    options: dict[str, list[str]] = field(default_factory=dict)  # select name → its option values

    def data(self, **changes) -> list[tuple[str, str]]:
        """The fields as submitted, with `changes` replacing (or adding) single values."""
        data = [(name, value) for name, value in self.fields if name not in changes]
        return data + [(name, str(value)) for name, value in changes.items()]

    def value(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: tuple[str, list[str], list[str]] | None = None  # name, options, selected
        self.textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = Form(action=a.get("action") or "", method=(a.get("method") or "get").lower())
            self.forms.append(self.form)
        elif self.form is None or "disabled" in a or not a.get("name"):
            if tag == "option" and self.select is not None:
                self._option(a)
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.form.fields.append((a["name"], a.get("value") or ("on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select":
            self.select = (a["name"], [], [])
        elif tag == "textarea":
            self.textarea = (a["name"], [])

    def _option(self, a):
        name, options, selected = self.select
        value = a.get("value") or ""
        options.append(value)
        if "selected" in a:
            selected.append(value)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select is not None and self.form is not None:
            name, options, selected = self.select
            self.form.options[name] = options
            for value in selected or options[:1]:
                self.form.fields.append((name, value))
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.form is not None:
            name, parts = self.textarea
            self.form.fields.append((name, "".join(parts).removeprefix("\n")))
            self.textarea = None


def forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def form_with(html: str, *, action: str | None = None, field_name: str | None = None) -> Form | None:
    """The first POST form of the page whose action ends with `action`, or which has the field `field_name`."""
    for form in forms(html):
        if form.method != "post":
            continue
        if action is not None and form.action.endswith(action):
            return form
        if field_name is not None and (field_name in form.options or form.value(field_name) is not None):
            return form
    return None
