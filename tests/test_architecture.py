"""The rules of docs/ARCHITECTURE.md that a reviewer checks with grep, checked here the same way.

The layers themselves are import-linter's contract (pyproject.toml), run by `make test` as `lint-imports`.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["portal", "public_pages", "monitoring", "partnerships", "programs", "surveys", "notifications", "schools", "shnor_portal"]

# A role, the user's reach or one of its scopes named in a view: the rule belongs in an access module.
ROLE_OR_SCOPE_TEST = re.compile(
    r"\bRole\b|\breach_of\b|\.has_role\(|\.everything\b|\bis_department\b|\bhas_any_role\b|\.roles\b"
    r"|\b(?:coordinator|tutor|team|curator|own|home|curated|reviewer)_(?:municipality|school)_ids\b"
)


def view_modules() -> list[Path]:
    modules = []
    for app in APPS:
        folder = ROOT / app
        modules += folder.glob("views.py")
        modules += folder.glob("*_views.py")
        modules += folder.glob("views/*.py")
    return sorted(modules)


def test_the_rule_finds_view_modules_of_every_section():
    apps_with_views = {path.relative_to(ROOT).parts[0] for path in view_modules()}
    assert {"portal", "monitoring", "partnerships", "programs", "notifications", "schools"} <= apps_with_views


def test_no_view_tests_a_role_or_a_scope():
    found = []
    for path in view_modules():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if ROLE_OR_SCOPE_TEST.search(code):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "Проверки ролей и охвата — в модулях access, не во view:\n" + "\n".join(found)


def test_the_rule_would_see_a_role_test():
    assert ROLE_OR_SCOPE_TEST.search("if reach_of(request.user).everything:")
    assert ROLE_OR_SCOPE_TEST.search("if school.pk in team_school_ids(user):")
    assert not ROLE_OR_SCOPE_TEST.search("access.require(access.can_see_summary(request.user), message)")


def test_one_require_and_one_set_of_scopes():
    """`require` and the role scopes are defined once, in schools/access.py, and reused by the other access modules."""
    definitions = re.compile(r"^def (require|coordinator_municipality_ids|tutor_municipality_ids|team_school_ids|"
                             r"curator_school_ids)\(", re.MULTILINE)  # fmt: skip
    where = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for name in definitions.findall(path.read_text(encoding="utf-8")):
                where.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert where == {name: ["schools/access.py"] for name in where}
    assert set(where) == {"require", "coordinator_municipality_ids", "tutor_municipality_ids", "team_school_ids",
                          "curator_school_ids"}  # fmt: skip
